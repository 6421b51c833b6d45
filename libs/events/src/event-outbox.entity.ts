import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Events written in the same transaction as the state change they describe; relayed to Redis Streams. */
@Entity('event_outbox')
export class EventOutboxEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'event_id' }) eventId!: string;
  @Column('varchar') type!: string;
  @Column('uuid', { name: 'user_id', nullable: true }) userId!: string | null;
  @Column('jsonb') payload!: Record<string, unknown>;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'published_at', nullable: true }) publishedAt!: Date | null;
}
