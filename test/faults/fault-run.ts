/** What the store fault runs share: a log of known lines, counting what a store holds, reading serve's log. */
import { appendFileSync } from 'node:fs';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { mixedLine } from '../e2e/log-lines.js';

export function appendLines(file: string, from: number, to: number): void {
  let s = '';
  for (let i = from; i < to; i++) s += mixedLine(i) + '\n';
  appendFileSync(file, s);
}

export interface StoreCounts {
  /** Rows in requests. */
  rows: number;
  /** Distinct request paths: each line i asks for its own /products/i or /items?id=i, so a line stored twice under two ids shows here. */
  distinctLines: number;
  /** Requests counted in the per-minute rollup. */
  rolledUp: number;
}

const COUNTS = `SELECT (SELECT count(*)::int FROM requests) AS rows,
  (SELECT count(DISTINCT path || '?' || query)::int FROM requests) AS "distinctLines",
  (SELECT coalesce(sum(requests), 0)::int FROM rollup_minute) AS "rolledUp"`;

export async function countPostgres(url: string): Promise<StoreCounts> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<StoreCounts>(COUNTS)).rows[0]!;
  } finally {
    await c.end();
  }
}

export async function countPglite(dataDir: string): Promise<StoreCounts> {
  const db = await PGlite.create(dataDir);
  try {
    return (await db.query<StoreCounts>(COUNTS)).rows[0]!;
  } finally {
    await db.close();
  }
}

export interface LogEntry {
  level: number;
  msg: string;
  downMs?: number;
}

export function logEntries(stdout: string): LogEntry[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogEntry);
}
