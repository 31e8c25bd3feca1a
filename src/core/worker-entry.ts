/**
 * Where a worker thread's code is, for `new Worker(entry, { eval: evalEntry })`: the built file `built`, relative to
 * the calling module's URL; or, under a TypeScript runner (tests, e2e through tsx: the caller's URL ends in `.ts`),
 * the `source` file through tsx, registered by a bootstrap in the worker, since Node 20 does not apply `--import` from
 * a worker's execArgv.
 */
export function workerEntry(callerUrl: string, built: string, source: string): { entry: URL | string; evalEntry: boolean } {
  if (!callerUrl.endsWith('.ts')) return { entry: new URL(built, callerUrl), evalEntry: false };
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const src = JSON.stringify(new URL(source, callerUrl).href);
  return { entry: `import(${tsx}).then((m) => { m.register(); return import(${src}); })`, evalEntry: true };
}
