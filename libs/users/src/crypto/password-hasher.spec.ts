import { describe, expect, it } from 'vitest';
import { PasswordHasher, parsePasswordHash } from './password-hasher';

// RFC 7914 §12, second test vector: scrypt(P="pleaseletmein", S="SodiumChloride", N=16384, r=8, p=1, dkLen=64).
const RFC_KEY_HEX =
  '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2' +
  'd5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887';
const unpadded = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
const RFC_STORED = `$scrypt$ln=14,r=8,p=1$${unpadded(Buffer.from('SodiumChloride'))}$${unpadded(Buffer.from(RFC_KEY_HEX, 'hex'))}`;

// Cheap parameters for the behavioural tests (the format and logic do not depend on the cost).
const fast = new PasswordHasher({ ln: 4, r: 8, p: 1, saltBytes: 16, keyBytes: 32 });

describe('PasswordHasher', () => {
  it('produces the RFC 7914 scrypt output for the RFC salt, in PHC format', async () => {
    const hasher = new PasswordHasher({ ln: 14, r: 8, p: 1, saltBytes: 14, keyBytes: 64 }, () => Buffer.from('SodiumChloride'));
    expect(await hasher.hash('pleaseletmein')).toBe(RFC_STORED);
  });

  it('verifies a hash built by hand from the RFC 7914 vector, and rejects another password', async () => {
    expect(await fast.verify('pleaseletmein', RFC_STORED)).toBe(true); // parameters come from the stored string
    expect(await fast.verify('pleaseletmeiN', RFC_STORED)).toBe(false);
  });

  it('salts every hash: same password, different strings, both verify', async () => {
    const a = await fast.hash('correct horse battery staple');
    const b = await fast.hash('correct horse battery staple');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^\$scrypt\$ln=4,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toContain('correct horse');
    expect(await fast.verify('correct horse battery staple', a)).toBe(true);
    expect(await fast.verify('correct horse battery stapl', a)).toBe(false);
    expect(await fast.verify('', a)).toBe(false);
  });

  it('normalises to NFKC: composed and decomposed forms of a password verify alike', async () => {
    const composed = 'caf\u00e9-passw0rd'; // é as one code point
    const decomposed = 'cafe\u0301-passw0rd'; // e + combining acute accent
    expect(composed).not.toBe(decomposed);
    expect(await fast.verify(decomposed, await fast.hash(composed))).toBe(true);
  });

  it('treats a tampered or malformed stored value as a mismatch, never throws', async () => {
    const good = await fast.hash('pw-123456789');
    const parts = good.split('$');
    const flipped = Buffer.from(parts[4], 'base64');
    flipped[0] ^= 1;
    const tampered = [...parts.slice(0, 4), unpadded(flipped)].join('$');
    expect(await fast.verify('pw-123456789', tampered)).toBe(false);
    for (const bad of ['', 'plain', '$2b$10$abcdefghijklmnopqrstuv', '$scrypt$ln=99,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$' + 'A'.repeat(43)]) {
      expect(await fast.verify('pw-123456789', bad)).toBe(false);
    }
  });

  it('refuses to parse parameters that would allocate absurd memory', () => {
    expect(parsePasswordHash('$scrypt$ln=21,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$' + 'A'.repeat(43))).toBeNull();
    expect(parsePasswordHash('$scrypt$ln=14,r=64,p=1$AAAAAAAAAAAAAAAAAAAAAA$' + 'A'.repeat(43))).toBeNull();
    expect(parsePasswordHash(RFC_STORED)).toMatchObject({ ln: 14, r: 8, p: 1 });
  });

  it('needsRehash when stored with weaker parameters than current', async () => {
    const strong = new PasswordHasher({ ln: 5, r: 8, p: 1, saltBytes: 16, keyBytes: 32 });
    const weakHash = await fast.hash('pw');
    expect(strong.needsRehash(weakHash)).toBe(true);
    expect(fast.needsRehash(weakHash)).toBe(false);
    expect(fast.needsRehash('garbage')).toBe(true);
  });
});
