import { describe, expect, it } from 'vitest';
import { combineFees, precisionToStep, toCandles, toExchangeBalance, toExchangeMarket, toExchangeOrder, toExchangePosition, toExchangeTrade, toOrderStatus } from './ccxt.mappers';

const TICK_SIZE = 4;
const DECIMAL_PLACES = 2;

describe('toExchangeMarket', () => {
  it('maps a spot market (tick-size precision)', () => {
    const m = toExchangeMarket(
      { id: 'BTCUSDT', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', type: 'spot', spot: true, active: true, precision: { amount: 0.00001, price: 0.01 }, limits: { amount: { min: 0.00001, max: 9000 }, price: { min: 0.01, max: 1e6 }, cost: { min: 5, max: 9e6 } }, maker: 0.001, taker: 0.001 },
      TICK_SIZE,
    );
    expect(m).toMatchObject({ symbol: 'BTC/USDT', type: 'spot', tickSize: 0.01, amountStep: 0.00001, minAmount: 0.00001, minNotional: 5, contractSize: 1, maxAmount: 9000, makerFee: 0.001 });
  });

  it('converts a perpetual from contracts to base units', () => {
    // okx-like BTC-USDT-SWAP: 1 contract = 0.01 BTC, lot 0.1 contract, min 0.1 contract
    const m = toExchangeMarket(
      { id: 'BTC-USDT-SWAP', symbol: 'BTC/USDT:USDT', base: 'BTC', quote: 'USDT', settle: 'USDT', type: 'swap', swap: true, contractSize: 0.01, precision: { amount: 0.1, price: 0.1 }, limits: { amount: { min: 0.1, max: 1000 }, cost: {} } },
      TICK_SIZE,
    );
    expect(m).toMatchObject({ type: 'perp', contractSize: 0.01, amountStep: 0.001, minAmount: 0.001, maxAmount: 10, tickSize: 0.1, minNotional: 0, settle: 'USDT' });
  });

  it('turns decimal places into steps; skips futures/options and markets without precision', () => {
    expect(precisionToStep(3, 'decimal_places')).toBe(0.001);
    expect(precisionToStep(0, 'decimal_places')).toBe(1);
    const dp = toExchangeMarket({ id: 'X', symbol: 'X/Y', base: 'X', quote: 'Y', spot: true, precision: { amount: 2, price: 4 }, limits: {} }, DECIMAL_PLACES);
    expect(dp).toMatchObject({ amountStep: 0.01, tickSize: 0.0001, minAmount: 0.01, precision: { mode: 'decimal_places' } });
    expect(toExchangeMarket({ id: 'F', symbol: 'BTC/USDT:USDT-250328', base: 'BTC', quote: 'USDT', type: 'future', precision: { amount: 1, price: 1 }, limits: {} }, TICK_SIZE)).toBeNull();
    expect(toExchangeMarket({ id: 'N', symbol: 'N/A', base: 'N', quote: 'A', spot: true, precision: {}, limits: {} }, TICK_SIZE)).toBeNull();
  });
});

describe('toExchangeOrder', () => {
  it('normalises a partially filled order and keeps our clientOrderId over the parsed one', () => {
    const o = toExchangeOrder(
      { id: '42', clientOrderId: 'cancel-42', symbol: 'BTC/USDT', type: 'limit', side: 'buy', status: 'canceled', price: 100, average: 99.5, amount: 2, filled: 0.5, remaining: 1.5, timestamp: 1, fees: [{ cost: 0.0002, currency: 'BTC' }, { cost: 0.0003, currency: 'BTC' }], trades: [{ id: 't1', price: 99.5, amount: 0.5, fee: { cost: 0.0005, currency: 'BTC' } }] },
      1,
      'tbOurs',
    );
    expect(o).toMatchObject({ id: '42', clientOrderId: 'tbOurs', status: 'canceled', amount: 2, filled: 0.5, remaining: 1.5, price: 100, average: 99.5, fee: { cost: 0.0005, currency: 'BTC' } });
    expect(o.trades[0]).toMatchObject({ id: 't1', orderId: '42', clientOrderId: 'tbOurs', symbol: 'BTC/USDT', amount: 0.5, fee: 0.0005, feeCurrency: 'BTC' });
  });

  it('dates embedded executions (no time, no side on Binance FULL answers) at the order\'s trade time, on its side', () => {
    const fills = [{ id: '7', price: 60_000, amount: 0.001 }];
    const sell = toExchangeOrder({ id: '9', symbol: 'BTC/USDT', side: 'sell', status: 'closed', amount: 0.001, filled: 0.001, timestamp: 1_700_000_000_123, trades: fills });
    expect(sell.trades[0]).toMatchObject({ id: '7', side: 'sell', timestamp: 1_700_000_000_123 });
    const later = toExchangeOrder({ id: '9', side: 'buy', amount: 1, filled: 1, timestamp: 5, lastTradeTimestamp: 8, trades: [...fills, { id: '8', price: 1, amount: 1, timestamp: 6, side: 'buy' }] });
    expect(later.trades.map((t) => t.timestamp)).toEqual([8, 6]);
  });

  it('scales contracts, infers a missing status and a missing remaining', () => {
    const o = toExchangeOrder({ id: '1', clientOrderId: 'c', symbol: 'BTC/USDT:USDT', side: 'sell', amount: 30, filled: 30, price: 0 }, 0.01);
    expect(o).toMatchObject({ side: 'sell', amount: 0.3, filled: 0.3, remaining: 0, status: 'closed', price: null, average: null, fee: null });
    expect(toExchangeOrder({ id: '2', amount: 3, filled: 1, average: 5 }).status).toBe('open');
  });

  it('maps every ccxt status', () => {
    expect(['open', 'canceling', 'closed', 'canceled', 'cancelled', 'expired', 'rejected'].map((s) => toOrderStatus(s, 1, 0))).toEqual(['open', 'open', 'closed', 'canceled', 'canceled', 'expired', 'rejected']);
  });
});

describe('fees, trades, balances, positions, candles', () => {
  it('sums fees of one currency, else keeps the first', () => {
    expect(combineFees([{ cost: 0.1, currency: 'USDT' }, { cost: 0.2, currency: 'USDT' }])).toEqual({ cost: 0.3, currency: 'USDT' });
    expect(combineFees([{ cost: 1, currency: 'BNB' }, { cost: 2, currency: 'USDT' }])).toEqual({ cost: 1, currency: 'BNB' });
    expect(combineFees([])).toBeNull();
  });

  it('maps a trade, computing a missing cost', () => {
    expect(toExchangeTrade({ id: '9', order: '42', symbol: 'ETH/USDT', side: 'sell', price: '3000.5', amount: '0.2', takerOrMaker: 'maker', timestamp: 7 }, 1, 'c1')).toEqual({
      id: '9', orderId: '42', clientOrderId: 'c1', symbol: 'ETH/USDT', side: 'sell', price: 3000.5, amount: 0.2, cost: 600.1, fee: 0, feeCurrency: null, takerOrMaker: 'maker', timestamp: 7,
    });
  });

  it('drops empty balances', () => {
    expect(toExchangeBalance({ free: { USDT: 90, BTC: 0 }, used: { USDT: 10, BTC: 0 }, total: { USDT: 100, BTC: 0 }, timestamp: 5 })).toEqual({ timestamp: 5, assets: { USDT: { free: 90, used: 10, total: 100 } } });
  });

  it('maps positions in base units and skips flat ones', () => {
    expect(toExchangePosition({ symbol: 'BTC/USDT:USDT', side: 'short', contracts: 12, contractSize: 0.01, entryPrice: 60000, leverage: 5, marginMode: 'isolated' })).toMatchObject({ side: 'short', amount: 0.12, contracts: 12, entryPrice: 60000, leverage: 5, marginMode: 'isolated', markPrice: null });
    expect(toExchangePosition({ symbol: 'X', side: 'long', contracts: 0 })).toBeNull();
  });

  it('maps OHLCV rows', () => {
    expect(toCandles([[1000, 1, 2, 0.5, 1.5, 10]])).toEqual([{ time: 1000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 }]);
  });
});
