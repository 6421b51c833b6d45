import { createHash, randomBytes } from 'node:crypto';

/** Source of random bytes (node:crypto's CSPRNG by default; tests pass a fixed sequence). */
export type RandomBytesSource = (bytes: number) => Buffer;

export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Personal API keys: `tb_` + 40 base62 characters (~238 bits of entropy). */
export const API_KEY_PREFIX = 'tb_';
export const API_KEY_BODY_LENGTH = 40;
/** Characters of the key body kept in clear (`api_keys.prefix`) so a user can tell their keys apart. */
export const API_KEY_VISIBLE_CHARS = 8;
export const API_KEY_PATTERN = /^tb_[0-9A-Za-z]{40}$/;

/** Refresh tokens: 32 random bytes, base64url (43 characters). */
export const REFRESH_TOKEN_BYTES = 32;
export const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Lowercase hex SHA-256 of a UTF-8 string. Enough for high-entropy secrets (API keys, refresh tokens). */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * `length` uniformly distributed base62 characters. Bytes >= 248 (= 4 * 62) are rejected so that `byte % 62`
 * has no modulo bias.
 */
export function randomBase62(length: number, source: RandomBytesSource = randomBytes): string {
  let out = '';
  while (out.length < length) {
    const buf = source(Math.max(16, Math.ceil((length - out.length) * 1.1)));
    for (let i = 0; i < buf.length && out.length < length; i++) {
      const b = buf[i];
      if (b < 248) out += BASE62_ALPHABET[b % 62];
    }
  }
  return out;
}

/** A new personal API key, e.g. `tb_3kTq...` (returned to the user once, stored as sha256). */
export function generateApiKey(source: RandomBytesSource = randomBytes): string {
  return API_KEY_PREFIX + randomBase62(API_KEY_BODY_LENGTH, source);
}

/** The part of an API key kept in clear: the 8 characters that follow `tb_`. */
export function apiKeyVisiblePrefix(key: string): string {
  return key.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + API_KEY_VISIBLE_CHARS);
}

export function looksLikeApiKey(value: string): boolean {
  return API_KEY_PATTERN.test(value);
}

/** A new opaque refresh token (stored as sha256 only). */
export function generateRefreshToken(source: RandomBytesSource = randomBytes): string {
  return source(REFRESH_TOKEN_BYTES).toString('base64url');
}
