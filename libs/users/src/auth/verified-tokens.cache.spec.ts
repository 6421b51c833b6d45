import { describe, expect, it } from 'vitest';
import { VerifiedTokensCache } from './verified-tokens.cache';

describe('VerifiedTokensCache', () => {
  it('answers the claims until the expiry second, then "expired" (as jsonwebtoken: now >= exp) and forgets the token', () => {
    let now = 1_700_000_000_000; // ms
    const cache = new VerifiedTokensCache<{ sub: string; exp: number }>(() => now);
    const exp = 1_700_000_060; // 60 s later, in seconds
    cache.set('tok', { sub: 'u1', exp });
    expect(cache.get('tok')).toEqual({ sub: 'u1', exp });
    now = exp * 1000 - 1; // 1 ms before the expiry second: floor(now / 1000) = exp - 1 < exp
    expect(cache.get('tok')).toEqual({ sub: 'u1', exp });
    now = exp * 1000; // floor = exp: jsonwebtoken says TokenExpiredError
    expect(cache.get('tok')).toBe('expired');
    now = 0; // even with the clock turned back, the token is no longer cached: it would be verified again
    expect(cache.get('tok')).toBeUndefined();
  });

  it('does not cache tokens without an expiry or with a not-before, and knows no token it was not given', () => {
    const cache = new VerifiedTokensCache<Record<string, unknown>>(() => 0);
    cache.set('no-exp', { sub: 'u' });
    cache.set('nbf', { sub: 'u', exp: 10, nbf: 5 });
    expect(cache.get('no-exp')).toBeUndefined();
    expect(cache.get('nbf')).toBeUndefined();
    expect(cache.get('other')).toBeUndefined();
  });
});
