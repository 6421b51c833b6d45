import { describe, expect, it } from 'vitest';
import { EMPTY_POSITION, applyFill, liquidationPriceEstimate, recomputePosition, unrealizedPnl } from './position.math';

describe('position math (exact decimals)', () => {
  it('averages entries and realizes PnL on a partial close (long), by hand', () => {
    // buy 1 @ 100, buy 3 @ 120 -> size 4, avg (100 + 360)/4 = 115
    let e = applyFill(EMPTY_POSITION, { side: 'buy', positionSide: 'long', amount: '1', price: '100', feeQuote: '0.1' });
    expect(e.opened).toBe(true);
    e = applyFill(e.state, { side: 'buy', positionSide: 'long', amount: '3', price: '120', feeQuote: '0.36' });
    expect(e.state).toMatchObject({ size: '4', averageEntry: '115', fees: '0.46' });
    // sell 1.5 @ 130 -> realized (130-115)*1.5 = 22.5
    e = applyFill(e.state, { side: 'sell', positionSide: 'long', amount: '1.5', price: '130', feeQuote: '0.195' });
    expect(e.realized).toBe('22.5');
    expect(e.state).toMatchObject({ size: '2.5', averageEntry: '115', realizedPnl: '22.5', fees: '0.655' });
    e = applyFill(e.state, { side: 'sell', positionSide: 'long', amount: '2.5', price: '110', feeQuote: '0' });
    expect(e.closed).toBe(true);
    expect(e.state.realizedPnl).toBe('10'); // 22.5 + (110-115)*2.5
  });

  it('short: profit when price falls', () => {
    let e = applyFill(EMPTY_POSITION, { side: 'sell', positionSide: 'short', amount: '2', price: '50', feeQuote: '0' });
    e = applyFill(e.state, { side: 'buy', positionSide: 'short', amount: '2', price: '40', feeQuote: '0' });
    expect(e.realized).toBe('20');
    expect(e.closed).toBe(true);
  });

  it('no float drift: 0.1 + 0.2 stays exact', () => {
    let s = EMPTY_POSITION;
    s = applyFill(s, { side: 'buy', positionSide: 'long', amount: '0.1', price: '3', feeQuote: '0.1' }).state;
    s = applyFill(s, { side: 'buy', positionSide: 'long', amount: '0.2', price: '3', feeQuote: '0.2' }).state;
    expect(s.size).toBe('0.3');
    expect(s.fees).toBe('0.3');
  });

  it('clamps a reduce beyond the position and reports the excess', () => {
    const open = applyFill(EMPTY_POSITION, { side: 'buy', positionSide: 'long', amount: '1', price: '10', feeQuote: '0' }).state;
    const e = applyFill(open, { side: 'sell', positionSide: 'long', amount: '1.5', price: '12', feeQuote: '0' });
    expect(e.state.size).toBe('0');
    expect(e.excess).toBe('0.5');
    expect(e.realized).toBe('2');
  });

  it('recompute restarts the lifecycle after flat', () => {
    const s = recomputePosition([
      { side: 'buy', positionSide: 'long', amount: 1, price: 10, feeQuote: 0 },
      { side: 'sell', positionSide: 'long', amount: 1, price: 11, feeQuote: 0 },
      { side: 'buy', positionSide: 'long', amount: 2, price: 20, feeQuote: 0.5 },
    ]);
    expect(s).toEqual({ size: '2', averageEntry: '20', realizedPnl: '0', fees: '0.5', fillCount: 1 });
  });

  it('unrealized PnL and liquidation estimate', () => {
    const s = { size: '2', averageEntry: '100', realizedPnl: '0', fees: '0', fillCount: 1 };
    expect(unrealizedPnl(s, 'long', 110)).toBe('20');
    expect(unrealizedPnl(s, 'short', 110)).toBe('-20');
    // long 10x, mmr 0.5%: 100 * (1 - 0.1 + 0.005) = 90.5
    expect(liquidationPriceEstimate(s, 'long', 10)).toBe('90.5');
    expect(liquidationPriceEstimate(s, 'short', 10)).toBe('109.5');
    expect(liquidationPriceEstimate(s, 'long', 1)).toBeNull();
  });
});
