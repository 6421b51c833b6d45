import { createHash } from 'node:crypto';
import type { ExchangeMarket } from '../exchange.types';
import type { CcxtClient } from './ccxt.loader';

/** One shared ccxt instance per exchange + account, with its market cache and time-sync state. */
export interface CcxtClientEntry {
  readonly key: string;
  readonly fingerprint: string;
  readonly client: CcxtClient;
  markets: ReadonlyMap<string, ExchangeMarket> | null;
  marketsLoadedAt: number;
  marketsLoading: Promise<ReadonlyMap<string, ExchangeMarket>> | null;
  timeSyncedAt: number;
  /** exchange order id -> our clientOrderId, to label trades (bounded) */
  readonly clientIdByOrderId: Map<string, string>;
  refCount: number;
}

/** A one-way digest of whatever defines the instance (credentials included) — the raw values are not kept. */
export function clientFingerprint(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * Keeps ccxt instances few (each costs memory and carries its own rate limiter: two instances for one
 * account would each think they have the whole budget). Keyed by `${exchangeId}:${accountId}`. A changed
 * fingerprint (rotated key, other urls) replaces the instance.
 */
export class CcxtClientRegistry {
  private readonly entries = new Map<string, CcxtClientEntry>();

  acquire(exchangeId: string, accountId: string, fingerprint: string, create: () => CcxtClient): CcxtClientEntry {
    const key = `${exchangeId}:${accountId}`;
    const existing = this.entries.get(key);
    if (existing && existing.fingerprint === fingerprint) {
      existing.refCount += 1;
      return existing;
    }
    const entry: CcxtClientEntry = {
      key,
      fingerprint,
      client: create(),
      markets: null,
      marketsLoadedAt: 0,
      marketsLoading: null,
      timeSyncedAt: 0,
      clientIdByOrderId: new Map(),
      refCount: 1,
    };
    this.entries.set(key, entry);
    return entry;
  }

  release(entry: CcxtClientEntry): void {
    entry.refCount -= 1;
    if (entry.refCount <= 0 && this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
  }

  get size(): number {
    return this.entries.size;
  }

  has(exchangeId: string, accountId: string): boolean {
    return this.entries.has(`${exchangeId}:${accountId}`);
  }
}

/** The process-wide registry used unless one is injected. */
export const defaultCcxtClientRegistry = new CcxtClientRegistry();
