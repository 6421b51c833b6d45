import { describe, expect, it } from 'vitest';
import type { UsersRepository, UserRecord } from '../users/users.repository';
import { ACTIVE_USER_TTL_MS, ActiveUsersCache } from './active-users.cache';

const ID = '11111111-1111-4111-8111-111111111111';

/** A repository whose row can be changed behind the cache's back, counting the lookups it answers. */
function repo(initial: UserRecord | null) {
  const state = { row: initial, lookups: 0 };
  const r = {
    findById: async (id: string) => {
      state.lookups++;
      return state.row && state.row.id === id ? state.row : null;
    },
  } as unknown as UsersRepository;
  return { state, r };
}

const user = (disabledAt: Date | null = null): UserRecord => ({ id: ID, email: 'a@example.com', role: 'trader', createdAt: new Date(0), disabledAt });

describe('ActiveUsersCache', () => {
  it('reads a user once per TTL, not once per request', async () => {
    const { state, r } = repo(user());
    const cache = new ActiveUsersCache(r);
    for (let i = 0; i < 5; i++) expect((await cache.get(ID))?.id).toBe(ID);
    expect(state.lookups).toBe(1); // 5 requests within the TTL -> 1 lookup
  });

  it('forget() makes the next request see the current row (a disable through this process is immediate)', async () => {
    const { state, r } = repo(user());
    const cache = new ActiveUsersCache(r);
    expect((await cache.get(ID))?.disabledAt).toBeNull();
    state.row = user(new Date());
    expect((await cache.get(ID))?.disabledAt).toBeNull(); // still the cached row: nobody told the cache
    cache.forget(ID);
    expect((await cache.get(ID))?.disabledAt).not.toBeNull();
    expect(state.lookups).toBe(2);
  });

  it('a change made elsewhere (another process) is seen once the TTL has passed', async () => {
    const { state, r } = repo(user());
    const cache = new ActiveUsersCache(r);
    await cache.get(ID);
    state.row = user(new Date());
    await new Promise((res) => setTimeout(res, ACTIVE_USER_TTL_MS + 50));
    expect((await cache.get(ID))?.disabledAt).not.toBeNull();
    expect(state.lookups).toBe(2);
  });

  it('does not cache an unknown user (a user created later is found at once)', async () => {
    const { state, r } = repo(null);
    const cache = new ActiveUsersCache(r);
    expect(await cache.get(ID)).toBeNull();
    state.row = user();
    expect((await cache.get(ID))?.id).toBe(ID);
    expect(state.lookups).toBe(2);
  });
});
