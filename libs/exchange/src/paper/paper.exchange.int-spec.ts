import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Candle } from '@tb/strategies';
import { InsufficientFundsError, InvalidOrderError, OrderNotFoundError } from '../exchange.errors';
import type { ExchangeTicker } from '../exchange.types';
import { PaperExchangeFactory, type PaperExchangeDefaults } from './paper-exchange.factory';
import { CandleReplayFeed, TickerFeed } from './paper-price.feed';
import { paperSqlFromDataSource } from './paper-exchange.repository';
import { testEnv } from '../../../../test/support/test-env';

/*
 * The paper exchange on the real PostgreSQL (all migrations applied by the int globalSetup). Every test has its
 * own account id. Expected numbers are worked out by hand in the comments (Binance-like fees of PAPER_MARKETS:
 * spot 0.1% maker/taker, USDT-M 0.02% maker / 0.05% taker).
 */
const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const SPOT = 'BTC/USDT';
const PERP = 'BTC/USDT:USDT';

let ds: DataSource;

beforeAll(async () => {
  ds = new DataSource({ type: 'postgres', url: testEnv().DATABASE_URL, entities: [] });
  await ds.initialize();
});

afterAll(async () => {
  await ds?.destroy();
});

/** bar i of a 1h series */
const bar = (i: number, open: number, high: number, low: number, close: number): Candle => ({ time: T0 + i * H, open, high, low, close, volume: 1 });

function setup(candles: Record<string, Candle[]>, defaults: PaperExchangeDefaults = {}) {
  const feed = new CandleReplayFeed(candles, { barMs: H });
  const factory = new PaperExchangeFactory(paperSqlFromDataSource(ds), feed, { slippage: 0.001, clock: () => T0, ...defaults });
  const accountId = randomUUID();
  return { feed, factory, accountId, ex: factory.create(accountId) };
}

async function sql<T = Record<string, string>>(text: string, params: unknown[]): Promise<T[]> {
  return (await ds.query(text, params)) as T[];
}

async function expectError<E extends Error>(p: Promise<unknown>, type: new (...a: never[]) => E): Promise<E> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  return err as E;
}

describe('PaperExchange: market orders', () => {
  it('fill at the feed price worsened by slippage, charge the taker fee and move balances exactly', async () => {
    const { feed, ex, accountId } = setup({ [SPOT]: [bar(0, 59_000, 60_500, 58_800, 60_000)] });
    await feed.step(SPOT);

    // buy 0.01 at 60000 × 1.001 = 60060: cost 600.6, fee 0.6006 → USDT 10000 − 601.2006 = 9398.7994
    const buy = await ex.createOrder({ symbol: SPOT, type: 'market', side: 'buy', amount: 0.01, clientOrderId: 'mkt-buy-1' });
    expect(buy).toMatchObject({ status: 'closed', amount: 0.01, filled: 0.01, remaining: 0, average: 60_060, price: null, fee: { cost: 0.6006, currency: 'USDT' } });
    expect(buy.trades).toHaveLength(1);
    expect(buy.trades[0]).toMatchObject({ price: 60_060, amount: 0.01, cost: 600.6, fee: 0.6006, takerOrMaker: 'taker', timestamp: T0 + H });

    let bal = await ex.fetchBalance();
    expect(bal.assets.USDT).toEqual({ total: 9398.7994, used: 0, free: 9398.7994 });
    expect(bal.assets.BTC).toEqual({ total: 0.01, used: 0, free: 0.01 });

    // sell it back at 60000 × 0.999 = 59940: +599.4 − 0.5994 → 9997.6 (the round trip cost exactly 2.4)
    await ex.createOrder({ symbol: SPOT, type: 'market', side: 'sell', amount: 0.01, clientOrderId: 'mkt-sell-1' });
    bal = await ex.fetchBalance();
    expect(bal.assets.USDT.total).toBe(9997.6);
    expect(bal.assets.BTC).toBeUndefined();

    // what PostgreSQL holds is exact decimal text
    const balances = await sql(`SELECT currency, total::text AS total FROM paper_balances WHERE account_id = $1 ORDER BY currency`, [accountId]);
    expect(balances).toEqual([
      { currency: 'BTC', total: '0.00' },
      { currency: 'USDT', total: '9997.6000' },
    ]);
    const trades = await sql(`SELECT side, price::text AS price, amount::text AS amount, cost::text AS cost, fee::text AS fee FROM paper_trades WHERE account_id = $1 ORDER BY id`, [
      accountId,
    ]);
    expect(trades).toEqual([
      { side: 'buy', price: '60060', amount: '0.01', cost: '600.6', fee: '0.6006' },
      { side: 'sell', price: '59940', amount: '0.01', cost: '599.4', fee: '0.5994' },
    ]);
  });

  it('refuse to trade without a price (retryable) and below the minimum notional at the live price', async () => {
    const { feed, ex } = setup({ [SPOT]: [bar(0, 100, 100, 100, 100)] });
    const e = await expectError(ex.createOrder({ symbol: SPOT, type: 'market', side: 'buy', amount: 0.01, clientOrderId: 'no-price' }), Error);
    expect((e as { retryable?: boolean }).retryable).toBe(true);
    await feed.step(SPOT);
    // 0.01 × 100 = 1 USDT < 5 USDT minimum
    const small = await expectError(ex.createOrder({ symbol: SPOT, type: 'market', side: 'buy', amount: 0.01, clientOrderId: 'too-small' }), InvalidOrderError);
    expect(small.reason).toBe('below_min_cost');
    expect(await ex.fetchOrderByClientId(SPOT, 'too-small')).toBeNull();
  });
});

describe('PaperExchange: resting limit orders', () => {
  it('rest (reserving quote) and fill at the limit as maker only when a replayed bar trades through', async () => {
    const { feed, ex } = setup({
      [SPOT]: [
        bar(0, 60_000, 60_100, 59_900, 60_000),
        bar(1, 60_000, 60_100, 59_000, 59_800), // touches 59000 exactly: 'through' rule → no fill
        bar(2, 59_800, 59_900, 58_900, 59_200), // trades through 59000
      ],
    });
    await feed.step(SPOT);
    const o = await ex.createOrder({ symbol: SPOT, type: 'limit', side: 'buy', amount: 0.01, price: 59_000, clientOrderId: 'lim-1' });
    expect(o).toMatchObject({ status: 'open', filled: 0, remaining: 0.01, price: 59_000, average: null });
    // reservation 0.01 × 59000 × (1 + 0.001) = 590.59
    expect((await ex.fetchBalance()).assets.USDT).toEqual({ total: 10_000, used: 590.59, free: 9409.41 });

    await feed.step(SPOT);
    expect(await ex.advance(SPOT)).toEqual([]);
    expect((await ex.fetchOrderByClientId(SPOT, 'lim-1'))!.status).toBe('open');

    await feed.step(SPOT);
    const fills = await ex.advance(SPOT);
    // whole order at 59000, maker fee 0.59, stamped with the bar's open time
    expect(fills).toEqual([
      expect.objectContaining({ clientOrderId: 'lim-1', side: 'buy', price: 59_000, amount: 0.01, cost: 590, fee: 0.59, takerOrMaker: 'maker', timestamp: T0 + 2 * H }),
    ]);
    expect(await ex.fetchOrderByClientId(SPOT, 'lim-1')).toMatchObject({ status: 'closed', filled: 0.01, remaining: 0, average: 59_000 });
    const bal = await ex.fetchBalance();
    expect(bal.assets.USDT).toEqual({ total: 9409.41, used: 0, free: 9409.41 });
    expect(bal.assets.BTC.total).toBe(0.01);
    expect(await ex.fetchOpenOrders(SPOT)).toEqual([]);
  });

  it('a limit that is marketable when placed fills at once as taker, never worse than its limit', async () => {
    const { feed, ex } = setup({ [SPOT]: [bar(0, 60_000, 60_000, 60_000, 60_000)] });
    await feed.step(SPOT);
    // buy limit 61000 with the price at 60000: min(61000, 60000 × 1.001) = 60060, taker fee 0.6006
    const o = await ex.createOrder({ symbol: SPOT, type: 'limit', side: 'buy', amount: 0.01, price: 61_000, clientOrderId: 'mkt-lim' });
    expect(o).toMatchObject({ status: 'closed', average: 60_060, fee: { cost: 0.6006, currency: 'USDT' } });
  });

  it('a live ticker feed fills a resting limit when a poll sees the price cross it', async () => {
    let ticker: ExchangeTicker = { symbol: SPOT, last: 60_000, bid: null, ask: null, timestamp: T0 };
    const feed = new TickerFeed({ fetchTicker: async () => ticker });
    const ex = new PaperExchangeFactory(paperSqlFromDataSource(ds), feed, { slippage: 0 }).create(randomUUID());
    const buy = await ex.createOrder({ symbol: SPOT, type: 'market', side: 'buy', amount: 0.01, clientOrderId: 'tk-mkt' });
    expect(buy.average).toBe(60_000);
    await ex.createOrder({ symbol: SPOT, type: 'limit', side: 'sell', amount: 0.01, price: 60_500, clientOrderId: 'tk-lim' });
    ticker = { ...ticker, last: 60_500, timestamp: T0 + 1000 }; // reaches, does not cross
    expect(await ex.advance(SPOT)).toEqual([]);
    ticker = { ...ticker, last: 60_600, timestamp: T0 + 2000 };
    expect(await ex.advance(SPOT)).toEqual([expect.objectContaining({ clientOrderId: 'tk-lim', price: 60_500, takerOrMaker: 'maker', timestamp: T0 + 2000 })]);
    expect(await ex.advance(SPOT)).toEqual([]); // same tick again: nothing new
    // 10000 − 600 − 0.6 + 605 − 0.605 = 10003.795
    expect((await ex.fetchBalance()).assets.USDT.total).toBe(10_003.795);
  });
});

describe('PaperExchange: idempotency and cancel', () => {
  it('a clientOrderId still open is refused as duplicate; one order row; unknown ids are null', async () => {
    const { feed, ex, accountId } = setup({ [SPOT]: [bar(0, 60_000, 60_000, 60_000, 60_000)] });
    await feed.step(SPOT);
    const req = { symbol: SPOT, type: 'limit' as const, side: 'buy' as const, amount: 0.01, price: 58_000, clientOrderId: 'dup-1' };
    const first = await ex.createOrder(req);
    const dup = await expectError(ex.createOrder(req), InvalidOrderError);
    expect(dup.reason).toBe('duplicate_client_order_id');
    expect(dup.retryable).toBe(false);
    const rows = await sql(`SELECT count(*)::int AS n FROM paper_orders WHERE account_id = $1`, [accountId]);
    expect(rows[0]).toEqual({ n: 1 });
    expect(await ex.fetchOpenOrders()).toHaveLength(1);
    expect(await ex.fetchOrderByClientId(SPOT, 'never-sent')).toBeNull();

    // once terminal, the same clientOrderId returns that order again: never a second order
    await ex.cancelOrder({ symbol: SPOT, clientOrderId: 'dup-1' });
    const again = await ex.createOrder(req);
    expect(again).toMatchObject({ id: first.id, status: 'canceled' });
    expect((await sql(`SELECT count(*)::int AS n FROM paper_orders WHERE account_id = $1`, [accountId]))[0]).toEqual({ n: 1 });
  });

  it('cancel is idempotent, releases the reservation, and an unknown order is OrderNotFound', async () => {
    const { feed, ex } = setup({ [SPOT]: [bar(0, 60_000, 60_000, 60_000, 60_000)] });
    await feed.step(SPOT);
    await ex.createOrder({ symbol: SPOT, type: 'limit', side: 'buy', amount: 0.01, price: 58_000, clientOrderId: 'c-1' });
    expect((await ex.fetchBalance()).assets.USDT.used).toBe(580.58);
    const c1 = await ex.cancelOrder({ symbol: SPOT, clientOrderId: 'c-1' });
    const c2 = await ex.cancelOrder({ symbol: SPOT, clientOrderId: 'c-1' });
    expect(c1).toMatchObject({ status: 'canceled', filled: 0 });
    expect(c2).toEqual(c1);
    expect((await ex.fetchBalance()).assets.USDT).toEqual({ total: 10_000, used: 0, free: 10_000 });
    expect(await ex.fetchOrderByClientId(SPOT, 'c-1')).toMatchObject({ status: 'canceled' });
    await expectError(ex.cancelOrder({ symbol: SPOT, clientOrderId: 'c-unknown' }), OrderNotFoundError);
  });
});

describe('PaperExchange: refusals', () => {
  it('insufficient balance is InsufficientFundsError (not retryable) and writes nothing', async () => {
    const { feed, ex, accountId } = setup({ [SPOT]: [bar(0, 60_000, 60_000, 60_000, 60_000)] });
    await feed.step(SPOT);
    // 0.2 BTC × 60060 × 1.001 ≈ 12024 > 10000
    const e = await expectError(ex.createOrder({ symbol: SPOT, type: 'market', side: 'buy', amount: 0.2, clientOrderId: 'broke-1' }), InsufficientFundsError);
    expect(e.retryable).toBe(false);
    expect(e.code).toBe('EXCHANGE_INSUFFICIENT_FUNDS');
    // selling BTC the account does not have
    await expectError(ex.createOrder({ symbol: SPOT, type: 'limit', side: 'sell', amount: 0.01, price: 61_000, clientOrderId: 'broke-2' }), InsufficientFundsError);
    // two limits that each fit but not together: 0.1 × 59000 × 1.001 = 5905.9, twice = 11811.8
    await ex.createOrder({ symbol: SPOT, type: 'limit', side: 'buy', amount: 0.1, price: 59_000, clientOrderId: 'fits-1' });
    await expectError(ex.createOrder({ symbol: SPOT, type: 'limit', side: 'buy', amount: 0.1, price: 59_000, clientOrderId: 'fits-2' }), InsufficientFundsError);
    const rows = await sql(`SELECT client_order_id FROM paper_orders WHERE account_id = $1`, [accountId]);
    expect(rows).toEqual([{ client_order_id: 'fits-1' }]);
  });

  it('prepareOrder truncates to the step, rounds to the tick and refuses below-minimum orders with no row written', async () => {
    const { ex, accountId } = setup({});
    expect(ex.prepareOrder({ symbol: SPOT, type: 'limit', side: 'buy', amount: 0.012349, price: 59_999.996, clientOrderId: 'p-1' })).toMatchObject({
      amount: 0.01234,
      price: 60_000,
    });
    const tooFew = (() => {
      try {
        ex.prepareOrder({ symbol: SPOT, type: 'market', side: 'buy', amount: 0.000009, clientOrderId: 'p-2' });
      } catch (e) {
        return e;
      }
    })();
    expect(tooFew).toBeInstanceOf(InvalidOrderError);
    expect((tooFew as InvalidOrderError).reason).toBe('below_min_amount');
    // 0.00008 × 60000 = 4.8 < 5 USDT
    const cheap = await expectError(ex.createOrder({ symbol: SPOT, type: 'limit', side: 'buy', amount: 0.00008, price: 60_000, clientOrderId: 'p-3' }), InvalidOrderError);
    expect(cheap.reason).toBe('below_min_cost');
    // perp minimum notional is 100 USDT: 0.001 × 60000 = 60
    const perp = await expectError(ex.createOrder({ symbol: PERP, type: 'limit', side: 'buy', amount: 0.001, price: 60_000, clientOrderId: 'p-4' }), InvalidOrderError);
    expect(perp.reason).toBe('below_min_cost');
    await expectError(ex.createOrder({ symbol: SPOT, type: 'limit', side: 'buy', amount: 0.01, price: 60_000, clientOrderId: 'bad id with spaces' }), InvalidOrderError);
    expect(await sql(`SELECT id FROM paper_orders WHERE account_id = $1`, [accountId])).toEqual([]);
  });
});

describe('PaperExchange: perpetuals and reduce-only', () => {
  it('reduce-only never increases: clamped to the position, refused without one, resting TPs canceled when flat', async () => {
    const { feed, ex } = setup({ [PERP]: [bar(0, 60_000, 60_000, 60_000, 60_000)] }, { slippage: 0 });
    await feed.step(PERP);
    // long 0.01 at 60000: taker fee 600 × 0.0005 = 0.3; margin (1×) 600
    await ex.createOrder({ symbol: PERP, type: 'market', side: 'buy', amount: 0.01, clientOrderId: 'pl-open' });
    expect(await ex.fetchPositions()).toEqual([expect.objectContaining({ symbol: PERP, side: 'long', amount: 0.01, entryPrice: 60_000, leverage: 1 })]);
    expect((await ex.fetchBalance()).assets.USDT).toEqual({ total: 9999.7, used: 600, free: 9399.7 });
    // a resting reduce-only take-profit
    await ex.createOrder({ symbol: PERP, type: 'limit', side: 'sell', amount: 0.01, price: 62_000, reduceOnly: true, clientOrderId: 'pl-tp' });

    // reduce-only sell of 0.05 closes only the 0.01 held: fee 0.3 → 9999.4
    const close = await ex.createOrder({ symbol: PERP, type: 'market', side: 'sell', amount: 0.05, reduceOnly: true, clientOrderId: 'pl-close' });
    expect(close).toMatchObject({ status: 'closed', amount: 0.05, filled: 0.01 });
    expect(await ex.fetchPositions()).toEqual([]);
    expect(await ex.fetchOrderByClientId(PERP, 'pl-tp')).toMatchObject({ status: 'canceled' });
    expect((await ex.fetchBalance()).assets.USDT).toEqual({ total: 9999.4, used: 0, free: 9999.4 });

    // nothing left to reduce: refused, no row
    const e = await expectError(ex.createOrder({ symbol: PERP, type: 'market', side: 'sell', amount: 0.01, reduceOnly: true, clientOrderId: 'pl-again' }), InvalidOrderError);
    expect(e.reason).toBe('rejected');
    expect(await ex.fetchOrderByClientId(PERP, 'pl-again')).toBeNull();
    expect(await ex.fetchPositions()).toEqual([]);
  });
});

describe('PaperExchange: stop orders', () => {
  it('a reduce-only stop-loss triggers inside the bar at its trigger (worsened by slippage) and books the loss', async () => {
    const candles = { [PERP]: [bar(0, 60_000, 60_000, 60_000, 60_000), bar(1, 60_000, 60_200, 58_000, 58_500)] };
    const { feed, ex } = setup(candles, { slippage: 0.001 });
    await feed.step(PERP);
    // long 0.01 at 60000 × 1.001 = 60060: fee 600.6 × 0.0005 = 0.3003
    await ex.createOrder({ symbol: PERP, type: 'market', side: 'buy', amount: 0.01, clientOrderId: 'sl-open' });
    await ex.createOrder({ symbol: PERP, type: 'stop_market', side: 'sell', amount: 0.01, triggerPrice: 59_000, reduceOnly: true, clientOrderId: 'sl-stop' });
    expect(await ex.fetchOrderByClientId(PERP, 'sl-stop')).toMatchObject({ status: 'open', triggerPrice: 59_000 });
    await feed.step(PERP);
    const fills = await ex.advance(PERP);
    // 59000 × 0.999 = 58941: pnl (58941 − 60060) × 0.01 = −11.19, fee 589.41 × 0.0005 = 0.294705
    expect(fills).toEqual([expect.objectContaining({ clientOrderId: 'sl-stop', side: 'sell', price: 58_941, fee: 0.294705, takerOrMaker: 'taker' })]);
    // 10000 − 0.3003 − 11.19 − 0.294705 = 9988.214995
    expect((await ex.fetchBalance()).assets.USDT).toEqual({ total: 9988.214995, used: 0, free: 9988.214995 });
    expect(await ex.fetchPositions()).toEqual([]);
  });
});

describe('PaperExchange: restart', () => {
  it('a new instance for the same account sees the open orders and balances and keeps matching', async () => {
    const candles = {
      [SPOT]: [
        bar(0, 60_000, 60_000, 60_000, 60_000),
        bar(1, 60_000, 61_100, 58_900, 60_500), // both extremes 1100 away; net long → low first
      ],
    };
    const { feed, factory, accountId, ex } = setup(candles);
    const first = factory.create(accountId, { USDT: '10000', BTC: '0.02' });
    await feed.step(SPOT);
    await first.createOrder({ symbol: SPOT, type: 'limit', side: 'sell', amount: 0.02, price: 61_000, clientOrderId: 'r-sell' });
    await first.createOrder({ symbol: SPOT, type: 'limit', side: 'buy', amount: 0.01, price: 59_000, clientOrderId: 'r-buy' });
    await first.close();
    void ex;

    const second = factory.create(accountId);
    expect((await second.fetchOpenOrders(SPOT)).map((o) => o.clientOrderId)).toEqual(['r-sell', 'r-buy']);
    const bal = await second.fetchBalance();
    expect(bal.assets.USDT).toEqual({ total: 10_000, used: 590.59, free: 9409.41 });
    expect(bal.assets.BTC).toEqual({ total: 0.02, used: 0.02, free: 0 });

    await feed.step(SPOT);
    const fills = await second.advance(SPOT);
    // buy 0.01 @ 59000 (−590 − 0.59), then sell 0.02 @ 61000 (+1220 − 1.22)
    expect(fills.map((f) => [f.clientOrderId, f.side, f.price, f.amount, f.fee])).toEqual([
      ['r-buy', 'buy', 59_000, 0.01, 0.59],
      ['r-sell', 'sell', 61_000, 0.02, 1.22],
    ]);
    const after = await second.fetchBalance();
    expect(after.assets.USDT).toEqual({ total: 10_628.19, used: 0, free: 10_628.19 });
    expect(after.assets.BTC).toEqual({ total: 0.01, used: 0, free: 0.01 });

    // a third instance does not replay bars the account already consumed
    const third = factory.create(accountId);
    expect(await third.advance(SPOT)).toEqual([]);
    expect(await third.fetchMyTrades(SPOT)).toHaveLength(2);
  });

  it('a perp position survives a restart and closes with its entry price', async () => {
    const candles = { [PERP]: [bar(0, 60_000, 60_000, 60_000, 60_000), bar(1, 60_000, 61_200, 59_900, 61_000)] };
    const { feed, factory, accountId } = setup(candles, { slippage: 0 });
    const first = factory.create(accountId);
    await feed.step(PERP);
    await first.createOrder({ symbol: PERP, type: 'market', side: 'buy', amount: 0.01, clientOrderId: 'pp-open' });
    await first.close();

    const second = factory.create(accountId);
    expect(await second.fetchPositions([PERP])).toEqual([expect.objectContaining({ side: 'long', amount: 0.01, entryPrice: 60_000, markPrice: 60_000, unrealizedPnl: 0 })]);
    await feed.step(PERP);
    await second.advance(PERP);
    // close at 61000: pnl +10, fee 610 × 0.0005 = 0.305 → 10000 − 0.3 + 10 − 0.305 = 10009.395
    const close = await second.createOrder({ symbol: PERP, type: 'market', side: 'sell', amount: 0.01, reduceOnly: true, clientOrderId: 'pp-close' });
    expect(close).toMatchObject({ status: 'closed', filled: 0.01, average: 61_000 });
    expect(await second.fetchPositions()).toEqual([]);
    expect((await second.fetchBalance()).assets.USDT).toEqual({ total: 10_009.395, used: 0, free: 10_009.395 });
  });
});

describe('PaperExchange: fetchMyTrades', () => {
  it('returns every fill exactly once, oldest first, and honours since / limit', async () => {
    const candles = {
      [SPOT]: [
        bar(0, 60_000, 60_000, 60_000, 60_000),
        bar(1, 60_000, 60_000, 58_500, 59_500), // fills g-buy-1 @ 59000
        bar(2, 59_500, 59_600, 57_500, 58_000), // fills g-buy-2 @ 58000 (57500 < 58000)
        bar(3, 58_000, 60_600, 57_900, 60_400), // fills g-sell @ 60500 (60600 > 60500)
      ],
    };
    const { feed, ex } = setup(candles);
    await feed.step(SPOT);
    await ex.createOrder({ symbol: SPOT, type: 'market', side: 'buy', amount: 0.01, clientOrderId: 'g-mkt' }); // @ 60060, time T0+H
    await ex.createOrder({ symbol: SPOT, type: 'limit', side: 'buy', amount: 0.01, price: 59_000, clientOrderId: 'g-buy-1' });
    await ex.createOrder({ symbol: SPOT, type: 'limit', side: 'buy', amount: 0.01, price: 58_000, clientOrderId: 'g-buy-2' });
    for (let i = 0; i < 3; i++) {
      await feed.step(SPOT);
      await ex.advance(SPOT);
      expect(await ex.advance(SPOT)).toEqual([]); // a second poll of the same bar adds nothing
      // sell what was bought once the 0.03 BTC are there (a sell reserves base it must hold)
      if (i === 1) await ex.createOrder({ symbol: SPOT, type: 'limit', side: 'sell', amount: 0.03, price: 60_500, clientOrderId: 'g-sell' });
    }
    const trades = await ex.fetchMyTrades(SPOT);
    expect(trades.map((t) => [t.clientOrderId, t.price, t.timestamp])).toEqual([
      ['g-mkt', 60_060, T0 + H],
      ['g-buy-1', 59_000, T0 + H],
      ['g-buy-2', 58_000, T0 + 2 * H],
      ['g-sell', 60_500, T0 + 3 * H],
    ]);
    expect(new Set(trades.map((t) => t.id)).size).toBe(4);
    expect((await ex.fetchMyTrades(SPOT, T0 + 2 * H)).map((t) => t.clientOrderId)).toEqual(['g-buy-2', 'g-sell']);
    expect((await ex.fetchMyTrades(SPOT, undefined, 2)).map((t) => t.clientOrderId)).toEqual(['g-mkt', 'g-buy-1']);
  });
});

describe('PaperExchange: two processes on one account (books fenced by paper_accounts.version)', () => {
  it('an instance whose books another instance moved reloads them: funds reserved elsewhere are not spent twice', async () => {
    const { feed, factory, accountId } = setup({ [SPOT]: [bar(0, 60_000, 60_000, 60_000, 60_000)] });
    await feed.step(SPOT);
    const a = factory.create(accountId);
    const b = factory.create(accountId);
    expect((await b.fetchBalance()).assets.USDT.free).toBe(10_000); // b holds the books in memory from here on

    // a reserves 0.1 × 59000 × 1.001 = 5905.9 of the 10000; b may only use the other 4094.1
    await a.createOrder({ symbol: SPOT, type: 'limit', side: 'buy', amount: 0.1, price: 59_000, clientOrderId: 'two-a' });
    await expectError(b.createOrder({ symbol: SPOT, type: 'limit', side: 'buy', amount: 0.1, price: 59_000, clientOrderId: 'two-b' }), InsufficientFundsError);
    expect((await b.fetchBalance()).assets.USDT).toEqual({ total: 10_000, used: 5905.9, free: 4094.1 });
    // 0.06 × 59000 × 1.001 = 3543.54 fits
    await b.createOrder({ symbol: SPOT, type: 'limit', side: 'buy', amount: 0.06, price: 59_000, clientOrderId: 'two-b2' });
    expect((await a.fetchBalance()).assets.USDT).toEqual({ total: 10_000, used: 9449.44, free: 550.56 });
    expect((await a.fetchOpenOrders(SPOT)).map((o) => o.clientOrderId)).toEqual(['two-a', 'two-b2']);
  });

  it('a replay driven alternately by two instances walks each bar once and fills each order once', async () => {
    const { factory, accountId } = setup({});
    const a = factory.create(accountId);
    const b = factory.create(accountId);
    await a.startReplay(PERP, { leverage: 1, barMs: H });
    expect((await b.replayStatus(PERP))!.barTime).toBe(-1); // b's books: before any bar

    expect((await a.replayBar(PERP, bar(0, 60_000, 60_100, 59_900, 60_000))).barTime).toBe(T0);
    // b was loaded before bar 0 was walked: walking it again must be the no-op it is for a
    expect(await b.replayBar(PERP, bar(0, 60_000, 60_100, 59_900, 60_000))).toMatchObject({ barTime: T0, paused: false });
    await b.createOrder({ symbol: PERP, type: 'limit', side: 'buy', amount: 0.01, price: 59_500, clientOrderId: 'alt-buy' });
    // a walks bar 1 (low 59400 trades through 59500): the order b placed fills there, once, and the walk pauses at it
    const s1 = await a.replayBar(PERP, bar(1, 60_000, 60_000, 59_400, 59_800));
    expect(s1).toMatchObject({ barTime: T0 + H, paused: true, touched: ['alt-buy'] });
    const s2 = await b.resumeBar(PERP);
    expect(s2).toMatchObject({ barTime: T0 + H, paused: false });
    const trades = await sql<{ n: string }>(`SELECT count(*)::text AS n FROM paper_trades WHERE account_id = $1`, [accountId]);
    expect(trades).toEqual([{ n: '1' }]);
    const pos = await b.fetchPositions([PERP]);
    expect(pos.map((p) => [p.side, p.contracts, p.entryPrice])).toEqual([['long', 0.01, 59_500]]);
  });
});

describe('PaperExchange: a replayed liquidation is an order of the exchange', () => {
  it('reported as touched in walk order, closed and filled at the liquidation price, flagged `liquidation`', async () => {
    const { factory, accountId } = setup({});
    const ex = factory.create(accountId);
    await ex.startReplay(PERP, { leverage: 10, barMs: H });
    await ex.replayBar(PERP, bar(0, 60_000, 60_000, 60_000, 60_000));
    // market short 0.1 at the walk's price 60000 (after bar 0 closed): isolated 10x, margin 600
    await ex.createOrder({ symbol: PERP, type: 'market', side: 'sell', positionSide: 'short', amount: 0.1, clientOrderId: 'liq-short' });
    let s = await ex.replayBar(PERP, bar(1, 60_000, 60_000, 60_000, 60_000));
    while (s.paused) s = await ex.resumeBar(PERP);
    const [pos] = await ex.fetchPositions([PERP]);
    expect(pos.side).toBe('short');
    const entry = pos.entryPrice!;
    const liq = pos.liquidationPrice!;
    expect(liq).toBeGreaterThan(entry); // a short is liquidated above its entry
    // bar 2 rallies through the liquidation price: the walk pauses at the exchange's order
    s = await ex.replayBar(PERP, bar(2, 60_000, 70_000, 60_000, 69_000));
    expect(s.touched).toHaveLength(1);
    const id = s.touched[0];
    expect(id).toMatch(/^liq[0-9a-f]{29}$/);
    const order = (await ex.fetchOrderByClientId(PERP, id))!;
    expect(order).toMatchObject({ status: 'closed', side: 'buy', liquidation: true, reduceOnly: true, amount: 0.1, filled: 0.1 });
    expect(order.trades).toHaveLength(1);
    expect(order.trades[0].price).toBeCloseTo(liq, 6);
    expect(await ex.fetchPositions([PERP])).toEqual([]);
    // the client's own orders are never flagged
    expect((await ex.fetchOrderByClientId(PERP, 'liq-short'))!.liquidation).toBeUndefined();
  });
});

describe('PaperExchange: settling a replay whose walk ends', () => {
  const opened = async () => {
    const { factory, accountId } = setup({});
    const ex = factory.create(accountId);
    await ex.startReplay(PERP, { leverage: 1, barMs: H });
    await ex.replayBar(PERP, bar(0, 60_000, 60_000, 60_000, 60_000));
    await ex.createOrder({ symbol: PERP, type: 'limit', side: 'buy', amount: 0.01, price: 59_500, clientOrderId: 'st-buy' });
    // bar 1 fills the limit at 59500 and pauses there; the bar closes at 59800
    expect(await ex.replayBar(PERP, bar(1, 60_000, 60_000, 59_400, 59_800))).toMatchObject({ paused: true, touched: ['st-buy'] });
    return ex;
  };
  const closeLong = (ex: Awaited<ReturnType<typeof opened>>) =>
    ex.createOrder({ symbol: PERP, type: 'market', side: 'sell', positionSide: 'long', amount: 0.01, reduceOnly: true, clientOrderId: 'st-close' });

  it('after the last bar: a market order waiting for the next price fills at the last price walked', async () => {
    const ex = await opened();
    expect(await ex.resumeBar(PERP)).toMatchObject({ paused: false }); // bar 1 walked to its close, 59800
    await closeLong(ex); // the bot stops with "close the position": the market sell waits for the walk's next price
    expect((await ex.fetchOrderByClientId(PERP, 'st-close'))!.status).toBe('open');
    const settled = await ex.settleReplay(PERP);
    expect(settled.touched).toEqual(['st-close']);
    const close = (await ex.fetchOrderByClientId(PERP, 'st-close'))!;
    expect(close.status).toBe('closed');
    // at the last close, worsened by setup's 0.1% slippage: 59800 × 0.999 = 59740.2
    expect(close.trades.map((t) => t.price)).toEqual([59_740.2]);
    expect(await ex.fetchPositions([PERP])).toEqual([]);
  });

  it('in a paused bar: the walk goes on to the close, the order filling where the walk stood (as a backtest reaction)', async () => {
    const ex = await opened();
    await closeLong(ex);
    const settled = await ex.settleReplay(PERP);
    expect(settled).toMatchObject({ paused: false, touched: ['st-close'] });
    // at the paused point 59500 × 0.999 = 59440.5
    expect((await ex.fetchOrderByClientId(PERP, 'st-close'))!.trades.map((t) => t.price)).toEqual([59_440.5]);
    expect(await ex.fetchPositions([PERP])).toEqual([]);
  });
});
