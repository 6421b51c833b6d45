import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A position lifecycle (open until its size returns to 0), derived from fills. Money as numeric strings. */
@Entity('positions')
export class PositionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('uuid', { name: 'account_id' }) accountId!: string;
  @Column('varchar') symbol!: string;
  @Column('varchar') side!: 'long' | 'short';
  @Column('varchar', { name: 'bot_key' }) botKey!: string;
  @Column('numeric') size!: string;
  @Column('numeric', { name: 'average_entry', nullable: true }) averageEntry!: string | null;
  @Column('numeric', { name: 'realized_pnl' }) realizedPnl!: string;
  @Column('numeric') fees!: string;
  @Column('numeric') funding!: string;
  @Column('numeric') leverage!: string;
  @Column('timestamptz', { name: 'opened_at', nullable: true }) openedAt!: Date | null;
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt!: Date | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  @Column('int', { name: 'fill_count' }) fillCount!: number;
}
