/**
 * Cache of generated benchmark data under /tmp (env ALCOVE_BENCH_CACHE overrides), keyed by
 * the generator's name and parameters, so a 100,000-file tree or a 1 GiB file is built once
 * and reused by later runs. A directory counts only once its `.complete` marker exists: a
 * generator interrupted half-way is rebuilt from scratch next time.
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function defaultCacheRoot(): string {
  return process.env.ALCOVE_BENCH_CACHE ?? '/tmp/alcove-bench-cache';
}

export function cacheKey(kind: string, params: Record<string, string | number>): string {
  const parts = Object.keys(params).sort().map((k) => `${k}${params[k]}`);
  return [kind, ...parts].join('-').replace(/[^A-Za-z0-9._-]/g, '_');
}

async function exists(path: string): Promise<boolean> {
  try { await stat(path); return true; } catch { return false; }
}

/**
 * The cached directory for (kind, params); `build(dir)` fills it on a miss.
 * Returns the directory and whether it was built now.
 */
export async function cached(
  root: string, kind: string, params: Record<string, string | number>,
  build: (dir: string) => Promise<void>,
): Promise<{ dir: string; built: boolean; buildMs: number }> {
  const dir = join(root, cacheKey(kind, params));
  const marker = join(dir, '.complete');
  if (await exists(marker)) return { dir, built: false, buildMs: 0 };
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const t0 = performance.now();
  await build(dir);
  await writeFile(marker, JSON.stringify({ kind, params, at: new Date().toISOString() }));
  return { dir, built: true, buildMs: performance.now() - t0 };
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) { const i = next++; await fn(items[i]!, i); }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
