/**
 * Content hashes for duplicate detection, read through the storage adapter:
 * - partial: sha256 of the first and last 64 KiB (plus the size), two ranged reads;
 * - full: sha256 of every byte. Files up to 128 KiB: partial == full (one read).
 */
import { createHash } from 'node:crypto';
import type { StorageAdapter } from '../../../../storage-adapters/types.js';

export const PARTIAL_BYTES = 64 * 1024;

async function feed(adapter: StorageAdapter, path: string, hash: ReturnType<typeof createHash>, start: number, end: number, signal?: AbortSignal): Promise<number> {
  const stream = await adapter.createReadStream(path, { start, end, signal, highWaterMark: 512 * 1024 });
  let n = 0;
  for await (const chunk of stream) { hash.update(chunk as Buffer); n += (chunk as Buffer).length; }
  return n;
}

export async function partialHash(adapter: StorageAdapter, path: string, size: number, signal?: AbortSignal): Promise<{ hash: string; bytes: number }> {
  const h = createHash('sha256');
  if (size <= 2 * PARTIAL_BYTES) {
    const bytes = size ? await feed(adapter, path, h, 0, size - 1, signal) : 0;
    return { hash: h.digest('hex'), bytes };
  }
  h.update(`${size}:`);
  let bytes = await feed(adapter, path, h, 0, PARTIAL_BYTES - 1, signal);
  bytes += await feed(adapter, path, h, size - PARTIAL_BYTES, size - 1, signal);
  return { hash: h.digest('hex'), bytes };
}

export async function fullHash(adapter: StorageAdapter, path: string, size: number, signal?: AbortSignal): Promise<{ hash: string; bytes: number }> {
  const h = createHash('sha256');
  const bytes = size ? await feed(adapter, path, h, 0, size - 1, signal) : 0;
  return { hash: h.digest('hex'), bytes };
}
