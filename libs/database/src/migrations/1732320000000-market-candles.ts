import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * market_candles: one row per (exchange, symbol, timeframe, open time). See docs/adr/0004-market-candles.md.
 * - The natural key is the primary key (no surrogate id): it is the upsert conflict target and the range
 *   index for `WHERE exchange = $1 AND symbol = $2 AND timeframe = $3 AND time >= $4 AND time < $5`.
 * - `time` is timestamptz (the candle's open time, UTC); the application speaks epoch milliseconds and
 *   converts at the repository boundary.
 * - Prices and volume are `numeric` (exact decimal text as the exchange sent it), checked for consistency.
 * Entity: MarketCandleEntity in @tb/market (kept identical to this DDL; an int spec checks the two agree).
 */
export class MarketCandles1732320000000 implements MigrationInterface {
  name = 'MarketCandles1732320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "market_candles" (
        "exchange"   varchar(32) NOT NULL,
        "symbol"     varchar(64) NOT NULL,
        "timeframe"  varchar(8)  NOT NULL,
        "time"       timestamptz NOT NULL,
        "open"       numeric     NOT NULL,
        "high"       numeric     NOT NULL,
        "low"        numeric     NOT NULL,
        "close"      numeric     NOT NULL,
        "volume"     numeric     NOT NULL,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_market_candles" PRIMARY KEY ("exchange", "symbol", "timeframe", "time"),
        CONSTRAINT "chk_market_candles_prices"
          CHECK ("low" > 0 AND "high" >= "low" AND "open" BETWEEN "low" AND "high" AND "close" BETWEEN "low" AND "high"),
        CONSTRAINT "chk_market_candles_volume" CHECK ("volume" >= 0)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "market_candles"`);
  }
}
