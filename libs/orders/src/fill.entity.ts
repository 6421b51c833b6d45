import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One execution, unique per (account, exchange trade id): recorded exactly once whatever retries happen. */
@Entity('fills')
export class FillEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'order_id' }) orderId!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('uuid', { name: 'account_id' }) accountId!: string;
  @Column('varchar', { name: 'bot_id', nullable: true }) botId!: string | null;
  @Column('varchar') exchange!: string;
  @Column('varchar', { name: 'exchange_trade_id' }) exchangeTradeId!: string;
  @Column('varchar') symbol!: string;
  @Column('varchar') side!: 'buy' | 'sell';
  @Column('varchar', { name: 'position_side' }) positionSide!: 'long' | 'short';
  @Column('numeric') price!: string;
  @Column('numeric') amount!: string;
  @Column('numeric') fee!: string;
  @Column('varchar', { name: 'fee_currency', nullable: true }) feeCurrency!: string | null;
  @Column('numeric', { name: 'fee_quote' }) feeQuote!: string;
  @Column('timestamptz', { name: 'executed_at' }) executedAt!: Date;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  /** insertion order (several fills of one candle share one execution time) */
  @Column('bigint') seq!: string;
  /** handed to the bot's strategy (onFill) */
  @Column('boolean', { name: 'bot_applied' }) botApplied!: boolean;
}
