/**
 * Composition of the hot path from configuration: which detectors run (the parse stage's format and
 * client-IP choice are in build-ingest.ts). The same function serves `serve`, `analyze` and `explain`, so the batch and
 * live paths can never drift apart.
 */
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { type DiskCache, ConfigError } from '../core/index.js';
import {
  BehaviourDetector,
  type BehaviourDeps,
  Allowlist,
  AllowlistError,
  SimulationSet,
  configAllowSpecs,
  loadProfile,
  profileDir,
  DetectionEngine,
  RuleDetector,
  bundledRulePaths,
  loadRulePacks,
  tokeniserDetector,
  SiteKnowledge,
  siteOptionsFromConfig,
  type SiteKnowledgeOptions,
} from '../detect/index.js';
import { createDnsBotVerification, type BotVerification, type DnsResolver } from '../enrich/index.js';

export interface DetectParts {
  engine: DetectionEngine;
  /** The rule detector in use now (replaced by a reload). */
  readonly rules: RuleDetector;
  behaviour: BehaviourDetector;
  /**
   * Forward-confirmed reverse DNS of crawler claims, when the caller allowed I/O (opts.botDns) and
   * detect.behaviour.goodBots.verifyDns is on; the owner closes it at shutdown.
   */
  readonly botVerification: BotVerification | null;
  readonly ruleCount: number;
  readonly allowlist: Allowlist;
  readonly simulation: SimulationSet;
  /** User rule pack files (detect.rules.paths): a reload re-reads them, `serve` watches them. */
  userRulePaths: readonly string[];
  /**
   * Re-read rule packs (bundled + user) and profiles, and swap them into the engine between batches;
   * behaviour state is kept. Throws (naming the file and rule) and keeps the old rules when anything fails.
   */
  reload(): { ruleCount: number; allowlistEntries: number };
}

/** What a reload rebuilds: everything read from rule and profile files, plus the config allowlist. */
interface RuleLayer {
  rules: RuleDetector;
  ruleCount: number;
  allowlist: Allowlist;
  simulation: SimulationSet;
}

function buildRuleLayer(config: Config, rulePaths: readonly string[], profiles: string, cache?: DiskCache): RuleLayer {
  const ruleSet = loadRulePacks([...rulePaths], cache ? { cache } : {});
  return { rules: new RuleDetector(ruleSet, cache ? { automatonCache: cache } : {}), ruleCount: ruleSet.rules.length, ...buildPolicy(config, profiles) };
}

/** Allowlist (config entries, then enabled profiles) and simulation set; errors name the config key. */
export function buildPolicy(config: Config, profiles = profileDir()): { allowlist: Allowlist; simulation: SimulationSet } {
  const { detect } = config;
  const specs = configAllowSpecs(detect.allowlist);
  for (const name of detect.profiles) {
    try {
      specs.push(...loadProfile(name, profiles));
    } catch (err) {
      throw new ConfigError('detect.profiles', (err as Error).message);
    }
  }
  let allowlist: Allowlist;
  try {
    allowlist = new Allowlist(specs);
  } catch (err) {
    if (err instanceof AllowlistError) throw new ConfigError(err.key, err.message.slice(err.key.length + 2));
    throw err;
  }
  let simulation: SimulationSet;
  try {
    simulation = new SimulationSet(detect.simulation);
  } catch (err) {
    throw new ConfigError('detect.simulation', (err as Error).message);
  }
  return { allowlist, simulation };
}

export interface DetectionOptions {
  /** Where the shipped profiles live (tests). */
  profileDir?: string;
  /**
   * Allow DNS look-ups for goodBots.verifyDns (`serve`). Off for `analyze` and `explain`, which stay offline and
   * deterministic whatever the config says.
   */
  botDns?: boolean;
  /** Resolver for those look-ups (tests); default node:dns/promises. */
  resolver?: DnsResolver;
  /** Keeps validated rule packs between runs (the CLI's cache directory); none: parse every time. */
  ruleCache?: DiskCache;
  /**
   * Site knowledge (src/detect/site): on by default; `false` turns it off. `analyze` holds hits until the end of the
   * run (`holdMs: Infinity`), so a file is judged on the whole log.
   */
  site?: SiteKnowledgeOptions | false;
}

export function buildDetection(
  config: Config,
  bundled: readonly string[] = bundledRulePaths(),
  opts: DetectionOptions = {},
): DetectParts {
  const profiles = opts.profileDir ?? profileDir();
  const userRulePaths = config.detect.rules.paths;
  const rulePaths = [...bundled, ...userRulePaths];
  let layer = buildRuleLayer(config, rulePaths, profiles, opts.ruleCache);
  const goodBots = config.detect.behaviour.goodBots;
  const botVerification =
    opts.botDns === true && goodBots.verifyDns
      ? createDnsBotVerification(goodBots, opts.resolver ? { resolver: opts.resolver } : {})
      : null;
  const deps: BehaviourDeps = botVerification
    ? { botVerdicts: botVerification.botVerdicts, onBotClaim: botVerification.onBotClaim }
    : {};
  const behaviour = new BehaviourDetector(config.detect.behaviour, deps);
  // detect.site gives the thresholds; the caller's options (analyze's holdMs: Infinity) win over it.
  const siteOpts = { ...siteOptionsFromConfig(config.detect.site), ...(opts.site || {}) };
  const site = opts.site === false ? null : new SiteKnowledge(siteOpts, deps.botVerdicts ? { botVerdicts: deps.botVerdicts } : {});
  const engine = new DetectionEngine([layer.rules, tokeniserDetector(), behaviour], { allowlist: layer.allowlist, simulation: layer.simulation }, site, deps.botVerdicts ?? null);
  return {
    engine,
    behaviour,
    botVerification,
    userRulePaths,
    get rules() {
      return layer.rules;
    },
    get ruleCount() {
      return layer.ruleCount;
    },
    get allowlist() {
      return layer.allowlist;
    },
    get simulation() {
      return layer.simulation;
    },
    reload() {
      // Build everything first: a failure anywhere leaves the engine exactly as it was.
      const next = buildRuleLayer(config, rulePaths, profiles, opts.ruleCache);
      next.allowlist.adoptCounters(layer.allowlist);
      engine.replaceDetector(layer.rules, next.rules);
      engine.setPolicy({ allowlist: next.allowlist, simulation: next.simulation });
      layer = next;
      return { ruleCount: next.ruleCount, allowlistEntries: next.allowlist.size };
    },
  };
}

/** Store options from config: a server when databaseUrl is set, else PGlite in `<dataDir>/pglite`. */
export function storeOptions(config: Config): { databaseUrl?: string; dataDir: string; windowMinHits: number } {
  const { windowMinHits } = config.store;
  return config.store.databaseUrl
    ? { databaseUrl: config.store.databaseUrl, dataDir: config.store.dataDir, windowMinHits }
    : { dataDir: join(config.store.dataDir, 'pglite'), windowMinHits };
}
