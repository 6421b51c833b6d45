import { describe, expect, it } from 'vitest';
import { gridStrategy, type GridState, type MarketSpec } from '@tb/strategies';
import type { OrderEntity } from '@tb/orders';
import { gridLevels, levelOfGridKey } from './grid-levels';

const MARKET: MarketSpec = { symbol: 'T/USDT:USDT', type: 'perp', tickSize: 0.01, amountStep: 0.001, minAmount: 0.001, minNotional: 5 };

let seq = 0;
const order = (o: Partial<OrderEntity> & Pick<OrderEntity, 'intentKey' | 'tag' | 'side'>): OrderEntity =>
  ({ positionSide: 'long', status: 'FILLED', price: null, amount: '1', filled: '0', averagePrice: null, fee: '0', createdAt: new Date(Date.UTC(2025, 0, 1) + seq * 1000), actionSeq: String(++seq), ...o }) as OrderEntity;

describe('grid levels', () => {
  it('reads the level of every grid order key', () => {
    expect(levelOfGridKey('bot:1735689600000:open:5')).toBe(5);
    expect(levelOfGridKey('bot:1735689600000:tp:12')).toBe(12);
    expect(levelOfGridKey('bot:1735689600000:open:5>tp:5')).toBe(5);
    expect(levelOfGridKey('bot:1735689600000:open:5>rearm:4:17')).toBe(4);
    expect(levelOfGridKey('bot:1735689600000:adj3:open:7')).toBe(7);
    expect(levelOfGridKey('bot:1735689600000:close:0')).toBeNull();
    expect(levelOfGridKey('manual:123')).toBeNull();
  });

  it("a level's grid profit: take-profit fills matched FIFO against its entries, net of both fees, in decimals", () => {
    const state: GridState = gridStrategy.init({ botId: 'b', settings: gridStrategy.parseSettings({ mode: 'range', direction: 'long', lowerPrice: 100, upperPrice: 200, gridNum: 10 }), market: MARKET, timeframe: '1h' });
    // level 2 (120): two entries of 0.3 @ 120 (fee 0.0072 each: 0.024 per unit), then take-profits @ 130:
    //   0.2 closes 0.2 of the first entry: (130 − 120) × 0.2 − 0.2 × 0.024 − 0.0052 = 2 − 0.0048 − 0.0052 = 1.99
    //   0.4 closes 0.1 of the first and 0.3 of the second: 10 × 0.4 − 0.4 × 0.024 − 0.0104 = 4 − 0.0096 − 0.0104 = 3.98
    // level 2 profit 1.99 + 3.98 = 5.97; 2 entries filled. Level 3's entry never filled: no history.
    const orders = [
      order({ intentKey: 'b:1:open:2', tag: 'grid_open', side: 'buy', filled: '0.3', averagePrice: '120', fee: '0.0072' }),
      order({ intentKey: 'b:1:open:2>tp:2', tag: 'grid_tp', side: 'sell', filled: '0.2', averagePrice: '130', fee: '0.0052', status: 'CANCELED' }),
      order({ intentKey: 'b:1:open:2>rearm:2:1', tag: 'grid_open', side: 'buy', filled: '0.3', averagePrice: '120', fee: '0.0072' }),
      order({ intentKey: 'b:1:open:2>tp:2:2', tag: 'grid_tp', side: 'sell', filled: '0.4', averagePrice: '130', fee: '0.0104' }),
      order({ intentKey: 'b:2:open:3', tag: 'grid_open', side: 'buy', status: 'OPEN' }),
    ];
    const levels = gridLevels(state, orders);
    expect(levels.map((l) => l.level)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(levels[2]).toMatchObject({ price: 120, state: 'idle', side: null, filledCount: 2, realizedProfit: '5.97', order: null, takeProfit: null, inGrid: true });
    expect(levels[3]).toMatchObject({ filledCount: 0, realizedProfit: '0' });
  });
});
