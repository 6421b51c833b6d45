import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { OrderStatus } from './order-status';

@Entity('orders')
export class OrderEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('uuid', { name: 'account_id' }) accountId!: string;
  @Column('varchar', { name: 'bot_id', nullable: true }) botId!: string | null;
  @Column('text', { name: 'intent_key' }) intentKey!: string;
  @Column('varchar', { name: 'client_order_id' }) clientOrderId!: string;
  @Column('varchar') exchange!: string;
  @Column('varchar', { name: 'exchange_order_id', nullable: true }) exchangeOrderId!: string | null;
  @Column('varchar') symbol!: string;
  @Column('varchar') type!: 'market' | 'limit' | 'stop_market';
  @Column('varchar') side!: 'buy' | 'sell';
  @Column('varchar', { name: 'position_side' }) positionSide!: 'long' | 'short';
  @Column('numeric') amount!: string;
  @Column('numeric', { nullable: true }) price!: string | null;
  @Column('numeric', { name: 'trigger_price', nullable: true }) triggerPrice!: string | null;
  @Column('boolean', { name: 'reduce_only' }) reduceOnly!: boolean;
  @Column('varchar') tag!: string;
  @Column('varchar') status!: OrderStatus;
  @Column('numeric') filled!: string;
  @Column('numeric', { name: 'average_price', nullable: true }) averagePrice!: string | null;
  @Column('numeric') fee!: string;
  @Column('text', { name: 'reject_reason', nullable: true }) rejectReason!: string | null;
  @Column('int', { name: 'send_attempts' }) sendAttempts!: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt!: Date | null;
  /** position in the bot's sequence of exchange actions (places and cancels, in intent order) */
  @Column('bigint', { name: 'action_seq' }) actionSeq!: string;
  /** set when the bot asked to cancel it: the cancel's place in the same sequence */
  @Column('bigint', { name: 'cancel_seq', nullable: true }) cancelSeq!: string | null;
  @Column('text', { name: 'cancel_reason', nullable: true }) cancelReason!: string | null;
  /** its closing (canceled / rejected / expired) has been handed to the bot's strategy */
  @Column('boolean', { name: 'bot_closed_applied' }) botClosedApplied!: boolean;
}
