import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for exchange API secrets at rest (docs/architecture.md §5).
 *
 * Blob format (one string, safe for a text column): `v1:<keyId>:<iv>:<tag>:<ciphertext>`, the last three in
 * base64url; a fresh random 12-byte IV per encryption; 16-byte auth tag. The version and key id are
 * authenticated too (GCM additional data), as is an optional `context` (e.g. the exchange-account id) that
 * binds a ciphertext to its row: a blob copied to another row does not decrypt.
 *
 * Keyring: several keys by id, one active. New blobs use the active key; old blobs still decrypt with their
 * key until re-encrypted (`needsRotation` / `rotate`). Key material is passed in (the config lib reads it).
 */

export class SecretCipherError extends Error {
  readonly code: 'SECRET_DECRYPTION_FAILED' | 'SECRET_KEY_INVALID' | 'SECRET_FORMAT_INVALID';
  constructor(code: SecretCipherError['code'], message: string) {
    super(message);
    this.name = 'SecretCipherError';
    this.code = code;
  }
}

export interface SecretKeyring {
  readonly activeKeyId: string;
  /** key id -> 32-byte key (a Buffer, or base64 text) */
  readonly keys: Readonly<Record<string, Uint8Array | string>>;
}

const VERSION = 'v1';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface ParsedBlob {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

export class SecretCipher {
  private readonly keys = new Map<string, Buffer>();
  readonly activeKeyId: string;

  constructor(keyring: SecretKeyring) {
    for (const [id, material] of Object.entries(keyring.keys)) {
      if (!KEY_ID.test(id)) throw new SecretCipherError('SECRET_KEY_INVALID', `key id "${id}" must match ${String(KEY_ID)}`);
      const key = typeof material === 'string' ? Buffer.from(material, 'base64') : Buffer.from(material);
      if (key.length !== 32) throw new SecretCipherError('SECRET_KEY_INVALID', `key "${id}" must be 32 bytes (got ${key.length})`);
      this.keys.set(id, key);
    }
    if (!this.keys.has(keyring.activeKeyId)) throw new SecretCipherError('SECRET_KEY_INVALID', `active key "${keyring.activeKeyId}" is not in the keyring`);
    this.activeKeyId = keyring.activeKeyId;
  }

  /** A one-key cipher from a base64 32-byte key (e.g. ENCRYPTION_KEY). */
  static fromBase64Key(base64Key: string, keyId = 'k1'): SecretCipher {
    return new SecretCipher({ activeKeyId: keyId, keys: { [keyId]: base64Key } });
  }

  encrypt(plaintext: string, context = ''): string {
    const key = this.keys.get(this.activeKeyId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(this.activeKeyId, context));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.activeKeyId, b64(iv), b64(tag), b64(ct)].join(':');
  }

  decrypt(blob: string, context = ''): string {
    const p = parse(blob);
    const key = this.keys.get(p.keyId);
    if (!key) throw new SecretCipherError('SECRET_DECRYPTION_FAILED', `no key "${p.keyId}" in the keyring`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, p.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(p.keyId, context));
      decipher.setAuthTag(p.tag);
      return Buffer.concat([decipher.update(p.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      // never echo the blob or any plaintext
      throw new SecretCipherError('SECRET_DECRYPTION_FAILED', `secret could not be decrypted with key "${p.keyId}" (wrong key, wrong context or tampered data)`);
    }
  }

  /** The key id a blob was encrypted with. */
  keyIdOf(blob: string): string {
    return parse(blob).keyId;
  }

  /** True when the blob was not encrypted with the active key. */
  needsRotation(blob: string): boolean {
    return parse(blob).keyId !== this.activeKeyId;
  }

  /** Re-encrypt with the active key (returns the blob unchanged when already current). */
  rotate(blob: string, context = ''): string {
    return this.needsRotation(blob) ? this.encrypt(this.decrypt(blob, context), context) : blob;
  }
}

function aad(keyId: string, context: string): Buffer {
  return Buffer.from(`${VERSION}:${keyId}:${context}`, 'utf8');
}

function b64(b: Buffer): string {
  return b.toString('base64url');
}

function parse(blob: string): ParsedBlob {
  const parts = typeof blob === 'string' ? blob.split(':') : [];
  if (parts.length !== 5 || parts[0] !== VERSION || !KEY_ID.test(parts[1])) {
    throw new SecretCipherError('SECRET_FORMAT_INVALID', `not a ${VERSION} secret blob`);
  }
  const iv = Buffer.from(parts[2], 'base64url');
  const tag = Buffer.from(parts[3], 'base64url');
  const ciphertext = Buffer.from(parts[4], 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretCipherError('SECRET_FORMAT_INVALID', `not a ${VERSION} secret blob`);
  return { keyId: parts[1], iv, tag, ciphertext };
}
