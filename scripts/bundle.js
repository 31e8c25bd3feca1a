// Bundles the CLI (src/cli/run.ts and the command modules it imports on demand) into a few ESM files
// under dist/bundle/, so a start loads a handful of files instead of hundreds of modules (resolution
// and loading of each was a large part of a short command's time; docs/benchmarks.md).
// Runs after `tsc -p tsconfig.build.json`: the per-module output in dist/ stays, for the PGlite
// worker thread (a separate entry, loaded by path) and for files modules read beside themselves.
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
  'pg',
  'pg-copy-streams',
  'pino',
  'undici',
];

/**
 * A bundled module's `import.meta.url` would be the bundle's: each module gets the URL its own
 * compiled file has in dist/ instead, so paths it builds from it (the shipped rules, package.json,
 * the worker's entry, the schema source hashed into the rule-pack cache key) stay what they were.
 */
const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const compiled = join(root, 'dist', relative(join(root, 'src'), args.path)).replace(/\.ts$/, '.js');
      const rel = relative(outdir, compiled).split('\\').join('/');
      const url = `new URL(${JSON.stringify(rel)}, import.meta.url).href`;
      return { contents: text.replace(/\bimport\.meta\.url\b/g, url), loader: 'ts', resolveDir: dirname(args.path) };
    });
  },
};

// Chunk names carry content hashes: clear the old ones.
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { cli: join(root, 'src/cli/run.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  external: EXTERNAL,
  // Bundled CommonJS packages call require() for Node's built-ins.
  banner: { js: "import { createRequire as __rampartRequire } from 'node:module'; const require = __rampartRequire(import.meta.url);" },
  plugins: [ownUrl],
  logLevel: 'warning',
});
