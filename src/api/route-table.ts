/**
 * Which methods each registered path answers, so that a request with the wrong method gets 405 with an
 * Allow header instead of Fastify's plain 404. Fastify does not expose its router, so we record routes as
 * they are added (onRoute) and match concrete paths against their patterns here.
 */
import type { FastifyInstance } from 'fastify';

interface Entry {
  segments: string[];
  methods: Set<string>;
}

export class RouteTable {
  private readonly entries = new Map<string, Entry>();

  /** Must run before any route is registered: onRoute only sees routes added after it. */
  attach(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      // The CORS preflight route (OPTIONS *) answers every path; it does not make a path exist.
      if (route.url === '*') return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const m of methods) this.add(m, route.url);
    });
  }

  add(method: string, pattern: string): void {
    let entry = this.entries.get(pattern);
    if (!entry) {
      entry = { segments: pattern.split('/'), methods: new Set() };
      this.entries.set(pattern, entry);
    }
    entry.methods.add(method.toUpperCase());
  }

  /**
   * Methods of a route registered with exactly this path and no parameters. `GET /api/lookup/bulk` matches
   * the pattern `/api/lookup/:ioc`, but the client meant the static route `POST /api/lookup/bulk`: 405.
   */
  staticMethods(path: string): string[] {
    const entry = this.entries.get(path);
    if (!entry || entry.segments.some((s) => s.includes(':') || s === '*')) return [];
    return [...entry.methods].sort();
  }

  /** Methods registered for a concrete path (query string already removed); empty when none matches. */
  allowedMethods(path: string): string[] {
    const segments = path.split('/');
    const found = new Set<string>();
    for (const entry of this.entries.values()) {
      if (matches(entry.segments, segments)) for (const m of entry.methods) found.add(m);
    }
    return [...found].sort();
  }
}

function matches(pattern: readonly string[], path: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    if (p === '*') return true;
    const s = path[i];
    if (s === undefined) return false;
    // A segment holding a parameter (`:id`, `:a-:b`, `:id(^\\d+)`) accepts any non-empty segment: close
    // enough for choosing between 404 and 405.
    if (p.includes(':')) {
      if (s === '') return false;
      continue;
    }
    if (p !== s) return false;
  }
  return pattern.length === path.length;
}
