/**
 * What a benchmark module exports, and the context run.ts hands it.
 * Each `<name>.bench.ts` exports `bench: Bench`. A benchmark creates its scratch files
 * under `ctx.tmpDir` (removed after the run) and long-lived generated data under
 * `ctx.cacheDir` (kept between runs, keyed by parameters).
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metric } from './result.js';

export interface BenchContext {
  /** Smaller variant (fewer files, shorter load). */
  quick: boolean;
  /** Repository root (where dist/ lives). */
  repoRoot: string;
  /** Scratch directory for this benchmark, removed afterwards. */
  tmpDir: string;
  /** Generated-data cache (default /tmp/alcove-bench-cache, env ALCOVE_BENCH_CACHE). */
  cacheDir: string;
  /** `--set bench.key=value` options for this benchmark (keys without the prefix). */
  options: Readonly<Record<string, string>>;
  /** Progress line to stderr. */
  log(message: string): void;
  /** Record a parameter actually used (goes to results JSON). */
  param(key: string, value: unknown): void;
}

export interface Bench {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<Metric[]>;
}

/** Integer option with default (and a different default in quick mode). */
export function intOption(ctx: BenchContext, key: string, full: number, quick = full): number {
  const raw = ctx.options[key];
  if (raw === undefined) return ctx.quick ? quick : full;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(n) || n < 0) throw new Error(`--set ${key}=${raw}: not a number`);
  return Math.floor(n);
}

export function stringOption(ctx: BenchContext, key: string, fallback: string): string {
  return ctx.options[key] ?? fallback;
}

/** Repository root, from dist/bench/lib/bench.js (or bench/lib/bench.ts under a TS loader). */
export function findRepoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${join('dist', 'bench')}`) ? join(here, '..', '..', '..') : join(here, '..', '..');
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
