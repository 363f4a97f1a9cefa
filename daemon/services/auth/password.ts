/**
 * Password hashing with scrypt (node:crypto), constant-time verification, and a dummy
 * verification that costs the same as a real one so that "unknown user" and "wrong
 * password" take equal time.
 *
 * Encoded form: `scrypt$N$r$p$saltB64$hashB64` (standard base64). The parameters travel
 * with the hash, so raising the default cost later keeps old hashes verifiable.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
  /** Derived key length in bytes (32..64). */
  keyLen: number;
}

/** 2^15 x 8 x 128 B = 32 MiB and ~50-100 ms per hash on a NAS-class core. */
export const DEFAULT_SCRYPT: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 15, r: 8, p: 1, keyLen: 32 });

const SALT_BYTES = 16;

function scryptAsync(password: string | Buffer, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // maxmem must exceed 128*N*r, or Node refuses (its default is exactly 32 MiB).
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCb(password, salt, params.keyLen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function checkParams(params: ScryptParams): void {
  const { N, r, p, keyLen } = params;
  if (!Number.isInteger(N) || N < 2 || (N & (N - 1)) !== 0 || N > 2 ** 20) throw new RangeError(`scrypt N must be a power of two up to 2^20, got ${N}`);
  if (!Number.isInteger(r) || r < 1 || r > 32) throw new RangeError(`scrypt r out of range: ${r}`);
  if (!Number.isInteger(p) || p < 1 || p > 16) throw new RangeError(`scrypt p out of range: ${p}`);
  if (!Number.isInteger(keyLen) || keyLen < 32 || keyLen > 64) throw new RangeError(`scrypt key length must be 32..64, got ${keyLen}`);
}

/** Hash a password with a fresh 16-byte salt. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  checkParams(params);
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password.normalize('NFC'), salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

interface ParsedHash { params: ScryptParams; salt: Buffer; key: Buffer }

function parseHash(encoded: string): ParsedHash | undefined {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const salt = Buffer.from(parts[4], 'base64');
  const key = Buffer.from(parts[5], 'base64');
  const params = { N, r, p, keyLen: key.length };
  try { checkParams(params); } catch { return undefined; }
  if (salt.length < 8) return undefined;
  return { params, salt, key };
}

/**
 * True when `password` matches `encoded`. A malformed hash verifies as false (after the
 * cost of a dummy verification, so a corrupt record is not a timing oracle either).
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (!parsed) return dummyVerify(password);
  const key = await scryptAsync(password.normalize('NFC'), parsed.salt, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

const DUMMY_SALT = randomBytes(SALT_BYTES);

/**
 * Costs what a real verification with `params` costs and always answers false. Call it
 * when the user does not exist so that the response time does not reveal that fact.
 */
export async function dummyVerify(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<false> {
  const key = await scryptAsync(password.normalize('NFC'), DUMMY_SALT, params);
  timingSafeEqual(key, Buffer.alloc(key.length));
  return false;
}

/** True when the stored hash uses weaker parameters than `params` (rehash on next login). */
export function needsRehash(encoded: string, params: ScryptParams = DEFAULT_SCRYPT): boolean {
  const parsed = parseHash(encoded);
  if (!parsed) return true;
  return parsed.params.N < params.N || parsed.params.r < params.r || parsed.params.p < params.p
    || parsed.params.keyLen < params.keyLen;
}
