/**
 * Name identification throughput and accuracy on the name corpus
 * (test/fixtures/names/*.json): our adapter (parsePathName: parse-torrent-title behind our
 * patterns and folder rules) against the two parsers measured for the choice, used raw.
 * Standalone: `node dist/bench/metadata-names.bench.js [--quick]`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { filenameParse } from '@ctrl/video-filename-parser';
import { parsePathName } from '../daemon/metadata/names/path-name.js';
import { findRepoRoot, type Bench, type BenchContext } from './lib/bench.js';
import { formatTable, metric, type Metric } from './lib/result.js';

type Row = [string, string, number | null, ...unknown[]];
const ptt = createRequire(import.meta.url)('parse-torrent-title') as { parse: (s: string) => { title?: string; year?: number } };
const fold = (s: string | undefined): string => (s ?? '').normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

function rate(fn: (s: string, hint: 'movie' | 'tv') => unknown, names: [string, 'movie' | 'tv'][], ms: number): number {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < ms) for (const [s, h] of names) { fn(s, h); n++; }
  return n / ((performance.now() - start) / 1000);
}

export const bench: Bench = {
  name: 'metadata-names',
  title: 'Name identification: names/s and corpus accuracy',
  async run(ctx: BenchContext): Promise<Metric[]> {
    const dir = join(ctx.repoRoot, 'test', 'fixtures', 'names');
    const movies = (JSON.parse(readFileSync(join(dir, 'movies.json'), 'utf8')) as { rows: Row[] }).rows;
    const tv = (JSON.parse(readFileSync(join(dir, 'tv.json'), 'utf8')) as { rows: Row[] }).rows;
    const names: [string, 'movie' | 'tv'][] = [...movies.map((r) => [r[0], 'movie'] as [string, 'movie']), ...tv.map((r) => [r[0], 'tv'] as [string, 'tv'])];
    const ms = ctx.quick ? 500 : 3000;
    ctx.param('names', names.length);
    const base = (p: string): string => p.split('/').pop()!.replace(/\.[a-z0-9]{2,4}$/i, '');
    const ours = rate((s, h) => parsePathName(s, h), names, ms);
    const pttRate = rate((s) => ptt.parse(base(s)), names, ms);
    const ctrlRate = rate((s, h) => filenameParse(base(s), h === 'tv'), names, ms);
    const acc = (f: (p: string, h: 'movie' | 'tv') => { title?: string; year?: number | string | null }): number => {
      let ok = 0;
      for (const [p, title, year] of [...movies, ...tv]) {
        const r = f(p, movies.some((m) => m[0] === p) ? 'movie' : 'tv');
        if (fold(r.title) === fold(title) && (year === null || Number(r.year) === year)) ok++;
      }
      return (ok / names.length) * 100;
    };
    const ourAcc = acc((p, h) => parsePathName(p, h));
    const pttAcc = acc((p) => ptt.parse(base(p)));
    const ctrlAcc = acc((p, h) => { const r = filenameParse(base(p), h === 'tv'); return { title: r.title, year: r.year }; });
    ctx.log(`ours ${Math.round(ours)}/s, ptt ${Math.round(pttRate)}/s, ctrl ${Math.round(ctrlRate)}/s`);
    return [
      metric({ name: 'parsePathName throughput', unit: 'names/s', value: Math.round(ours), baselineName: '@ctrl/video-filename-parser raw', baseline: Math.round(ctrlRate), goal: { on: 'value', op: '>=', target: 20_000 } }),
      metric({ name: 'parse-torrent-title raw throughput', unit: 'names/s', value: Math.round(pttRate) }),
      metric({ name: 'parsePathName accuracy (title+year)', unit: '%', value: Math.round(ourAcc * 100) / 100, baselineName: 'parse-torrent-title raw', baseline: Math.round(pttAcc * 100) / 100, goal: { on: 'value', op: '>=', target: 98 } }),
      metric({ name: '@ctrl/video-filename-parser raw accuracy', unit: '%', value: Math.round(ctrlAcc * 100) / 100 }),
    ];
  },
};

async function main(): Promise<void> {
  const params: Record<string, unknown> = {};
  const ctx: BenchContext = {
    quick: process.argv.includes('--quick'), repoRoot: findRepoRoot(), tmpDir: '/tmp', cacheDir: '/tmp', options: {},
    log: (m) => process.stderr.write(`[metadata-names] ${m}\n`), param: (k, v) => { params[k] = v; },
  };
  const metrics = await bench.run(ctx);
  process.stdout.write(formatTable([{ bench: bench.name, title: bench.title, metrics, params, durationMs: 0 }]) + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => { process.stderr.write(`${(err as Error).stack ?? String(err)}\n`); process.exitCode = 1; });
}
