import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One stored candle (table `market_candles`, created by migration MarketCandles1732320000000 in @tb/database).
 * Prices and volume are `numeric`, carried as decimal strings so nothing is rounded on the way in or out.
 * The repository works with raw SQL for speed; the entity documents the table for TypeORM (schema diff, tools).
 */
@Entity({ name: 'market_candles' })
@Check('chk_market_candles_prices', `"low" > 0 AND "high" >= "low" AND "open" BETWEEN "low" AND "high" AND "close" BETWEEN "low" AND "high"`)
@Check('chk_market_candles_volume', `"volume" >= 0`)
export class MarketCandleEntity {
  @PrimaryColumn({ type: 'varchar', length: 32, primaryKeyConstraintName: 'pk_market_candles' })
  exchange: string;

  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_market_candles' })
  symbol: string;

  @PrimaryColumn({ type: 'varchar', length: 8, primaryKeyConstraintName: 'pk_market_candles' })
  timeframe: string;

  /** Candle open time (UTC). */
  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'pk_market_candles' })
  time: Date;

  @Column({ type: 'numeric' })
  open: string;

  @Column({ type: 'numeric' })
  high: string;

  @Column({ type: 'numeric' })
  low: string;

  @Column({ type: 'numeric' })
  close: string;

  @Column({ type: 'numeric' })
  volume: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/** Entities of this lib, for a DataSource built outside Nest (CLI, tests). */
export const MARKET_ENTITIES = [MarketCandleEntity];
