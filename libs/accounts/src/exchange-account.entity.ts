import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const ACCOUNT_EXCHANGES = ['okx', 'binance', 'binanceusdm', 'bybit', 'bitget', 'upbit', 'paper'] as const;
export type AccountExchange = (typeof ACCOUNT_EXCHANGES)[number];

/** An exchange account of a user. Secrets are AES-256-GCM blobs (never plaintext, never returned). */
@Entity('exchange_accounts')
export class ExchangeAccountEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('varchar') exchange!: AccountExchange;
  @Column('varchar') label!: string;
  @Column('varchar', { name: 'market_type' }) marketType!: 'spot' | 'perp';
  @Column('text', { name: 'api_key_enc', nullable: true }) apiKeyEnc!: string | null;
  @Column('text', { name: 'secret_enc', nullable: true }) secretEnc!: string | null;
  @Column('text', { name: 'passphrase_enc', nullable: true }) passphraseEnc!: string | null;
  @Column('varchar', { name: 'key_id', nullable: true }) keyId!: string | null;
  @Column('varchar', { name: 'api_key_hint', nullable: true }) apiKeyHint!: string | null;
  @Column('jsonb', { name: 'paper_balances', nullable: true }) paperBalances!: Record<string, string> | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
}
