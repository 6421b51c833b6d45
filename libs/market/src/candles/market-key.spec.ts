import { describe, it, expect } from 'vitest';
import { parseMarketKey } from './market-key';

describe('parseMarketKey', () => {
  it('normalises exchange, symbol and timeframe', () => {
    expect(parseMarketKey({ exchange: ' Binance ', symbol: 'btc/usdt', timeframe: '1H' })).toEqual({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' });
    expect(parseMarketKey({ exchange: 'bybit', symbol: 'BTC/USDT:USDT', timeframe: '240' })).toEqual({ exchange: 'bybit', symbol: 'BTC/USDT:USDT', timeframe: '4h' });
  });
  it('rejects malformed values', () => {
    expect(() => parseMarketKey({ exchange: 'binance', symbol: 'BTCUSDT', timeframe: '1h' })).toThrow(/invalid symbol/);
    expect(() => parseMarketKey({ exchange: 'bin ance', symbol: 'BTC/USDT', timeframe: '1h' })).toThrow(/invalid exchange/);
    expect(() => parseMarketKey({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '7m' })).toThrow(/unknown timeframe/);
  });
});
