import { Injectable } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tb/database';
import type { ApiScope, UserRole } from '../users/user-role';
import { ApiKeyEntity } from './api-key.entity';

/** An API key as listed to its owner: never the hash. */
export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly scopes: ApiScope[];
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

/** What authentication by key needs: the key's owner and scopes, the owner's role and state. */
export interface ApiKeyOwner {
  readonly keyId: string;
  readonly userId: string;
  readonly scopes: ApiScope[];
  readonly role: UserRole;
  readonly userDisabled: boolean;
  readonly lastUsedAt: Date | null;
}

/** `last_used_at` is written at most once per this many seconds per key (no write per request). */
export const LAST_USED_RESOLUTION_S = 60;

function toRecord(e: ApiKeyEntity): ApiKeyRecord {
  return { id: e.id, name: e.name, prefix: e.prefix, scopes: e.scopes, createdAt: e.createdAt, lastUsedAt: e.lastUsedAt };
}

/** `api_keys`: every read of a user's keys is scoped by the user id. */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get repo() {
    return this.txHost.tx.getRepository(ApiKeyEntity);
  }

  async create(userId: string, input: { name: string; prefix: string; keyHash: string; scopes: ApiScope[] }): Promise<ApiKeyRecord> {
    const saved = await this.repo.save(this.repo.create({ userId, ...input, lastUsedAt: null, revokedAt: null }));
    return toRecord(saved);
  }

  /** The user's keys that are not revoked, newest first. */
  async listActive(userId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.repo
      .createQueryBuilder('k')
      .where('k.userId = :userId AND k.revokedAt IS NULL', { userId })
      .orderBy('k.createdAt', 'DESC')
      .addOrderBy('k.id', 'ASC')
      .getMany();
    return rows.map(toRecord);
  }

  /** True when a live key `keyId` of `userId` was revoked now (false: no such key for this user, or already revoked). */
  async revoke(userId: string, keyId: string): Promise<boolean> {
    const res = await this.txHost.tx
      .createQueryBuilder()
      .update(ApiKeyEntity)
      .set({ revokedAt: () => 'now()' })
      .where('id = :keyId AND user_id = :userId AND revoked_at IS NULL', { keyId, userId })
      .execute();
    return (res.affected ?? 0) > 0;
  }

  /** Revokes every live key of the user (account disabled or deleted). */
  async revokeAllOfUser(userId: string): Promise<number> {
    const res = await this.repo
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('user_id = :userId AND revoked_at IS NULL', { userId })
      .execute();
    return res.affected ?? 0;
  }

  /** The live key with this hash and its owner (the authentication lookup, by unique index). */
  async findActiveByHash(keyHash: string): Promise<ApiKeyOwner | null> {
    const rows: Array<{ id: string; user_id: string; scopes: ApiScope[]; role: UserRole; disabled: boolean; last_used_at: Date | null }> =
      await this.txHost.tx.query(
        `SELECT k."id", k."user_id", k."scopes", k."last_used_at", u."role", u."disabled_at" IS NOT NULL AS disabled
         FROM "api_keys" k JOIN "users" u ON u."id" = k."user_id"
         WHERE k."key_hash" = $1 AND k."revoked_at" IS NULL`,
        [keyHash],
      );
    const r = rows[0];
    return r
      ? { keyId: r.id, userId: r.user_id, scopes: r.scopes, role: r.role, userDisabled: r.disabled, lastUsedAt: r.last_used_at }
      : null;
  }

  /** Records a use of the key, at most once per LAST_USED_RESOLUTION_S. */
  async touch(keyId: string): Promise<void> {
    await this.txHost.tx
      .createQueryBuilder()
      .update(ApiKeyEntity)
      .set({ lastUsedAt: () => 'now()' })
      .where(`id = :keyId AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => :res))`, {
        keyId,
        res: LAST_USED_RESOLUTION_S,
      })
      .execute();
  }
}
