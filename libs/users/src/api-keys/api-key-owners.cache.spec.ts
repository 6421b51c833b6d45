import { describe, expect, it } from 'vitest';
import { ApiKeyOwnersCache } from './api-key-owners.cache';
import type { ApiKeyOwner } from './api-keys.repository';

const owner = (keyId: string, userId: string): ApiKeyOwner => ({ keyId, userId, scopes: ['read'], role: 'trader', userDisabled: false, lastUsedAt: null });

describe('ApiKeyOwnersCache', () => {
  it('forgets one revoked key, or every key of a user, and nothing else', () => {
    const cache = new ApiKeyOwnersCache();
    cache.set('h1', owner('k1', 'u1'));
    cache.set('h2', owner('k2', 'u1'));
    cache.set('h3', owner('k3', 'u2'));
    cache.forget({ keyId: 'k1' });
    expect([cache.get('h1'), cache.get('h2')?.keyId, cache.get('h3')?.keyId]).toEqual([undefined, 'k2', 'k3']);
    cache.forget({ userId: 'u1' });
    expect([cache.get('h2'), cache.get('h3')?.keyId]).toEqual([undefined, 'k3']);
  });
});
