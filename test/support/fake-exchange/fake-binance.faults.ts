/**
 * Fault injection for the fake Binance server: scripted (the next N matching calls) or random (a per-call
 * probability from a seeded PRNG, so a chaos run is reproducible).
 *
 * Kinds:
 * - '429' / '418': rate limit / IP ban, with a Retry-After header (seconds) — the request is NOT processed;
 * - '500' / '502' / '503' / '504': server errors — NOT processed;
 * - 'timeout': the socket is held open without an answer (the client times out) — NOT processed;
 * - 'reset': the connection is destroyed before processing — NOT processed;
 * - 'lost-response': the request IS processed (an order is created) and then the socket is destroyed;
 * - 'lost-response-timeout': processed, then held until the client times out.
 */

export type FaultKind = '429' | '418' | '500' | '502' | '503' | '504' | 'timeout' | 'reset' | 'lost-response' | 'lost-response-timeout';

export interface ScriptedFault {
  kind: FaultKind;
  /** 'POST /api/v3/order', a prefix such as '/api/v3/' or 'POST ', or a RegExp over 'METHOD /path'. Default: any call. */
  endpoint?: string | RegExp;
  /** how many matching calls get this fault (default 1) */
  times?: number;
  /** Retry-After seconds for 429/418 (default 1) */
  retryAfterSec?: number;
}

export interface RandomFaults {
  probability: number; // 0..1 per matching call
  kinds: FaultKind[];
  endpoint?: string | RegExp;
  seed?: number;
  retryAfterSec?: number;
}

export interface FaultDecision {
  kind: FaultKind;
  retryAfterSec: number;
}

export function endpointMatches(pattern: string | RegExp | undefined, key: string): boolean {
  if (pattern === undefined) return true;
  if (pattern instanceof RegExp) return pattern.test(key);
  if (pattern === key) return true;
  const [, path] = key.split(' ');
  return key.startsWith(pattern) || path === pattern || path.startsWith(pattern);
}

/** mulberry32: a tiny seeded PRNG (deterministic chaos). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultPlan {
  private scripted: Array<Required<Omit<ScriptedFault, 'endpoint'>> & { endpoint?: string | RegExp }> = [];
  private random: (RandomFaults & { rng: () => number }) | null = null;
  /** faults injected so far, per kind */
  readonly injected = new Map<FaultKind, number>();

  /** Script a fault for the next `times` calls matching `endpoint`. Scripts are consumed in FIFO order. */
  inject(f: ScriptedFault): void {
    this.scripted.push({ kind: f.kind, endpoint: f.endpoint, times: f.times ?? 1, retryAfterSec: f.retryAfterSec ?? 1 });
  }

  setRandom(r: RandomFaults | null): void {
    this.random = r ? { ...r, rng: mulberry32(r.seed ?? 1) } : null;
  }

  clear(): void {
    this.scripted = [];
    this.random = null;
  }

  /** Decide the fault (if any) for one call to 'METHOD /path'. */
  next(key: string): FaultDecision | null {
    const i = this.scripted.findIndex((s) => endpointMatches(s.endpoint, key));
    if (i >= 0) {
      const s = this.scripted[i];
      s.times -= 1;
      if (s.times <= 0) this.scripted.splice(i, 1);
      return this.count({ kind: s.kind, retryAfterSec: s.retryAfterSec });
    }
    const r = this.random;
    if (r && endpointMatches(r.endpoint, key) && r.rng() < r.probability) {
      const kind = r.kinds[Math.floor(r.rng() * r.kinds.length)];
      return this.count({ kind, retryAfterSec: r.retryAfterSec ?? 1 });
    }
    return null;
  }

  private count(d: FaultDecision): FaultDecision {
    this.injected.set(d.kind, (this.injected.get(d.kind) ?? 0) + 1);
    return d;
  }
}
