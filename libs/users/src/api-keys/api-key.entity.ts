import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '../users/user.entity';
import type { ApiScope } from '../users/user-role';

/**
 * A personal API key (table `api_keys`). The key itself (`tb_` + 40 base62 chars) is shown once at creation; only
 * its sha256 (`keyHash`) and the 8 characters after `tb_` (`prefix`, to tell keys apart in lists) are stored.
 */
@Entity({ name: 'api_keys' })
@Check('chk_api_keys_scopes', `cardinality("scopes") > 0 AND "scopes" <@ ARRAY['read', 'trade', 'admin']::text[]`)
@Index('ix_api_keys_user', ['userId'])
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_api_keys' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_api_keys_user' })
  user?: UserEntity;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'char', length: 8 })
  prefix: string;

  @Index('ux_api_keys_hash', { unique: true })
  @Column({ name: 'key_hash', type: 'char', length: 64 })
  keyHash: string;

  @Column({ type: 'text', array: true })
  scopes: ApiScope[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
