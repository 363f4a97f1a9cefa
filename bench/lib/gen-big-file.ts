/**
 * Generator: one large file of real random bytes (no sparse holes, incompressible), for the
 * streaming benchmark. Written in 16 MiB chunks; cached by size.
 */
import { open } from 'node:fs/promises';
import { randomFillSync } from 'node:crypto';
import { join } from 'node:path';
import { cached } from './cache.js';

export async function generateBigFile(cacheRoot: string, bytes: number): Promise<{ dir: string; path: string; name: string; bytes: number; built: boolean }> {
  const name = 'big.bin';
  const { dir, built } = await cached(cacheRoot, 'bigfile', { bytes }, async (d) => {
    const fh = await open(join(d, name), 'w');
    try {
      const chunk = Buffer.allocUnsafe(16 * 1024 * 1024);
      for (let written = 0; written < bytes;) {
        const n = Math.min(chunk.length, bytes - written);
        randomFillSync(chunk, 0, n);
        await fh.write(chunk, 0, n, written);
        written += n;
      }
    } finally { await fh.close(); }
  });
  return { dir, path: join(dir, name), name, bytes, built };
}
