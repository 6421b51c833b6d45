import { describe, expect, it } from 'vitest';
import type { MarketKey } from '../candles/market-key';
import { distinctFeeds, feedExchangeId } from './feed-registry';

describe('distinctFeeds', () => {
  it('keeps one feed per (exchange, symbol, timeframe), sorted by exchange, symbol, then timeframe length', () => {
    const bots: Array<MarketKey & { botId: string }> = [
      { botId: 'b1', exchange: 'binanceusdm', symbol: 'BTC/USDT:USDT', timeframe: '1h' },
      { botId: 'b2', exchange: 'binance', symbol: 'ETH/USDT', timeframe: '4h' },
      { botId: 'b3', exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' },
      { botId: 'b4', exchange: 'binanceusdm', symbol: 'BTC/USDT:USDT', timeframe: '1h' },
      { botId: 'b5', exchange: 'binance', symbol: 'ETH/USDT', timeframe: '15m' },
      { botId: 'b6', exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' },
      { botId: 'b7', exchange: 'okx', symbol: 'BTC/USDT', timeframe: '1d' },
    ];
    expect(distinctFeeds(bots)).toEqual([
      { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' },
      { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '15m' },
      { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '4h' },
      { exchange: 'binanceusdm', symbol: 'BTC/USDT:USDT', timeframe: '1h' },
      { exchange: 'okx', symbol: 'BTC/USDT', timeframe: '1d' },
    ]);
  });

  it('orders timeframes by length, not by text ("1d" after "4h", "5m" before "1h")', () => {
    const keys: MarketKey[] = (['1d', '4h', '1h', '5m'] as const).map((timeframe) => ({ exchange: 'binance', symbol: 'BTC/USDT', timeframe }));
    expect(distinctFeeds(keys).map((k) => k.timeframe)).toEqual(['5m', '1h', '4h', '1d']);
  });

  it('gives the same result whatever the input order', () => {
    const keys: MarketKey[] = [
      { exchange: 'bybit', symbol: 'SOL/USDT:USDT', timeframe: '5m' },
      { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' },
      { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' },
      { exchange: 'binance', symbol: 'BTC/USDC', timeframe: '1h' },
    ];
    const forward = distinctFeeds(keys);
    expect(forward).toHaveLength(3);
    expect(distinctFeeds([...keys].reverse())).toEqual(forward);
    expect(distinctFeeds([])).toEqual([]);
  });
});

describe('feedExchangeId', () => {
  it.each([
    ['paper', 'BTC/USDT', 'binance'],
    ['paper', 'BTC/USDT:USDT', 'binanceusdm'],
    ['okx', 'BTC/USDT:USDT', 'okx'],
    ['binance', 'ETH/USDT', 'binance'],
  ])('%s account, %s -> %s', (account, symbol, expected) => {
    expect(feedExchangeId(account, symbol)).toBe(expected);
  });
});
