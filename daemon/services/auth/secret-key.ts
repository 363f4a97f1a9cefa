/**
 * The daemon's master secret (paths.secretKeyFile, mode 0600): 64 random bytes, created on
 * first start. Consumers never use it directly: each derives its own key with HKDF and a
 * purpose label (`deriveKey(master, 'alcove-jwt')`), so the JWT key and the key that
 * encrypts storage credentials are independent even though one file holds the secret.
 *
 * Creation is race-free: the bytes are written to a private temp file and hard-linked into
 * place, so a concurrent starter (daemon and CLI) either wins or reads the winner's file.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

const MASTER_BYTES = 64;
const MIN_BYTES = 32;

async function writePrivateFile(path: string, data: Buffer): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Read the master secret from `file`, creating it (and its directory, 0700) if missing.
 * Tightens a too-open mode to 0600. Throws when the file exists but holds fewer than 32 bytes.
 */
export async function loadOrCreateSecretKey(file: string): Promise<Uint8Array> {
  const existing = await readExisting(file);
  if (existing) return existing;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writePrivateFile(tmp, randomBytes(MASTER_BYTES));
  try {
    await link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  const created = await readExisting(file);
  if (!created) throw new Error(`secret key file ${file} vanished after creation`);
  return created;
}

async function readExisting(file: string): Promise<Uint8Array | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (bytes.length < MIN_BYTES) throw new Error(`secret key file ${file} is too short (${bytes.length} bytes, need ${MIN_BYTES})`);
  const info = await stat(file);
  if ((info.mode & 0o077) !== 0) await chmod(file, 0o600);
  return new Uint8Array(bytes);
}

/** A 32-byte key for one purpose, derived from the master secret with HKDF-SHA256. */
export function deriveKey(master: Uint8Array, purpose: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', master, Buffer.alloc(0), purpose, 32));
}
