import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { UserRole } from './user-role';

/** An account (table `users`, migration Users1732400000000 in @tb/database). Emails are stored lowercase. */
@Entity({ name: 'users' })
@Check('chk_users_role', `"role" IN ('admin', 'trader')`)
@Check('chk_users_email_lowercase', `"email" = lower("email")`)
@Index('ux_users_email', { synchronize: false }) // UNIQUE (lower(email)): expression index, created by the migration
export class UserEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_users' })
  id: string;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'varchar', length: 16 })
  role: UserRole;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;
}
