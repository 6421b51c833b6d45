import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Test, type TestingModule } from '@nestjs/testing';
import { TbConfigModule } from '@tb/config';
import { RequestContextModule } from '@tb/common';
import { DatabaseModule } from '@tb/database';
import { CandleReplayFeed, PaperExchange, PaperPriceFeedResolver, PublicTickerFeedResolver, type PaperPriceFeed } from '@tb/exchange';
import type { Candle } from '@tb/strategies';
import { AccountsModule } from './accounts.module';
import { ExchangeFactory } from './exchange.factory';
import { testEnv } from '../../../test/support/test-env';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const candles: Candle[] = [
  { time: T0, open: 100, high: 110, low: 90, close: 105, volume: 1 },
  { time: T0 + H, open: 105, high: 120, low: 100, close: 118, volume: 1 },
];

/**
 * A paper account works in a process that loads only config, the database and the accounts module (no OMS):
 * the paper exchange is a provider of that layer, and its price feed is chosen per account by the resolver.
 */
describe('ExchangeFactory: paper accounts without the OMS', () => {
  let moduleRef: TestingModule;
  const feeds = new Map<string, PaperPriceFeed>();

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [TbConfigModule.forRoot({ env: testEnv() }), RequestContextModule, DatabaseModule, AccountsModule],
    })
      .overrideProvider(PaperPriceFeedResolver)
      .useValue({ feedFor: (account: { id: string }) => feeds.get(account.id)! } satisfies Partial<PaperPriceFeedResolver>)
      .compile();
    await moduleRef.init();
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  it('builds a PaperExchange with the opening balances and the feed the resolver chose for that account', async () => {
    const accountId = randomUUID();
    const feed = new CandleReplayFeed({ 'BTC/USDT': candles }, { barMs: H });
    feeds.set(accountId, feed);
    const factory = moduleRef.get(ExchangeFactory);
    const port = factory.get({ id: accountId, exchange: 'paper', paperBalances: { USDT: '2500' } });
    expect(port).toBeInstanceOf(PaperExchange);
    expect(factory.get({ id: accountId, exchange: 'paper' })).toBe(port); // cached: one instance per account

    const balance = await port.fetchBalance();
    expect(balance.assets['USDT']?.total).toBe(2500);

    await feed.step('BTC/USDT', 2);
    const ticker = await port.fetchTicker('BTC/USDT');
    expect(ticker.last).toBe(118);
  });
});

describe('PaperExchangeModule default feed', () => {
  it('serves paper accounts from the public ticker unless another resolver is provided', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [TbConfigModule.forRoot({ env: testEnv() }), RequestContextModule, DatabaseModule, AccountsModule],
    }).compile();
    try {
      expect(moduleRef.get(PaperPriceFeedResolver, { strict: false })).toBeInstanceOf(PublicTickerFeedResolver);
      expect(moduleRef.get(ExchangeFactory).get({ id: randomUUID(), exchange: 'paper' })).toBeInstanceOf(PaperExchange);
    } finally {
      await moduleRef.close();
    }
  });
});
