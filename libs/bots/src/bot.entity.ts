import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { MarketSpec, Timeframe } from '@tb/strategies';
import type { BotStatus } from './bot-status';
import type { BotBooks, BotProtections } from './bot-protections';

export type BotStrategyName = 'hyperrsi' | 'grid';

/** Where a bot's candles come from: the exchange's live candles, or stored candles replayed (paper accounts). */
export type BotFeed = { readonly kind: 'live' } | { readonly kind: 'replay'; readonly from: number; readonly to: number; readonly speed: number | null };

/** The bot's own books for its protections (positions, realized, fees, peak, stop-outs), plain JSON; `{}` = empty. */
export type BotGuard = Partial<BotBooks>;

@Entity('bots')
export class BotEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('uuid', { name: 'account_id' }) accountId!: string;
  @Column('varchar') strategy!: BotStrategyName;
  @Column('varchar') symbol!: string;
  @Column('varchar') timeframe!: Timeframe;
  @Column('jsonb') settings!: Record<string, unknown>;
  @Column('jsonb') feed!: BotFeed;
  @Column('jsonb') market!: MarketSpec;
  @Column('varchar') status!: BotStatus;
  @Column('text', { name: 'status_reason', nullable: true }) statusReason!: string | null;
  @Column('jsonb', { nullable: true }) state!: unknown;
  @Column('int') version!: number;
  @Column('bigint', { name: 'input_seq' }) inputSeq!: string;
  @Column('bigint') decisions!: string;
  @Column('bigint', { name: 'last_candle_time', nullable: true }) lastCandleTime!: string | null;
  @Column('jsonb') protections!: Partial<BotProtections>;
  @Column('jsonb') guard!: BotGuard;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { name: 'stopped_at', nullable: true }) stoppedAt!: Date | null;
}

@Entity('bot_inputs')
export class BotInputEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) seq!: string;
  @Column('uuid', { name: 'bot_id' }) botId!: string;
  @Column('text') key!: string;
  @Column('varchar') kind!: string;
  @Column('jsonb') payload!: unknown;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

@Entity('bot_decisions')
export class BotDecisionEntity {
  @PrimaryColumn('uuid', { name: 'bot_id' }) botId!: string;
  @PrimaryColumn('bigint') seq!: string;
  @Column('text', { name: 'input_key' }) inputKey!: string;
  @Column('varchar') kind!: string;
  @Column('jsonb') input!: unknown;
  @Column('jsonb') intents!: unknown;
  @Column('jsonb') expired!: unknown;
  @Column('char', { name: 'state_hash', length: 64 }) stateHash!: string;
  /** sha-256 of the entry (input, intents, state hash): an edit by hand is caught; null before it existed */
  @Column('char', { name: 'entry_hash', length: 64, nullable: true }) entryHash!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

@Entity('bot_equity')
export class BotEquityEntity {
  @PrimaryColumn('uuid', { name: 'bot_id' }) botId!: string;
  @PrimaryColumn('bigint') time!: string;
  @Column('numeric') equity!: string;
  @Column('numeric') realized!: string;
  @Column('numeric') fees!: string;
}
