import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  apiKeyVisiblePrefix,
  generateApiKey,
  generateRefreshToken,
  looksLikeApiKey,
  randomBase62,
  REFRESH_TOKEN_PATTERN,
  sha256Hex,
} from './tokens';

/** A byte source that replays `bytes` (cycling) whatever size is asked. */
function replay(bytes: number[]) {
  let i = 0;
  return (n: number) => Buffer.from(Array.from({ length: n }, () => bytes[i++ % bytes.length]));
}

describe('token helpers', () => {
  it('sha256Hex matches the FIPS 180-2 test vectors', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('randomBase62 maps bytes mod 62 onto 0-9A-Za-z and rejects bytes >= 248 (no modulo bias)', () => {
    // 0 -> '0', 9 -> '9', 10 -> 'A', 36 -> 'a', 61 -> 'z', 62 -> '0', 247 = 3*62+61 -> 'z'; 248 and 255 are skipped.
    expect(randomBase62(7, replay([0, 9, 248, 10, 36, 255, 61, 62, 247]))).toBe('09Aaz0z');
  });

  it('generateApiKey: tb_ + 40 base62 chars; the visible prefix is the 8 chars after tb_', () => {
    const key = generateApiKey(replay([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]));
    expect(key).toBe('tb_' + 'ABCDEFGHIJ'.repeat(4));
    expect(looksLikeApiKey(key)).toBe(true);
    expect(apiKeyVisiblePrefix(key)).toBe('ABCDEFGH');
    const real = generateApiKey();
    expect(real).toMatch(/^tb_[0-9A-Za-z]{40}$/);
    expect(generateApiKey()).not.toBe(real);
  });

  it('looksLikeApiKey rejects near misses', () => {
    for (const bad of ['tb_short', 'TB_' + 'a'.repeat(40), 'tb_' + 'a'.repeat(39) + '-', 'tb_' + 'a'.repeat(41), 'Bearer x']) {
      expect(looksLikeApiKey(bad)).toBe(false);
    }
  });

  it('generateRefreshToken is 32 random bytes in base64url; its hash is the sha256 of the string', () => {
    const bytes = Array.from({ length: 32 }, (_, i) => 250 - i);
    const token = generateRefreshToken(replay(bytes));
    expect(token).toBe(Buffer.from(bytes).toString('base64url'));
    expect(token).toMatch(REFRESH_TOKEN_PATTERN);
    expect(sha256Hex(token)).toBe(createHash('sha256').update(token).digest('hex'));
  });
});
