import { LRUCache } from 'lru-cache';

/** Access tokens whose signature and claims were verified, kept at most (least recently used dropped first). */
export const VERIFIED_TOKENS_MAX = 10_000;

/** What a verification established about a token: its claims and when it expires (seconds since the epoch). */
export interface VerifiedToken<C> {
  readonly claims: C;
  readonly exp: number;
}

/**
 * Access tokens already verified by this process (HS256 signature, issuer, audience): a repeat request with the same
 * token skips the HMAC and the claim parsing, not the checks that change over time. A hit is refused as expired
 * exactly when jsonwebtoken would refuse it (`now >= exp`, in whole seconds); the user behind it is still checked on
 * every request (ActiveUsersCache), so disabling a user stops its tokens as before. Nothing else revokes an access
 * token (logout and password changes revoke refresh tokens; access tokens simply expire), so the cache changes no
 * answer. Only verified tokens enter it, and only while unexpired; the JWT secret is fixed for the process's life.
 */
export class VerifiedTokensCache<C> {
  private readonly tokens = new LRUCache<string, VerifiedToken<C>>({ max: VERIFIED_TOKENS_MAX });

  constructor(private readonly nowMs: () => number = Date.now) {}

  /** The cached verification of `token`: `'expired'` once past its expiry (and forgotten), undefined if unknown. */
  get(token: string): C | 'expired' | undefined {
    const hit = this.tokens.get(token);
    if (!hit) return undefined;
    if (Math.floor(this.nowMs() / 1000) >= hit.exp) {
      this.tokens.delete(token);
      return 'expired';
    }
    return hit.claims;
  }

  /** Remember a token that was just verified; one without an expiry, or with a not-before, is not cached. */
  set(token: string, claims: C & { exp?: unknown; nbf?: unknown }): void {
    if (typeof claims.exp !== 'number' || claims.nbf !== undefined) return;
    this.tokens.set(token, { claims, exp: claims.exp });
  }
}
