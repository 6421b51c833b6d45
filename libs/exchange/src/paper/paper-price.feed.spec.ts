import { describe, expect, it } from 'vitest';
import type { Candle } from '@tb/strategies';
import { CandleReplayFeed, TickerFeed } from './paper-price.feed';

const H = 3_600_000;
const c = (i: number, close: number): Candle => ({ time: i * H, open: close, high: close, low: close, close, volume: 1 });
const series = [c(0, 100), c(1, 101), c(2, 102), c(3, 103)];

describe('CandleReplayFeed', () => {
  it('has no price before the first step, then the current bar close stamped at its close time', async () => {
    const feed = new CandleReplayFeed({ X: series }, { barMs: H });
    expect(await feed.latest('X')).toBeNull();
    expect(await feed.barsSince('X', -Infinity)).toEqual([]);
    expect(await feed.step('X')).toEqual(series[0]);
    expect(await feed.latest('X')).toEqual({ time: H, price: 100 });
    await feed.step('X', 2);
    expect(await feed.latest('X')).toEqual({ time: 3 * H, price: 102 });
  });

  it('barsSince returns the bars after a time up to the cursor, never beyond it', async () => {
    const feed = new CandleReplayFeed({ X: series });
    await feed.step('X', 3); // cursor on bar 2
    expect(await feed.barsSince('X', -Infinity)).toEqual(series.slice(0, 3));
    expect(await feed.barsSince('X', 0)).toEqual(series.slice(1, 3));
    expect(await feed.barsSince('X', 2 * H)).toEqual([]);
  });

  it('stops at the end, seeks by time, and keeps symbols apart', async () => {
    const feed = new CandleReplayFeed({ X: series, Y: [c(0, 7)] });
    expect(await feed.step('X', 10)).toBeNull();
    expect(await feed.current('X')).toEqual(series[3]);
    expect(await feed.seek('X', H + 5)).toEqual(series[1]);
    expect(await feed.latest('Y')).toBeNull();
    expect(await feed.latest('Z')).toBeNull();
  });

  it('loads from a loader function once per symbol and rejects unordered candles', async () => {
    let calls = 0;
    const feed = new CandleReplayFeed(async () => {
      calls++;
      return series;
    });
    await feed.step('X');
    await feed.step('X');
    expect(calls).toBe(1);
    const bad = new CandleReplayFeed({ X: [c(1, 1), c(0, 1)] });
    await expect(bad.step('X')).rejects.toThrow(RangeError);
  });
});

describe('TickerFeed', () => {
  it('uses last, else the bid/ask mid, stamped by the ticker or the clock', async () => {
    const tickers = [
      { symbol: 'X', last: 10, bid: 9, ask: 11, timestamp: 5 },
      { symbol: 'X', last: null, bid: 9, ask: 10, timestamp: null },
      { symbol: 'X', last: null, bid: null, ask: 10, timestamp: 1 },
    ];
    let i = 0;
    const feed = new TickerFeed({ fetchTicker: async () => tickers[i++] }, () => 42);
    expect(await feed.latest('X')).toEqual({ time: 5, price: 10 });
    expect(await feed.latest('X')).toEqual({ time: 42, price: 9.5 });
    expect(await feed.latest('X')).toBeNull();
  });

  it('shares one fetch per symbol among callers arriving while it is under way, and fetches again after it', async () => {
    const asked: string[] = [];
    const release: Array<() => void> = [];
    let price = 100;
    const feed = new TickerFeed({
      fetchTicker: (symbol: string) => {
        asked.push(symbol);
        const p = price;
        return new Promise((res) => release.push(() => res({ symbol, last: p, bid: null, ask: null, timestamp: 7 })));
      },
    } as never);
    const a = feed.latest('X');
    const b = feed.latest('X');
    const y = feed.latest('Y');
    expect(asked).toEqual(['X', 'Y']); // one request for X's two callers, one for Y
    price = 200;
    for (const r of release.splice(0)) r();
    expect(await a).toEqual({ time: 7, price: 100 });
    expect(await b).toEqual({ time: 7, price: 100 });
    expect(await y).toEqual({ time: 7, price: 100 });
    const c2 = feed.latest('X'); // the earlier fetch is over: a new one, with the new price
    expect(asked).toEqual(['X', 'Y', 'X']);
    release.splice(0)[0]();
    expect(await c2).toEqual({ time: 7, price: 200 });
  });

  it('a failed fetch fails its callers and is not kept', async () => {
    let n = 0;
    const feed = new TickerFeed({
      fetchTicker: async (symbol: string) => {
        if (n++ === 0) throw new Error('down');
        return { symbol, last: 5, bid: null, ask: null, timestamp: 1 };
      },
    } as never);
    await expect(feed.latest('X')).rejects.toThrow('down');
    expect(await feed.latest('X')).toEqual({ time: 1, price: 5 });
  });
});
