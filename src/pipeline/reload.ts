/**
 * Hot reload of rule packs and profiles for `serve`: on SIGHUP, and when a user pack file changes
 * (fs.watch on its directory, debounced, because editors write a file in several steps or replace it
 * by rename). A failed reload keeps the rules in use and logs the error, which names the file and rule.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

export interface Reloadable {
  reload(): { ruleCount: number; allowlistEntries: number };
}

/** A detection reloaded elsewhere (serve's ingest worker): the answer comes later. */
export interface AsyncReloadable {
  reload(): { ruleCount: number; allowlistEntries: number } | Promise<{ ruleCount: number; allowlistEntries: number }>;
}

export interface ReloadLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export type ReloadOutcome = { ok: true; ruleCount: number; allowlistEntries: number } | { ok: false; error: string };

/** One reload attempt; never throws (a broken pack must not take the service down). */
export function reloadDetection(target: Reloadable, reason: string, log: ReloadLogger): ReloadOutcome {
  try {
    return reloaded(target.reload(), reason, log);
  } catch (err) {
    return reloadFailed(err, reason, log);
  }
}

/** reloadDetection for a detection that answers later; never rejects. */
export async function reloadDetectionLater(target: AsyncReloadable, reason: string, log: ReloadLogger): Promise<ReloadOutcome> {
  try {
    return reloaded(await target.reload(), reason, log);
  } catch (err) {
    return reloadFailed(err, reason, log);
  }
}

function reloaded(r: { ruleCount: number; allowlistEntries: number }, reason: string, log: ReloadLogger): ReloadOutcome {
  log.info({ reason, rules: r.ruleCount, allowlistEntries: r.allowlistEntries }, 'detection rules reloaded');
  return { ok: true, ...r };
}

function reloadFailed(err: unknown, reason: string, log: ReloadLogger): ReloadOutcome {
  const error = (err as Error).message;
  log.error({ reason, error }, `rule reload failed, keeping the rules in use: ${error}`);
  return { ok: false, error };
}

/** Calls `fn` once, `ms` after the last of a burst of calls. */
export function debounce(fn: () => void, ms: number): { trigger(): void; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  return {
    trigger() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        fn();
      }, ms);
      timer.unref();
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/**
 * Watch files for change. Directories are watched (not the files) so a rename-replace by an editor is
 * seen, and events for other files in them are ignored. Returns a stop function.
 */
export function watchFiles(files: readonly string[], onChange: (file: string) => void, onError: (err: Error) => void): () => void {
  const byDir = new Map<string, Set<string>>();
  for (const f of files) {
    const abs = resolve(f);
    const set = byDir.get(dirname(abs)) ?? new Set<string>();
    set.add(basename(abs));
    byDir.set(dirname(abs), set);
  }
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        // Some platforms omit the name: then any change in the directory counts.
        if (name === null || names.has(name.toString())) onChange(name === null ? dir : resolve(dir, name.toString()));
      });
      w.on('error', onError);
      watchers.push(w);
    } catch (err) {
      onError(err as Error);
    }
  }
  return () => {
    for (const w of watchers) w.close();
  };
}

/** SIGHUP plus debounced file watching, wired for `serve`. Returns a stop function. */
export function startRuleReload(
  target: AsyncReloadable & { userRulePaths: readonly string[] },
  log: ReloadLogger,
  opts: { debounceMs?: number; signal?: NodeJS.Signals } = {},
): () => void {
  const signal = opts.signal ?? 'SIGHUP';
  const onSignal = () => void reloadDetectionLater(target, signal, log);
  process.on(signal, onSignal);
  let changed = '';
  const later = debounce(() => void reloadDetectionLater(target, `changed: ${changed}`, log), opts.debounceMs ?? 500);
  const stopWatching = watchFiles(
    target.userRulePaths,
    (file) => {
      changed = file;
      later.trigger();
    },
    (err) => log.error({ error: err.message }, 'cannot watch rule pack files; SIGHUP still reloads'),
  );
  return () => {
    process.off(signal, onSignal);
    later.cancel();
    stopWatching();
  };
}
