import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCandleCsv } from '@tb/market';
import { gridStrategy, hyperrsiStrategy, type MarketSpec, type Strategy } from '@tb/strategies';
import { mulberry32 } from '../../../test/support/fake-exchange/fake-binance.faults';
import { applyInput, canonicalJson, entryHash, replayJournal, stateHash, type JournalEntry, type JournalInput } from './bot-journal';

/** The definition: JSON.stringify of a copy whose objects were rebuilt with their keys sorted (the journal's first form). */
const reference = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) sorted[k] = o[k];
    return sorted;
  });

const KEYS = ['a', 'b', 'Z', '_x', '10', '2', '0', '01', '-1', '1.5', '4294967294', '4294967295', 'é', 'key with "quote"', '', 'toJSON2'];

function randomValue(r: () => number, depth: number): unknown {
  const pick = r();
  if (depth > 3 || pick < 0.45) {
    const leaf = Math.floor(r() * 9);
    return [null, undefined, true, false, r() * 1e6 - 5e5, Math.floor(r() * 100), 'str\n"\\', Number.NaN, -0][leaf];
  }
  if (pick < 0.6) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  if (pick < 0.65) return new Float64Array([r(), r() * 10, 3]);
  if (pick < 0.68) return new Date(Math.floor(r() * 2e12));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 6); i > 0; i--) o[KEYS[Math.floor(r() * KEYS.length)]] = randomValue(r, depth + 1);
  return o;
}

function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).reverse()) out[k] = reversedKeys(o[k]);
  return out;
}

describe('canonicalJson (journal state hashes)', () => {
  it('writes exactly what the sorted-copy definition writes: integer-like keys first, undefined dropped, NaN as null, typed arrays as objects', () => {
    const tricky = { b: 1, a: [undefined, () => 1, Number.POSITIVE_INFINITY], '10': 'x', '2': { z: undefined, y: -0 }, t: new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), d: new Date(0) };
    expect(canonicalJson(tricky)).toBe(reference(tricky));
    // by hand: "2" and "10" first (numerically), then a, b, d, t (t's own keys "0".."10" numerically)
    expect(canonicalJson({ b: 1, '10': 2, a: 3, '2': 4 })).toBe('{"2":4,"10":2,"a":3,"b":1}');
  });

  it('equals the definition on 5,000 random nested values', () => {
    const r = mulberry32(20261204); // seeded: a failure names a reproducible case
    for (let i = 0; i < 5000; i++) {
      const v = randomValue(r, 0);
      expect(canonicalJson(v), `case ${i}`).toBe(reference(v));
    }
  });

  it('equals the definition on real HYPERRSI and GRID states, whatever order their keys were built in', () => {
    const { candles } = parseCandleCsv(readFileSync(resolve(__dirname, '../../../test/fixtures/candles/binance_BTC-USDT_1h_2024.csv'), 'utf8'));
    const market: MarketSpec = { symbol: 'BTC/USDT:USDT', type: 'perp', tickSize: 0.1, amountStep: 0.001, minAmount: 0.001, minNotional: 5 };
    for (const s of [hyperrsiStrategy, gridStrategy] as Array<Strategy<unknown, unknown>>) {
      let state = s.init({ botId: 'b', settings: s.parseSettings({}), market, timeframe: '1h' });
      for (const c of candles.slice(0, 300)) state = s.decide(state, c, market).state;
      const text = canonicalJson(state);
      expect(text).toBe(reference(state));
      // the same state with every object's keys in reverse order (as jsonb may give them back) writes the same text
      expect(canonicalJson(reversedKeys(state))).toBe(text);
    }
  });
});

describe('replayJournal and the entry hash', () => {
  it('replays a journal identically, and catches an edit at its entry even when the strategy state would not change', () => {
    const { candles } = parseCandleCsv(readFileSync(resolve(__dirname, '../../../test/fixtures/candles/binance_BTC-USDT_1h_2024.csv'), 'utf8'));
    const market: MarketSpec = { symbol: 'BTC/USDT:USDT', type: 'perp', tickSize: 0.1, amountStep: 0.001, minAmount: 0.001, minNotional: 5 };
    const strategy = hyperrsiStrategy as unknown as Strategy<unknown, unknown>;
    const inputs: JournalInput[] = [
      { kind: 'init', botId: 'b', settings: strategy.parseSettings({}), market, timeframe: '1h' },
      ...candles.slice(0, 50).map((candle): JournalInput => ({ kind: 'candle', candle, expire: null })),
    ];
    let state: unknown;
    const entries: JournalEntry[] = inputs.map((input, i) => {
      const r = applyInput(strategy, state, input, market);
      state = r.state;
      const h = stateHash(state);
      return { seq: i + 1, input, intents: r.intents, stateHash: h, entryHash: entryHash(input, r.intents, h) };
    });
    expect(replayJournal(strategy, entries)).toEqual({ identical: true, decisions: 51 });
    // the volume of candle 30: HYPERRSI does not read it, so replay alone would not see the edit; the entry hash does
    const edited = entries.map((e) => (e.seq === 31 && e.input.kind === 'candle' ? { ...e, input: { ...e.input, candle: { ...e.input.candle, volume: e.input.candle.volume + 1 } } } : e));
    expect(replayJournal(strategy, edited)).toMatchObject({ identical: false, seq: 31 });
    expect(replayJournal(strategy, edited.map((e) => ({ ...e, entryHash: null })))).toEqual({ identical: true, decisions: 51 });
  });
});
