import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretCipher, SecretCipherError } from './secret.cipher';

// fixed test keys (32 bytes each)
const K1 = Buffer.alloc(32, 1);
const K2 = Buffer.alloc(32, 2);
const SECRET = 'sk_live_4f9c2b7e1a8d3f6c0b5e9a7d2c4f8b1e';

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('SecretCipher', () => {
  const c1 = new SecretCipher({ activeKeyId: 'k1', keys: { k1: K1 } });

  it('round-trips, with a fresh IV each time', () => {
    const a = c1.encrypt(SECRET);
    const b = c1.encrypt(SECRET);
    expect(a).not.toBe(b);
    expect(c1.decrypt(a)).toBe(SECRET);
    expect(c1.decrypt(b)).toBe(SECRET);
    expect(c1.decrypt(c1.encrypt(''))).toBe('');
    expect(c1.decrypt(c1.encrypt('비밀 ключ 🔑'))).toBe('비밀 ключ 🔑');
  });

  it('writes v1:keyId:iv:tag:ct with a 12-byte IV and a 16-byte tag', () => {
    const parts = c1.encrypt(SECRET).split(':');
    expect(parts).toHaveLength(5);
    expect(parts[0]).toBe('v1');
    expect(parts[1]).toBe('k1');
    expect(Buffer.from(parts[2], 'base64url')).toHaveLength(12);
    expect(Buffer.from(parts[3], 'base64url')).toHaveLength(16);
    expect(Buffer.from(parts[4], 'base64url')).toHaveLength(Buffer.byteLength(SECRET)); // GCM: no padding
  });

  it('is standard AES-256-GCM: node decrypts it independently with the AAD "v1:k1:"', () => {
    const [, , iv, tag, ct] = c1.encrypt(SECRET).split(':');
    const d = createDecipheriv('aes-256-gcm', K1, Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from('v1:k1:'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    expect(Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString()).toBe(SECRET);
  });

  it('never contains the plaintext (raw, base64 or hex)', () => {
    const blob = c1.encrypt(SECRET);
    for (const form of [SECRET, Buffer.from(SECRET).toString('base64'), Buffer.from(SECRET).toString('base64url'), Buffer.from(SECRET).toString('hex')]) {
      expect(blob.includes(form)).toBe(false);
    }
    expect(blob.includes(SECRET.slice(0, 8))).toBe(false);
  });

  it('detects tampering in the ciphertext, the tag, the IV and the key id', () => {
    const blob = c1.encrypt(SECRET);
    const parts = blob.split(':');
    const flip = (s: string): string => {
      const b = Buffer.from(s, 'base64url');
      b[0] ^= 0x01;
      return b.toString('base64url');
    };
    for (const i of [2, 3, 4]) {
      const bad = [...parts];
      bad[i] = flip(bad[i]);
      const err = catchError(() => c1.decrypt(bad.join(':')));
      expect(err).toBeInstanceOf(SecretCipherError);
      expect((err as SecretCipherError).code).toBe('SECRET_DECRYPTION_FAILED');
    }
    // re-labelling the blob with another (known) key id fails authentication, it does not decrypt garbage
    const both = new SecretCipher({ activeKeyId: 'k1', keys: { k1: K1, k2: K1 } });
    const relabelled = ['v1', 'k2', ...parts.slice(2)].join(':');
    expect((catchError(() => both.decrypt(relabelled)) as SecretCipherError).code).toBe('SECRET_DECRYPTION_FAILED');
  });

  it('fails with the wrong key, and the error reveals nothing', () => {
    const blob = c1.encrypt(SECRET);
    const other = new SecretCipher({ activeKeyId: 'k1', keys: { k1: K2 } });
    const err = catchError(() => other.decrypt(blob)) as SecretCipherError;
    expect(err.code).toBe('SECRET_DECRYPTION_FAILED');
    expect(err.message.includes(SECRET)).toBe(false);
    expect(err.message.includes(blob.split(':')[4])).toBe(false);
    const unknown = new SecretCipher({ activeKeyId: 'k9', keys: { k9: K1 } });
    expect((catchError(() => unknown.decrypt(blob)) as SecretCipherError).message).toContain('no key "k1"');
  });

  it('binds a blob to its context (a blob copied to another account does not decrypt)', () => {
    const blob = c1.encrypt(SECRET, 'account:42');
    expect(c1.decrypt(blob, 'account:42')).toBe(SECRET);
    expect((catchError(() => c1.decrypt(blob, 'account:43')) as SecretCipherError).code).toBe('SECRET_DECRYPTION_FAILED');
    expect((catchError(() => c1.decrypt(blob)) as SecretCipherError).code).toBe('SECRET_DECRYPTION_FAILED');
  });

  it('rotates: old blobs still decrypt, needsRotation flags them, rotate re-encrypts with the active key', () => {
    const old = c1.encrypt(SECRET, 'ctx');
    const ring = new SecretCipher({ activeKeyId: 'k2', keys: { k1: K1, k2: K2 } });
    expect(ring.needsRotation(old)).toBe(true);
    expect(ring.decrypt(old, 'ctx')).toBe(SECRET);
    const rotated = ring.rotate(old, 'ctx');
    expect(ring.keyIdOf(rotated)).toBe('k2');
    expect(ring.needsRotation(rotated)).toBe(false);
    expect(ring.rotate(rotated, 'ctx')).toBe(rotated);
    expect(ring.decrypt(rotated, 'ctx')).toBe(SECRET);
    // once k1 is retired, the rotated blob still works and the old one does not
    const retired = new SecretCipher({ activeKeyId: 'k2', keys: { k2: K2 } });
    expect(retired.decrypt(rotated, 'ctx')).toBe(SECRET);
    expect(() => retired.decrypt(old, 'ctx')).toThrow(SecretCipherError);
  });

  it('validates keys and blob format', () => {
    expect(() => new SecretCipher({ activeKeyId: 'k1', keys: { k1: Buffer.alloc(16) } })).toThrow(/32 bytes/);
    expect(() => new SecretCipher({ activeKeyId: 'kX', keys: { k1: K1 } })).toThrow(/not in the keyring/);
    expect(() => new SecretCipher({ activeKeyId: 'a:b', keys: { 'a:b': K1 } })).toThrow(/key id/);
    expect(SecretCipher.fromBase64Key(K1.toString('base64')).decrypt(c1.encrypt(SECRET))).toBe(SECRET);
    for (const bad of ['', 'plain-text', 'v2:k1:a:b:c', 'v1:k1:AAAA:BBBB:CCCC']) {
      expect((catchError(() => c1.decrypt(bad)) as SecretCipherError).code).toBe('SECRET_FORMAT_INVALID');
    }
  });
});
