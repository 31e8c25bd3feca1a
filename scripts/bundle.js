// Bundles the CLI (src/cli/run.ts and everything it imports, the command modules included) into one
// CommonJS file, dist/bundle/cli.cjs, so a start reads one file instead of hundreds of modules, and
// bin/load-cli.cjs can keep V8's compiled code for it between runs (a code cache: Node 20 has none for
// ES modules; docs/benchmarks.md). Runs after `tsc -p tsconfig.build.json`: the per-module output in
// dist/ stays, for the worker threads (separate entries, loaded by path) and for files modules read
// beside themselves.
import { build } from 'esbuild';
import { relative, dirname, join } from 'node:path';
import { readFile, rm } from 'node:fs/promises';

const root = join(import.meta.dirname, '..');
const outdir = join(root, 'dist/bundle');

// Packages that stay in node_modules: they load files beside themselves (PGlite's wasm and data,
// swagger-ui's static assets, pino's transports in worker threads, the GeoIP databases), resolve
// themselves by path, or are large and loaded only by `serve`-side commands anyway.
const EXTERNAL = [
  '@electric-sql/pglite',
  '@fastify/*',
  '@ip-location-db/*',
  'fastify',
  'ioredis',
  'maxmind',
  'nodemailer',
  'pg',
  'pg-copy-streams',
  'pino',
  'prom-client',
  'undici',
];

/**
 * `import.meta` does not exist in CommonJS, and a bundled module's URL would be the bundle's anyway:
 * each module gets the URL its own compiled file has in dist/ instead, so paths it builds from it (the
 * shipped rules, package.json, the workers' entries, the schema source hashed into the rule-pack cache
 * key) stay what they were. `import.meta.resolve` (only used under a TypeScript runner) becomes
 * require.resolve.
 */
const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta')) return undefined;
      const compiled = join(root, 'dist', relative(join(root, 'src'), args.path)).replace(/\.ts$/, '.js');
      const rel = relative(outdir, compiled).split('\\').join('/');
      const url = `new URL(${JSON.stringify(rel)}, require('node:url').pathToFileURL(__filename)).href`;
      const contents = text
        .replace(/\bimport\.meta\.url\b/g, url)
        .replace(/\bimport\.meta\.resolve\b/g, "((s) => require('node:url').pathToFileURL(require.resolve(s)).href)");
      if (contents.includes('import.meta')) throw new Error(`${args.path}: an import.meta use the CommonJS bundle cannot carry`);
      return { contents, loader: 'ts', resolveDir: dirname(args.path) };
    });
  },
};

// Earlier builds left ES module chunks here: clear them.
await rm(outdir, { recursive: true, force: true });
await build({
  // respawn.cjs: the launcher's decision whether `analyze` runs in a child (bin/rampart.js requires it first);
  // launcher-support.cjs: the cache directory and mkdir -p for bin/load-cli.cjs; parse-worker.cjs: analyze's parse
  // thread (src/runtime/parse-thread.ts), one file for the worker to load.
  entryPoints: {
    'parse-worker': join(root, 'src/runtime/parse-worker.ts'),
    cli: join(root, 'src/cli/run.ts'),
    respawn: join(root, 'src/cli/respawn.ts'),
    'launcher-support': join(root, 'src/cli/launcher-support.ts'),
  },
  outdir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // No comments or indentation: a third of the bytes every start reads, decodes and hands to V8. Names are
  // kept, so stack traces still name functions (and the source map has the lines).
  minifyWhitespace: true,
  charset: 'ascii',
  external: EXTERNAL,
  plugins: [ownUrl],
  logLevel: 'warning',
});
