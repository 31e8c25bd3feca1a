// Builds dist/pglite-template.tgz: a new, empty PGlite data folder (what initdb makes), for `serve` and
// `analyze --store` to create their data folder from (src/store/pglite-client.ts). PGlite's initdb holds
// about 800 MB while it runs; creating a folder from this archive about 410 MB and a third of the time.
// So the heavy step runs here, once per installed PGlite version, in a process of its own that then
// ends, instead of on a server's first start. Skipped when the archive for this version is there. A
// build on a machine without that memory goes on without it (package.json: the step may fail), and
// new data folders are then made by initdb as before.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = join(root, 'dist/pglite-template.tgz');
const stamp = `${out}.version`;
const require = createRequire(import.meta.url);
const pkg = join(dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
const version = JSON.parse(readFileSync(pkg, 'utf8')).version;

if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8') === version) process.exit(0);

const { PGlite } = await import('@electric-sql/pglite');
const db = await PGlite.create();
const archive = Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer());
await db.close();
writeFileSync(`${out}.tmp`, archive);
renameSync(`${out}.tmp`, out);
writeFileSync(stamp, version);
