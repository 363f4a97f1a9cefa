/**
 * OmniLux GET /api/library/files at scale: an index of N library files (default 100,000)
 * with identified metadata is built offline in the daemon's state dir, the built daemon
 * serves it (no startup scan), and wrk measures req/s and p99 for sorted pages at random
 * offsets (title, year desc, size) and for searches with a sort.
 * Standalone: `node dist/bench/omnilux.bench.js [--quick] [--set items=100000]`.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openIndexStore } from '../daemon/index/lmdb-store.js';
import type { ItemUpsert } from '../daemon/domain/ports.js';
import { findRepoRoot, intOption, type Bench, type BenchContext } from './lib/bench.js';
import { startDaemon } from './lib/daemon.js';
import { stopAll } from './lib/proc.js';
import { formatTable, metric, type Metric } from './lib/result.js';
import { runWrk } from './lib/wrk.js';

const WORDS = ['dark', 'knight', 'return', 'lost', 'city', 'star', 'river', 'night', 'storm', 'king', 'silent', 'golden', 'last', 'summer', 'empire', 'ghost', 'iron', 'blue', 'winter', 'shadow', 'red', 'moon', 'garden', 'fire'];
const GENRES = ['Action', 'Drama', 'Comedy', 'Thriller', 'Science Fiction', 'Horror', 'Romance'];

async function buildIndex(stateDir: string, mediaDir: string, n: number, log: (m: string) => void): Promise<void> {
  const store = await openIndexStore({ path: join(stateDir, 'index') });
  try {
    const root = await store.roots.create({ url: `file://${mediaDir}`, scheme: 'file', name: 'bench', status: 'online' });
    const lib = await store.libraries.create({ name: 'Movies', type: 'movie', locations: [{ rootId: root.id, path: '' }] });
    const loc = lib.locations[0].id;
    let seed = 42;
    const rnd = (k: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % k; };
    const started = Date.now();
    for (let i = 0; i < n; i += 5000) {
      const upserts: ItemUpsert[] = [];
      const metas: { title: string; year: number }[] = [];
      for (let j = i; j < Math.min(n, i + 5000); j++) {
        const title = `${WORDS[rnd(WORDS.length)]} ${WORDS[rnd(WORDS.length)]} ${j}`;
        const year = 1950 + rnd(75);
        metas.push({ title, year });
        upserts.push({ locationId: loc, libraryId: lib.id, relPath: `${title} (${year}).mkv`, name: `${title} (${year}).mkv`, kind: 'file', mediaType: 'video', size: 1e8 + rnd(1e9), mtimeMs: 1e12 + j });
      }
      const { added } = await store.items.applyBatch({ upserts });
      await store.items.updateMetaMany(added.map((it, k) => ({ id: it.id, meta: { type: 'movie', category: 'movie', ...metas[k], genres: [GENRES[k % GENRES.length]], overview: 'A generated plot about a journey.' } })));
      if (i % 20000 === 0) log(`indexed ${i + added.length}`);
    }
    log(`index of ${n} built in ${Date.now() - started} ms`);
  } finally {
    await store.close();
  }
}

export const bench: Bench = {
  name: 'omnilux',
  title: 'OmniLux GET /api/library/files at 100k items: req/s and p99',
  async run(ctx: BenchContext): Promise<Metric[]> {
    const n = intOption(ctx, 'items', 100_000, 20_000);
    const seconds = intOption(ctx, 'seconds', 10, 4);
    ctx.param('items', n);
    const stateDir = join(ctx.tmpDir, 'state');
    const mediaDir = join(ctx.tmpDir, 'media');
    await mkdir(mediaDir, { recursive: true });
    await buildIndex(stateDir, mediaDir, n, ctx.log);
    const d = await startDaemon(ctx.repoRoot, { stateDir, env: { ALCOVE_SCAN_ON_STARTUP: 'false', ALCOVE_SCAN_WATCH: 'false' } });
    try {
      await fetch(`${d.baseUrl}/api/auth/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'bench-password' }) });
      const login = await fetch(`${d.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'bench-password' }) });
      const token = ((await login.json()) as { token: string }).token;
      const check = await fetch(`${d.baseUrl}/api/library/files?limit=1`, { headers: { authorization: `Bearer ${token}` } });
      const total = ((await check.json()) as { total: number }).total;
      if (total !== n) throw new Error(`daemon lists ${total} files, expected ${n}`);

      const cases: [string, string][] = [
        ['sort=title, random offset', `wrk.headers["Authorization"]="Bearer ${token}"\nrequest=function() return wrk.format("GET", "/api/library/files?sort=title&limit=50&offset=" .. math.random(0, ${n - 50})) end`],
        ['sort=year desc, random offset', `wrk.headers["Authorization"]="Bearer ${token}"\nrequest=function() return wrk.format("GET", "/api/library/files?sort=year&order=desc&limit=50&offset=" .. math.random(0, ${n - 50})) end`],
        ['search one word + sort=year', `wrk.headers["Authorization"]="Bearer ${token}"\nlocal w={${WORDS.map((x) => `"${x}"`).join(',')}}\nrequest=function() return wrk.format("GET", "/api/library/files?search=" .. w[math.random(1, #w)] .. "&sort=year&limit=50") end`],
        ['search two words + sort=title', `wrk.headers["Authorization"]="Bearer ${token}"\nlocal w={${WORDS.map((x) => `"${x}"`).join(',')}}\nrequest=function() return wrk.format("GET", "/api/library/files?search=" .. w[math.random(1, #w)] .. "%20" .. w[math.random(1, #w)] .. "&sort=title&limit=50") end`],
      ];
      const out: Metric[] = [];
      for (const [name, lua] of cases) {
        const r = await runWrk(`${d.baseUrl}/api/library/files`, { connections: 16, durationS: seconds, lua, scratchDir: ctx.tmpDir });
        ctx.log(`${name}: ${Math.round(r.requestsPerSec)} req/s, p99 ${r.latencyMs.p99} ms`);
        out.push(metric({ name: `${name}: throughput`, unit: "req/s", value: Math.round(r.requestsPerSec), note: r.non2xx ? `${r.non2xx} non-2xx` : undefined }));
        out.push(metric({ name: `${name}: p99`, unit: 'ms', value: r.latencyMs.p99, better: 'lower' }));
      }
      return out;
    } finally {
      await d.stop();
    }
  },
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const options: Record<string, string> = {};
  args.forEach((a, i) => { if (a === '--set' && args[i + 1]) { const [k, v] = args[i + 1].split('='); options[k.replace(/^omnilux\./, '')] = v ?? ''; } });
  const tmp = await mkdtemp(join(tmpdir(), 'alcove-bench-omni-'));
  const params: Record<string, unknown> = {};
  const ctx: BenchContext = {
    quick: args.includes('--quick'), repoRoot: findRepoRoot(), tmpDir: tmp, cacheDir: tmp, options,
    log: (m) => process.stderr.write(`[omnilux] ${m}\n`), param: (k, v) => { params[k] = v; },
  };
  try {
    const metrics = await bench.run(ctx);
    process.stdout.write(formatTable([{ bench: bench.name, title: bench.title, metrics, params, durationMs: 0 }]) + '\n');
  } finally {
    await stopAll();
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => { process.stderr.write(`${(err as Error).stack ?? String(err)}\n`); process.exitCode = 1; });
}
