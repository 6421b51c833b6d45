import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A user's named HYPERRSI settings (docs/adr/0018-trader-commands.md). */
@Entity('hyperrsi_presets')
export class HyperrsiPresetEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('varchar') name!: string;
  @Column('jsonb') settings!: Record<string, unknown>;
  @Column('boolean', { name: 'is_default' }) isDefault!: boolean;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
