/**
 * A bouncer's startup answer (`/v1/decisions/stream?startup=true`) written page by page while it is read: with
 * 300,000 active decisions the whole answer is some 40 MB of text, and building it whole (rows, then text, then
 * the reply) for each bouncer made memory grow with decisions × bouncers starting at once. Here a request holds
 * one page (the stream is pulled as the socket drains, so a slow bouncer does not make pages pile up), and the
 * bytes are the ones the one-shot answer had: `{"deleted":…,"new":…}`, `null` for an empty side.
 */
import { Readable } from 'node:stream';
import type { StreamDecision } from '../../store/index.js';
import { lapiDecisionItems } from './decision-json.js';

export type StartupSide = 'deleted' | 'new';

/** Reads the page of one side below the id `before` (id descending), at most `limit` rows. */
export type StartupPageReader = (side: StartupSide, before: number, limit: number) => Promise<StreamDecision[]>;

/**
 * At most `n` page reads at a time in this process, the others queued in order: 100 bouncers starting together
 * would otherwise hold every pooled connection and starve the other requests (deltas, ingest) until the pool's
 * connect timeout. A queue of a few lines; p-limit is only a transitive dependency here.
 */
export function pageReadGate(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** Above every id (ids are bigserial; the repository caps at 2^53 - 1). */
const FIRST = Number.MAX_SAFE_INTEGER;

/**
 * The first page of each side, read before the answer starts so that a failing query is still a 500 (and the
 * caller can put the bouncer's last pull back), then the answer as a byte stream reading the other pages on demand.
 */
export async function startupAnswer(read: StartupPageReader, now: number, pageSize: number): Promise<Readable> {
  const [deleted, fresh] = await Promise.all([read('deleted', FIRST, pageSize), read('new', FIRST, pageSize)]);
  return Readable.from(startupText(read, now, pageSize, { deleted, new: fresh }), { objectMode: false });
}

async function* startupText(read: StartupPageReader, now: number, pageSize: number, first: Record<StartupSide, StreamDecision[]>): AsyncGenerator<string> {
  yield '{"deleted":';
  yield* sideText(read, 'deleted', now, pageSize, first.deleted);
  yield ',"new":';
  yield* sideText(read, 'new', now, pageSize, first.new);
  yield '}';
}

async function* sideText(read: StartupPageReader, side: StartupSide, now: number, pageSize: number, first: StreamDecision[]): AsyncGenerator<string> {
  if (first.length === 0) {
    yield 'null';
    return;
  }
  let page = first;
  let open = '[';
  for (;;) {
    yield open + lapiDecisionItems(page, now);
    open = ',';
    // A short page is the last one; a full one may be too, which the next (empty) read tells.
    if (page.length < pageSize) break;
    page = await read(side, page[page.length - 1]!.id, pageSize);
    if (page.length === 0) break;
  }
  yield ']';
}
