import { describe, expect, it } from 'vitest';
import { isPerpSymbol, symbolForMarket } from './market-symbol';

describe('market symbols', () => {
  it('a perpetual carries its settle currency after ":"', () => {
    expect(isPerpSymbol('BTC/USDT:USDT')).toBe(true);
    expect(isPerpSymbol('BTC/USDT')).toBe(false);
  });

  it('maps a pair to its spot or perp market', () => {
    expect(symbolForMarket('BTC/USDT', 'perp')).toBe('BTC/USDT:USDT');
    expect(symbolForMarket('ETH/BTC', 'perp')).toBe('ETH/BTC:BTC');
    expect(symbolForMarket('BTC/USDT:USDT', 'perp')).toBe('BTC/USDT:USDT');
    expect(symbolForMarket('BTC/USDT:USDT', 'spot')).toBe('BTC/USDT');
    expect(symbolForMarket('BTC/USDT', 'spot')).toBe('BTC/USDT');
  });
});

describe('isOpeningOrder', () => {
  it('buying into a long or selling into a short opens, unless reduce-only; the rest reduces', async () => {
    const { isOpeningOrder } = await import('./order-side');
    expect(isOpeningOrder({ side: 'buy', positionSide: 'long', reduceOnly: false })).toBe(true);
    expect(isOpeningOrder({ side: 'sell', positionSide: 'short' })).toBe(true);
    expect(isOpeningOrder({ side: 'sell', positionSide: 'long', reduceOnly: false })).toBe(false);
    expect(isOpeningOrder({ side: 'buy', positionSide: 'short', reduceOnly: false })).toBe(false);
    expect(isOpeningOrder({ side: 'buy', positionSide: 'long', reduceOnly: true })).toBe(false);
  });
});
