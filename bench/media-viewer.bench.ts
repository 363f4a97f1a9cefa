/**
 * Media Viewer benchmark. Standalone: `node dist/bench/media-viewer.bench.js [--quick]`
 * (also exports `bench` in run.ts's shape).
 *
 * 1. Search latency, in process, at `items` (default 100,000) indexed files with generated
 *    names in a real LMDB index, 2% of them tagged: SearchService.search() for a fixed mix of
 *    queries (common word, two words, rare word, prefix, tag filter, text + exclusion),
 *    page of 50 presented with tags and favorites. Goal: p50 <= 5 ms. p99 reported.
 * 2. GET /api/files on a 10,000-item folder of the built daemon (hard-linked JPEGs), wrk
 *    -c32, a random page of 50 per request: name order, date desc, and with a type filter.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ItemUpsert } from '../daemon/domain/ports.js';
import { openIndexStore } from '../daemon/index/lmdb-store.js';
import { VirtualPathService } from '../daemon/services/browse/virtual-path.service.js';
import { MediaFilePresenter } from '../daemon/services/media-viewer/media-file.js';
import { SearchService } from '../daemon/services/media-viewer/search.service.js';
import { findRepoRoot, intOption, type Bench, type BenchContext } from './lib/bench.js';
import { defaultCacheRoot } from './lib/cache.js';
import { daemonBuilt, loginToken, startDaemon } from './lib/daemon.js';
import { generateMediaTree } from './lib/gen-media.js';
import { stopAll, which } from './lib/proc.js';
import { formatTable, metric, type Metric } from './lib/result.js';
import { runWrk } from './lib/wrk.js';

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet',
  'kilo', 'lima', 'mike', 'november', 'oscar', 'papa', 'quebec', 'romeo', 'sierra', 'tango', 'uniform',
  'victor', 'whiskey', 'xray', 'yankee', 'zulu', 'beach', 'holiday', 'family', 'birthday'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function searchLatency(ctx: BenchContext, items: number, rounds: number): Promise<Metric[]> {
  const dir = await mkdtemp(join(ctx.tmpDir || tmpdir(), 'mv-search-'));
  const store = await openIndexStore({ path: join(dir, 'index') });
  try {
    const lib = await store.libraries.create({ name: 'Photos', type: 'photo', locations: [{ rootId: 1, path: '' }] });
    const loc = lib.locations[0].id;
    const r = rng(42);
    const started = performance.now();
    const perDir = 1_000;
    for (let d = 0; d * perDir < items; d++) {
      const folder = `Album ${String(d).padStart(4, '0')} ${WORDS[d % WORDS.length]}`;
      const upserts: ItemUpsert[] = [{ locationId: loc, libraryId: lib.id, relPath: folder, name: folder, kind: 'dir', mediaType: 'folder', size: 0, mtimeMs: 1_000 }];
      for (let i = d * perDir; i < Math.min(items, (d + 1) * perDir); i++) {
        const words = [WORDS[Math.floor(r() * WORDS.length)], WORDS[Math.floor(r() * WORDS.length)], WORDS[Math.floor(r() * WORDS.length)]];
        const name = `${words.join(' ')} ${String(i).padStart(6, '0')}.${i % 10 === 0 ? 'mp4' : 'jpg'}`;
        upserts.push({ locationId: loc, libraryId: lib.id, relPath: `${folder}/${name}`, name, kind: 'file', mediaType: i % 10 === 0 ? 'video' : 'image', size: 1_000 + i, mtimeMs: 1_000 + i });
      }
      const res = await store.items.applyBatch({ upserts });
      const ids = res.added.filter((x) => x.kind === 'file').map((x) => x.id);
      // 2% tagged 'keeper', 1% 'rejected'.
      await store.tags.add(ids.filter((_, k) => k % 50 === 0), 'keeper');
      await store.tags.add(ids.filter((_, k) => k % 100 === 1), 'rejected');
    }
    ctx.log(`search: indexed ${items} items in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const user = await store.users.create({ username: 'bench', passwordHash: 'x', role: 'admin', locked: false });
    const paths = new VirtualPathService(store);
    const sut = new SearchService(store, paths, new MediaFilePresenter(store));
    const viewer = { userId: user.id };
    const queries = ['beach', 'holiday family', 'zulu 000123', 'kil', '004242', 'tag:keeper', 'alpha -tag:rejected', 'birthday tag:keeper', 'yankee xray', 'nothingmatches'];
    const times: number[] = [];
    const perQuery = new Map<string, number[]>();
    for (const q of queries) sut.search(viewer, { q, type: '', page: 1, pageSize: 50 }); // warm
    for (let round = 0; round < rounds; round++) {
      for (const q of queries) {
        const page = 1 + (round % 3);
        const t0 = performance.now();
        sut.search(viewer, { q, type: '', page, pageSize: 50 });
        const ms = performance.now() - t0;
        times.push(ms);
        (perQuery.get(q) ?? perQuery.set(q, []).get(q)!).push(ms);
      }
    }
    times.sort((a, b) => a - b);
    for (const [q, v] of perQuery) ctx.log(`  ${JSON.stringify(q)}: median ${v.sort((a, b) => a - b)[Math.floor(v.length / 2)].toFixed(2)} ms`);
    const slowest = [...perQuery].map(([q, v]) => [q, v.sort((a, b) => a - b)[Math.floor(v.length / 2)]] as const).sort((a, b) => b[1] - a[1])[0];
    ctx.param('searchItems', items); ctx.param('searchQueries', times.length);
    return [
      metric({ name: `search p50, ${items} items`, unit: 'ms', better: 'lower', value: Number(percentile(times, 50).toFixed(3)), goal: { on: 'value', op: '<=', target: 5 }, note: `${times.length} queries, page of 50` }),
      metric({ name: `search p99, ${items} items`, unit: 'ms', better: 'lower', value: Number(percentile(times, 99).toFixed(3)), note: `slowest query by median: '${slowest[0]}' ${slowest[1].toFixed(2)} ms` }),
    ];
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function filesThroughput(ctx: BenchContext, items: number, connections: number, durationS: number): Promise<Metric[]> {
  if (!(await which('wrk'))) throw new Error('wrk not found: apt-get install -y wrk');
  if (!(await daemonBuilt(ctx.repoRoot))) return [metric({ name: '/api/files page', unit: 'req/s', value: null, note: 'daemon not built' })];
  const ffmpeg = (await which('ffmpeg')) ?? 'ffmpeg';
  const media = await generateMediaTree(ctx.cacheDir, ffmpeg, { files: items, distinct: 12, perDir: items, kinds: ['jpg'] });
  const d = await startDaemon(ctx.repoRoot, { stateDir: join(ctx.tmpDir, 'state'), libraries: [{ name: 'Bench', path: media.root, type: 'photo' }] });
  const out: Metric[] = [];
  try {
    const token = await loginToken(d.baseUrl);
    await d.waitForRecord((r) => r.msg === 'scan finished', 300_000);
    await d.waitForRecord((r) => r.msg === 'probe queue drained', 300_000).catch(() => undefined);
    const pages = Math.ceil(items / 50);
    for (const [label, extra] of [['name asc', ''], ['date desc', '&sort=date&order=desc'], ['type=image', '&type=image']] as const) {
      const before = '/api/files?path=Bench%2FSet%200000&pageSize=50' + extra + '&page=';
      const lua = `local counter = 0
function setup(thread) counter = counter + 1; thread:set("seed", counter) end
function init(args) math.randomseed(seed or 1) end
request = function() return wrk.format("GET", ${JSON.stringify(before)} .. math.random(1, ${pages})) end
`;
      const probe = await fetch(`${d.baseUrl}${before}2`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await probe.json()) as { totalItems?: number };
      if (probe.status !== 200 || body.totalItems !== items) throw new Error(`listing answered ${probe.status} with totalItems ${body.totalItems}`);
      const w = await runWrk(`${d.baseUrl}${before}1`, { connections, durationS, headers: { Authorization: `Bearer ${token}` }, lua, scratchDir: ctx.tmpDir });
      ctx.log(`/api/files ${label}: ${w.requestsPerSec} req/s, p99 ${w.latencyMs.p99} ms`);
      out.push(metric({ name: `/api/files page of 50, ${items}-item folder, ${label}, -c${connections}`, unit: 'req/s', value: w.requestsPerSec, note: `p50 ${w.latencyMs.p50} ms, p99 ${w.latencyMs.p99} ms${w.non2xx ? `, ${w.non2xx} non-2xx` : ''}` }));
    }
  } finally {
    await d.stop();
  }
  ctx.param('folderItems', items);
  return out;
}

export const bench: Bench = {
  name: 'media-viewer',
  title: 'Media Viewer: search latency at 100,000 items, /api/files on a 10,000-item folder',
  async run(ctx) {
    const items = intOption(ctx, 'items', 100_000, 20_000);
    const rounds = intOption(ctx, 'rounds', 100, 20);
    const folder = intOption(ctx, 'folderItems', 10_000, 10_000);
    const connections = intOption(ctx, 'connections', 32);
    const seconds = intOption(ctx, 'seconds', 5, 3);
    const part = ctx.options.part ?? 'all';
    return [
      ...(part === 'files' ? [] : await searchLatency(ctx, items, rounds)),
      ...(part === 'search' ? [] : await filesThroughput(ctx, folder, connections, seconds)),
    ];
  },
};

/** Standalone entry: node dist/bench/media-viewer.bench.js [--quick] [--set key=value ...] */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const options: Record<string, string> = {};
  args.forEach((a, i) => {
    if (a === '--set' && args[i + 1]) { const [k, v] = args[i + 1].split('='); options[k.replace(/^media-viewer\./, '')] = v ?? ''; }
  });
  const tmp = await mkdtemp(join(tmpdir(), 'alcove-bench-mv-'));
  const params: Record<string, unknown> = {};
  const ctx: BenchContext = {
    quick: args.includes('--quick'), repoRoot: findRepoRoot(), tmpDir: tmp, cacheDir: defaultCacheRoot(), options,
    log: (m) => process.stderr.write(`[media-viewer] ${m}\n`), param: (k, v) => { params[k] = v; },
  };
  try {
    const metrics = await bench.run(ctx);
    process.stdout.write(formatTable([{ bench: bench.name, title: bench.title, metrics, params, durationMs: 0 }]) + '\n');
    process.stdout.write(JSON.stringify({ params, metrics }, null, 2) + '\n');
  } finally {
    await stopAll();
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => { process.stderr.write(`${(err as Error).stack ?? String(err)}\n`); process.exitCode = 1; });
}
