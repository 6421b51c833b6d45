import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { UsersRepository, type UserRecord } from '../users/users.repository';

/** How long a user row read by the access-token check is reused (ms). */
export const ACTIVE_USER_TTL_MS = 1_000;
/** Users kept at most (least recently used dropped first). */
export const ACTIVE_USER_MAX = 10_000;

/**
 * The user row behind an access token, read from PostgreSQL at most once a second per user instead of once per
 * request (the lookup was the main cost of an authenticated GET). Disabling or deleting a user through this process
 * forgets it at once (AuthService calls `forget`), so its tokens stop working on the next request; another process
 * sees the change within ACTIVE_USER_TTL_MS. Unknown users are not cached (a forged `sub` costs a lookup each time,
 * but only after a valid signature).
 */
@Injectable()
export class ActiveUsersCache {
  private readonly users = new LRUCache<string, UserRecord>({ max: ACTIVE_USER_MAX, ttl: ACTIVE_USER_TTL_MS, ttlAutopurge: false });

  constructor(private readonly repo: UsersRepository) {}

  async get(userId: string): Promise<UserRecord | null> {
    const hit = this.users.get(userId);
    if (hit) return hit;
    const user = await this.repo.findById(userId);
    if (user) this.users.set(userId, user);
    return user;
  }

  forget(userId: string): void {
    this.users.delete(userId);
  }
}
