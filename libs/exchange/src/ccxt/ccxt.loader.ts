import { createRequire } from 'node:module';
import type * as CcxtModule from 'ccxt';

export type Ccxt = typeof CcxtModule;
export type CcxtClient = CcxtModule.Exchange;

let cached: Ccxt | undefined;

/**
 * ccxt is loaded on first use, not on import: `require('ccxt')` costs ≈ 0.3 s and ≈ 60 MB, and most
 * importers of @tb/exchange (types, the port, the cipher) never need it.
 */
export function loadCcxt(): Ccxt {
  if (!cached) cached = createRequire(__filename)('ccxt') as Ccxt;
  return cached;
}

/** Whether ccxt has been loaded in this process (the worker loads it ahead of the first candle close). */
export function isCcxtLoaded(): boolean {
  return cached !== undefined;
}
