import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { ApiKeyOwner } from './api-keys.repository';

/** How long a key lookup (key, owner, role, disabled) is reused (ms). */
export const API_KEY_OWNER_TTL_MS = 1_000;
/** Keys kept at most (least recently used dropped first). */
export const API_KEY_OWNER_MAX = 10_000;

/**
 * The API-key lookup (by the key's sha256) reused for at most API_KEY_OWNER_TTL_MS instead of a PostgreSQL query per
 * request, like ActiveUsersCache for access tokens. Revoking a key or disabling its owner through this process
 * forgets it at once (ApiKeysService.revoke, AuthService.disableUser), so it stops working on the next request;
 * another process sees a revocation within API_KEY_OWNER_TTL_MS. Unknown and revoked keys are not cached.
 */
@Injectable()
export class ApiKeyOwnersCache {
  private readonly owners = new LRUCache<string, ApiKeyOwner>({ max: API_KEY_OWNER_MAX, ttl: API_KEY_OWNER_TTL_MS, ttlAutopurge: false });

  get(keyHash: string): ApiKeyOwner | undefined {
    return this.owners.get(keyHash);
  }

  set(keyHash: string, owner: ApiKeyOwner): void {
    this.owners.set(keyHash, owner, { noUpdateTTL: this.owners.has(keyHash) });
  }

  /** Forget one key (revoked) or every key of a user (disabled, deleted). */
  forget(match: { keyId: string } | { userId: string }): void {
    for (const [hash, o] of this.owners.entries()) {
      if ('keyId' in match ? o.keyId === match.keyId : o.userId === match.userId) this.owners.delete(hash);
    }
  }
}
