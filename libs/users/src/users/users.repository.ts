import { Injectable } from '@nestjs/common';
import { ConflictError } from '@tb/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import { UserEntity } from './user.entity';
import type { UserRole } from './user-role';

/** A user as the rest of the lib sees it: never the password hash. */
export interface UserRecord {
  readonly id: string;
  readonly email: string;
  readonly role: UserRole;
  readonly createdAt: Date;
  readonly disabledAt: Date | null;
}

/** What login needs, and nothing else reads it. */
export interface UserCredentials {
  readonly id: string;
  readonly role: UserRole;
  readonly passwordHash: string;
  readonly disabledAt: Date | null;
}

export class EmailTakenError extends ConflictError {
  constructor() {
    super('A user with this email already exists');
  }
}

function toRecord(e: UserEntity): UserRecord {
  return { id: e.id, email: e.email, role: e.role, createdAt: e.createdAt, disabledAt: e.disabledAt };
}

/** `users` table. Joins the caller's transaction when there is one (TransactionHost). */
@Injectable()
export class UsersRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get repo() {
    return this.txHost.tx.getRepository(UserEntity);
  }

  /**
   * Inserts a user; `email` must already be normalised (lowercase). Throws EmailTakenError on a duplicate.
   * ON CONFLICT instead of catching 23505: a failed INSERT would be logged by TypeORM with its parameters, and
   * one of them is the password hash.
   */
  async create(input: { email: string; passwordHash: string; role: UserRole }): Promise<UserRecord> {
    const rows: Array<{ id: string; email: string; role: UserRole; created_at: Date; disabled_at: Date | null }> = await this.txHost.tx.query(
      `INSERT INTO "users" ("email", "password_hash", "role") VALUES ($1, $2, $3)
       ON CONFLICT ((lower("email"))) DO NOTHING
       RETURNING "id", "email", "role", "created_at", "disabled_at"`,
      [input.email, input.passwordHash, input.role],
    );
    const r = rows[0];
    if (!r) throw new EmailTakenError();
    return { id: r.id, email: r.email, role: r.role, createdAt: r.created_at, disabledAt: r.disabled_at };
  }

  async findById(userId: string): Promise<UserRecord | null> {
    const e = await this.repo.findOne({ where: { id: userId } });
    return e ? toRecord(e) : null;
  }

  /** The only read by email: the login lookup (the caller is not known yet). */
  async findCredentialsByEmail(email: string): Promise<UserCredentials | null> {
    const e = await this.repo
      .createQueryBuilder('u')
      .select(['u.id', 'u.role', 'u.passwordHash', 'u.disabledAt'])
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
    return e ? { id: e.id, role: e.role, passwordHash: e.passwordHash, disabledAt: e.disabledAt } : null;
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    const e = await this.repo.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getOne();
    return e ? toRecord(e) : null;
  }

  async findPasswordHashById(userId: string): Promise<string | null> {
    const e = await this.repo.createQueryBuilder('u').select(['u.id', 'u.passwordHash']).where('u.id = :userId', { userId }).getOne();
    return e?.passwordHash ?? null;
  }

  /** Disable (idempotent: the first disable time stays). True when the user exists. */
  async disable(userId: string): Promise<boolean> {
    const res = await this.repo
      .createQueryBuilder()
      .update()
      .set({ disabledAt: () => 'coalesce(disabled_at, now())' })
      .where('id = :userId', { userId })
      .execute();
    return (res.affected ?? 0) > 0;
  }

  /** Deletion keeps the row (orders, fills, positions reference it) but removes the address and any usable password. */
  async scrub(userId: string): Promise<void> {
    await this.txHost.tx.query(
      `UPDATE "users" SET "email" = 'deleted-' || "id" || '@deleted.invalid', "password_hash" = '!deleted', "disabled_at" = coalesce("disabled_at", now()) WHERE "id" = $1`,
      [userId],
    );
  }

  async updatePasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.repo.update({ id: userId }, { passwordHash });
  }

  /** Every user, oldest first (admin listing). */
  async listAll(): Promise<UserRecord[]> {
    const rows = await this.repo.find({ order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(toRecord);
  }
}
