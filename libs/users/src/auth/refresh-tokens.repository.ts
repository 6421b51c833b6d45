import { Injectable } from '@nestjs/common';
import { TransactionHost, runTransactional, type TransactionalAdapterTypeOrm } from '@tb/database';
import type { UserRole } from '../users/user-role';
import { RefreshTokenEntity } from './refresh-token.entity';

export interface IssuedRefreshToken {
  readonly id: string;
  readonly familyId: string;
  readonly expiresAt: Date;
}

/** Outcome of presenting a refresh token. */
export type RotationResult =
  | { readonly kind: 'rotated'; readonly userId: string; readonly role: UserRole; readonly next: IssuedRefreshToken }
  /** The token had already been rotated: someone replayed it. The whole family is now revoked. */
  | { readonly kind: 'reused'; readonly userId: string; readonly familyId: string; readonly revoked: number }
  /** Unknown, expired, logged out, or the user is disabled. */
  | { readonly kind: 'invalid' };

interface LockedRow {
  id: string;
  user_id: string;
  family_id: string;
  revoked: boolean;
  rotated: boolean;
  expired: boolean;
  role: UserRole;
  disabled: boolean;
}

/** `refresh_tokens`: stores sha256 hashes only; expiry is computed by the database clock. */
@Injectable()
export class RefreshTokensRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  /** A new token row; `familyId` null starts a new family (a new login). */
  async issue(userId: string, familyId: string | null, tokenHash: string, ttlS: number): Promise<IssuedRefreshToken> {
    const rows: Array<{ id: string; family_id: string; expires_at: Date }> = await this.txHost.tx.query(
      `INSERT INTO "refresh_tokens" ("user_id", "family_id", "token_hash", "expires_at")
       VALUES ($1, COALESCE($2::uuid, gen_random_uuid()), $3, now() + make_interval(secs => $4))
       RETURNING "id", "family_id", "expires_at"`,
      [userId, familyId, tokenHash, ttlS],
    );
    return { id: rows[0].id, familyId: rows[0].family_id, expiresAt: rows[0].expires_at };
  }

  /**
   * One unit: lock the presented token's row, then either rotate it (revoke it, insert its successor in the same
   * family, link them) or, when it was already rotated, revoke the whole family. Concurrent presentations of one
   * token serialise on the row lock: the first rotates, the second is treated as a replay.
   */
  rotate(presentedHash: string, nextHash: string, ttlS: number): Promise<RotationResult> {
    return runTransactional(
      {},
      async () => {
        const tx = this.txHost.tx;
        const rows: LockedRow[] = await tx.query(
          `SELECT t."id", t."user_id", t."family_id",
                  t."revoked_at" IS NOT NULL AS revoked, t."replaced_by" IS NOT NULL AS rotated,
                  t."expires_at" <= now() AS expired, u."role", u."disabled_at" IS NOT NULL AS disabled
           FROM "refresh_tokens" t JOIN "users" u ON u."id" = t."user_id"
           WHERE t."token_hash" = $1
           FOR UPDATE OF t`,
          [presentedHash],
        );
        const row = rows[0];
        if (!row) return { kind: 'invalid' } as const;
        if (row.revoked) {
          if (!row.rotated) return { kind: 'invalid' } as const; // logged out: not a replay
          const revoked = await this.revokeFamily(row.family_id);
          return { kind: 'reused', userId: row.user_id, familyId: row.family_id, revoked } as const;
        }
        if (row.expired || row.disabled) return { kind: 'invalid' } as const;
        const next = await this.issue(row.user_id, row.family_id, nextHash, ttlS);
        await tx
          .createQueryBuilder()
          .update(RefreshTokenEntity)
          .set({ revokedAt: () => 'now()', replacedBy: next.id })
          .where('id = :id', { id: row.id })
          .execute();
        return { kind: 'rotated', userId: row.user_id, role: row.role, next } as const;
      },
      'RefreshTokensRepository.rotate',
    );
  }

  /** Logout: revokes every live token of the family `tokenHash` belongs to, if it belongs to `userId`. */
  async revokeFamilyOf(userId: string, tokenHash: string): Promise<number> {
    const res = await this.txHost.tx
      .createQueryBuilder()
      .update(RefreshTokenEntity)
      .set({ revokedAt: () => 'now()' })
      .where('revoked_at IS NULL')
      .andWhere(
        'family_id IN (SELECT t.family_id FROM refresh_tokens t WHERE t.token_hash = :tokenHash AND t.user_id = :userId)',
        { tokenHash, userId },
      )
      .andWhere('user_id = :userId', { userId })
      .execute();
    return res.affected ?? 0;
  }

  /** Revokes every live token of a user (password change, account disabled). */
  async revokeAllOfUser(userId: string): Promise<number> {
    const res = await this.txHost.tx
      .createQueryBuilder()
      .update(RefreshTokenEntity)
      .set({ revokedAt: () => 'now()' })
      .where('user_id = :userId AND revoked_at IS NULL', { userId })
      .execute();
    return res.affected ?? 0;
  }

  private async revokeFamily(familyId: string): Promise<number> {
    const res = await this.txHost.tx
      .createQueryBuilder()
      .update(RefreshTokenEntity)
      .set({ revokedAt: () => 'now()' })
      .where('family_id = :familyId AND revoked_at IS NULL', { familyId })
      .execute();
    return res.affected ?? 0;
  }
}
