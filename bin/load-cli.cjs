// Runs the bundled CLI (dist/bundle/cli.cjs, built by scripts/bundle.js) with V8's code cache: the
// bytecode of every function a run compiled is kept in the cache directory and handed back to V8 on the
// next start, which then neither parses the 1 MB bundle nor compiles those functions again (a fifth
// to a quarter of a short command's time; docs/benchmarks.md). Node 20 keeps no such cache for ES
// modules, hence one CommonJS file run through vm.Script. A cache that cannot be read or written only
// costs that saving; one V8 rejects (another Node, other flags) is replaced.
'use strict';
const { createHash } = require('node:crypto');
const { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join, resolve } = require('node:path');
const { Script } = require('node:vm');

const file = join(__dirname, '../dist/bundle/cli.cjs');
// Node maps stack traces through source maps only for modules it loads itself, not for vm.Script.
if (process.sourceMapsEnabled) {
  require(file);
  return;
}
// The bundle is ASCII (scripts/bundle.js), so latin1 reads it exactly, and about three times faster.
const source = readFileSync(file, 'latin1');

// The cache directory and mkdir -p of src/core, bundled on their own (src/cli/launcher-support.ts).
const { defaultCacheDir, makeDirectorySync } = require('../dist/bundle/launcher-support.cjs');
const dir = resolve(defaultCacheDir(process.env));
const hash = (...parts) => createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);
// A cache per command: it holds the functions its first run compiled, which differ from command to command.
// Only a run that succeeds writes one, so a mistyped command leaves no file behind.
const word = process.argv.slice(2).find((a) => !a.startsWith('-')) ?? '';
const command = /^[a-z]{1,20}$/.test(word) ? word : 'other';
// V8 checks its version, its flags and the source's length, not the source's content: the name carries
// all of them, the bundle by its inode, size and modification time (a build writes a new file; hashing
// its megabyte would cost more than the rest of this file). Command and flags come first, so a new build
// replaces the cache of the same command and flags only (analyze of a large input runs in a child Node
// with other flags, bin/rampart.js).
const prefix = `cli-code-${command}-${hash(process.version, process.execArgv.join(' '))}-`;
const st = statSync(file);
const cacheFile = join(dir, `${prefix}${hash(st.ino, st.size, st.mtimeMs)}.bin`);

let cachedData;
try {
  // Code read from here runs as this user: only from a file and folder no one else can write.
  if (ownedAndPrivate(dir) && ownedAndPrivate(cacheFile)) cachedData = readFileSync(cacheFile);
} catch {
  // None yet, or unreadable: compile as usual.
}
const script = new Script(Module.wrap(source), { filename: file, cachedData });
if (cachedData === undefined || script.cachedDataRejected) process.once('exit', (code) => code === 0 && writeCache());

const mod = { exports: {}, filename: file, id: file, loaded: false };
script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, dirname(file));

/** At exit, when the functions this run called are compiled and go into the cache with the rest. */
function writeCache() {
  try {
    makeDirectorySync(dir);
    if (!ownedAndPrivate(dir)) return;
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    renameSync(tmp, cacheFile);
    for (const name of readdirSync(dir)) {
      if (name.startsWith(prefix) && name.endsWith('.bin') && join(dir, name) !== cacheFile) rmSync(join(dir, name), { force: true });
    }
  } catch {
    // A cache folder that cannot be written: the next start compiles again.
  }
}

/** True when `path` belongs to this user and neither its group nor others may write it. */
function ownedAndPrivate(path) {
  const st = statSync(path);
  return (process.getuid === undefined || st.uid === process.getuid()) && (st.mode & 0o022) === 0;
}
