import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt (node:crypto). No native bcrypt/argon2 package is installed in this project, and
 * scrypt is a memory-hard KDF recommended by OWASP, so we use it with a per-password random salt and compare
 * with `timingSafeEqual`.
 *
 * Stored form (PHC string format): `$scrypt$ln=15,r=8,p=1$<salt b64>$<hash b64>` (standard base64, no padding).
 * The cost parameters travel with each hash, so raising them later only needs `needsRehash()` + rehash on login.
 * Passwords are NFKC-normalised first, so the same password typed on different keyboards/OSes verifies.
 */
export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  readonly ln: number;
  /** Block size. */
  readonly r: number;
  /** Parallelism. */
  readonly p: number;
  /** Salt bytes (new hashes). */
  readonly saltBytes: number;
  /** Derived key bytes (new hashes). */
  readonly keyBytes: number;
}

/** N = 2^15, r = 8 (32 MiB, tens of ms): OWASP's minimum for scrypt, affordable on a small server. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { ln: 15, r: 8, p: 1, saltBytes: 16, keyBytes: 32 };

// Upper bounds when PARSING a stored hash: a tampered row must not make us allocate gigabytes.
const MAX_LN = 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_KEY_BYTES = 128;

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

interface ParsedHash {
  ln: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function b64(buf: Buffer): string {
  return buf.toString('base64').replace(/=+$/, '');
}

function derive(password: string, salt: Buffer, keyBytes: number, ln: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** ln;
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keyBytes, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export function parsePasswordHash(stored: string): ParsedHash | null {
  const m = PHC.exec(stored);
  if (!m) return null;
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (ln < 1 || ln > MAX_LN || r < 1 || r > MAX_R || p < 1 || p > MAX_P) return null;
  const salt = Buffer.from(m[4], 'base64');
  const hash = Buffer.from(m[5], 'base64');
  if (salt.length < 8 || hash.length < 16 || hash.length > MAX_KEY_BYTES) return null;
  return { ln, r, p, salt, hash };
}

export class PasswordHasher {
  constructor(
    private readonly params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
    private readonly randomSource: (bytes: number) => Buffer = randomBytes,
  ) {}

  /** A new salted hash of `password` in PHC format. */
  async hash(password: string): Promise<string> {
    const { ln, r, p, saltBytes, keyBytes } = this.params;
    const salt = this.randomSource(saltBytes);
    const key = await derive(password, salt, keyBytes, ln, r, p);
    return `$scrypt$ln=${ln},r=${r},p=${p}$${b64(salt)}$${b64(key)}`;
  }

  /**
   * True when `password` matches `stored`. A malformed or unsupported `stored` value is a mismatch (never throws
   * for bad input), and the comparison of the derived keys is constant-time.
   */
  async verify(password: string, stored: string): Promise<boolean> {
    const parsed = parsePasswordHash(stored);
    if (!parsed) return false;
    const key = await derive(password, parsed.salt, parsed.hash.length, parsed.ln, parsed.r, parsed.p);
    return key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
  }

  /** True when `stored` was made with weaker parameters than the current ones (rehash after a good login). */
  needsRehash(stored: string): boolean {
    const parsed = parsePasswordHash(stored);
    if (!parsed) return true;
    const { ln, r, p, keyBytes } = this.params;
    return parsed.ln < ln || parsed.r < r || parsed.p < p || parsed.hash.length < keyBytes;
  }
}
