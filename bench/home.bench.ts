/**
 * Home surface benchmark (h3xed). Standalone: `node dist/bench/home.bench.js [--quick]
 * [--set items=N --set seconds=S]` (also exports `bench` in run.ts's shape).
 *
 * In process, real LMDB, the real home services (what the HTTP handlers call):
 * 1. Progress at a TV cadence: 50 simulated TVs each report every 5 s (`seconds` of wall
 *    time, reports spread evenly) through WatchService.report, flushed every 2 s in one
 *    transaction: reports/s, report latency p50/p99, flush transaction p99.
 * 2. Progress capacity: the same 50 users reporting back to back: reports/s sustained,
 *    including the 2 s flushes.
 * 3. Continue watching at `items` (default 100,000) indexed files: each of 50 users has 200
 *    progress records (150 partial, 50 watched episodes of a show); p50/p99 of one list.
 * 4. Library items at `items` files: a page of 50 at a random offset, title order
 *    (range scan), and the same for users with a content-rating or a label restriction
 *    (5% of the files rated, 1% labelled; the hidden ones come from the item-access index).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ItemUpsert } from '../daemon/domain/ports.js';
import type { Item } from '../daemon/domain/types.js';
import { openIndexStore, type LmdbIndexStore } from '../daemon/index/lmdb-store.js';
import { AccessService } from '../daemon/services/access/access.service.js';
import { ContinueWatchingService } from '../daemon/services/home/continue-watching.service.js';
import { HomePresenter } from '../daemon/services/home/home-item.js';
import { ItemTree } from '../daemon/services/home/item-tree.js';
import { LibraryBrowseService, type ItemsQuery } from '../daemon/services/home/library-browse.service.js';
import { ProgressService } from '../daemon/services/home/progress.service.js';
import { WatchService } from '../daemon/services/home/watch.service.js';
import { findRepoRoot, intOption, type Bench, type BenchContext } from './lib/bench.js';
import { defaultCacheRoot } from './lib/cache.js';
import { formatTable, metric, type Metric } from './lib/result.js';

const TVS = 50;
const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const sortNum = (a: number[]): number[] => a.slice().sort((x, y) => x - y);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface World {
  store: LmdbIndexStore; files: number[]; episodes: Item[]; users: number[]; libraryId: number;
  access: AccessService; tree: ItemTree; progress: ProgressService; watch: WatchService;
  cw: ContinueWatchingService; browse: LibraryBrowseService;
}

async function build(dir: string, items: number, log: (m: string) => void): Promise<World> {
  const store = await openIndexStore({ path: join(dir, 'index') });
  const lib = await store.libraries.create({ name: 'Movies', type: 'movie', locations: [{ rootId: 1, path: '' }] });
  const loc = lib.locations[0].id;
  const started = performance.now();
  const files: number[] = [];
  for (let d = 0; d * 1000 < items; d++) {
    const folder = `Folder ${String(d).padStart(4, '0')}`;
    const upserts: ItemUpsert[] = [{ locationId: loc, libraryId: lib.id, relPath: folder, name: folder, kind: 'dir', mediaType: 'folder', size: 0, mtimeMs: 1 }];
    for (let i = d * 1000; i < Math.min(items, (d + 1) * 1000); i++) {
      const name = `Movie ${String(i).padStart(6, '0')} (${1950 + (i % 70)}).mkv`;
      upserts.push({ locationId: loc, libraryId: lib.id, relPath: `${folder}/${name}`, name, kind: 'file', mediaType: 'video', size: 1e9 + i, mtimeMs: 1_000 + i });
    }
    const r = await store.items.applyBatch({ upserts });
    for (const it of r.added) if (it.kind === 'file') files.push(it.id);
  }
  for (const id of files.slice(0, 2_000)) await store.items.setProbe(id, 'done', { durationMs: 6_000_000, container: 'matroska', video: [{ index: 0, codec: 'h264', width: 1920, height: 1080 }] });
  const show = await store.items.createVirtual({ kind: 'show', libraryId: lib.id, locationId: 0, parentId: 0, name: 'Show', relPath: '', mediaType: 'folder', size: 0, mtimeMs: 0, offline: false, meta: { title: 'Show', fileIds: [] } });
  const episodes: Item[] = [];
  for (let s = 1; s <= 5; s++) {
    const season = await store.items.createVirtual({ kind: 'season', libraryId: lib.id, locationId: 0, parentId: show.id, name: `Season ${s}`, relPath: '', mediaType: 'folder', size: 0, mtimeMs: 0, offline: false, meta: { season: s, fileIds: [] } });
    for (let e = 1; e <= 20; e++) {
      episodes.push(await store.items.createVirtual({ kind: 'episode', libraryId: lib.id, locationId: 0, parentId: season.id, name: `${s}x${e}`, relPath: '', mediaType: 'video', size: 0, mtimeMs: 0, offline: false, meta: { title: `E${e}`, season: s, episode: e, showId: show.id, runtimeMin: 45, fileIds: [] } }));
    }
  }
  const users: number[] = [];
  for (let u = 0; u < TVS; u++) users.push((await store.users.create({ username: `tv${u}`, passwordHash: 'x', role: 'user', locked: false })).id);
  log(`indexed ${files.length} files + 106 virtual items in ${Math.round(performance.now() - started)} ms`);
  const access = new AccessService(store);
  const tree = new ItemTree(store);
  const progress = new ProgressService(store, (i) => tree.durationOf(i));
  const presenter = new HomePresenter(store, tree, (u, i) => progress.get(u, i));
  return {
    store, files, episodes, users, libraryId: lib.id, access, tree, progress,
    watch: new WatchService(store, access, tree, presenter, progress),
    cw: new ContinueWatchingService(store, tree, presenter, progress),
    browse: new LibraryBrowseService(store, tree, presenter, progress),
  };
}

async function tvCadence(w: World, seconds: number): Promise<Metric[]> {
  const lat: number[] = [];
  const flushes: number[] = [];
  const scopes = w.users.map((u) => w.access.scopeFor(u, false, undefined));
  const offsets = w.users.map(() => 0);
  const t0 = performance.now();
  let nextFlush = t0 + 2_000;
  let n = 0;
  // Each TV reports every 5 s; 50 TVs -> one report every 100 ms, round robin.
  for (let k = 0; performance.now() - t0 < seconds * 1000; k++) {
    const due = t0 + k * (5_000 / TVS);
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const tv = k % TVS;
    offsets[tv] += 5_000;
    const s = performance.now();
    w.watch.report(scopes[tv], { ratingKey: String(w.files[tv]), offset: offsets[tv] });
    lat.push(performance.now() - s);
    n++;
    if (performance.now() >= nextFlush) {
      const f = performance.now();
      await w.progress.flush();
      flushes.push(performance.now() - f);
      nextFlush += 2_000;
    }
  }
  const elapsed = (performance.now() - t0) / 1000;
  const l = sortNum(lat); const f = sortNum(flushes);
  return [
    metric({ name: 'progress reports/s (50 TVs, every 5 s)', unit: 'req/s', value: Math.round((n / elapsed) * 10) / 10, note: 'offered load: 10/s' }),
    metric({ name: 'progress report p50', unit: 'ms', value: round(percentile(l, 50)), better: 'lower' }),
    metric({ name: 'progress report p99', unit: 'ms', value: round(percentile(l, 99)), better: 'lower', goal: { on: 'value', op: '<=', target: 5 } }),
    metric({ name: 'progress flush txn p99 (2 s batch)', unit: 'ms', value: round(percentile(f, 99)), better: 'lower' }),
  ];
}

async function capacity(w: World, seconds: number): Promise<Metric[]> {
  const scopes = w.users.map((u) => w.access.scopeFor(u, false, undefined));
  const before = w.progress.stats.written;
  const t0 = performance.now();
  let nextFlush = t0 + 2_000;
  let n = 0;
  const lat: number[] = [];
  while (performance.now() - t0 < seconds * 1000) {
    for (let tv = 0; tv < TVS; tv++) {
      const s = performance.now();
      w.watch.report(scopes[tv], { ratingKey: String(w.files[(n * 7 + tv) % 2_000]), offset: (n % 1000) * 1000 });
      lat.push(performance.now() - s);
      n++;
    }
    if (performance.now() >= nextFlush) { await w.progress.flush(); nextFlush += 2_000; }
    else await new Promise((r) => setImmediate(r));
  }
  await w.progress.flush();
  const elapsed = (performance.now() - t0) / 1000;
  const l = sortNum(lat);
  return [
    metric({ name: 'progress capacity (50 users, back to back)', unit: 'req/s', value: Math.round(n / elapsed), goal: { on: 'value', op: '>=', target: 10_000 } }),
    metric({ name: 'progress capacity report p99', unit: 'ms', value: round(percentile(l, 99)), better: 'lower' }),
    metric({ name: 'progress records written/s', unit: 'rec/s', value: Math.round((w.progress.stats.written - before) / elapsed), note: 'coalesced per (user, item) per flush' }),
  ];
}

async function continueWatching(w: World, rounds: number): Promise<Metric[]> {
  for (const [u, user] of w.users.entries()) {
    const entries = [];
    for (let i = 0; i < 150; i++) entries.push({ userId: user, progress: { itemId: w.files[(u * 150 + i) % 2_000], offsetMs: 60_000, durationMs: 6_000_000, watched: false, viewCount: 0, lastViewedAt: 1_000 + i, updatedAt: 1_000 + i } });
    for (let i = 0; i < 50; i++) entries.push({ userId: user, progress: { itemId: w.episodes[i].id, offsetMs: 0, durationMs: 2_700_000, watched: true, viewCount: 1, lastViewedAt: 2_000 + i, updatedAt: 2_000 + i } });
    await w.store.progress.putMany(entries);
  }
  const lat: number[] = [];
  let len = 0;
  for (let r = 0; r < rounds; r++) {
    const user = w.users[r % TVS];
    const s = performance.now();
    len = (await w.cw.list(w.access.scopeFor(user, false, undefined), 20)).length;
    lat.push(performance.now() - s);
  }
  const l = sortNum(lat);
  return [
    metric({ name: 'continue-watching p50 (200 records/user)', unit: 'ms', value: round(percentile(l, 50)), better: 'lower', goal: { on: 'value', op: '<=', target: 10 }, note: `${len} entries incl. next episode` }),
    metric({ name: 'continue-watching p99', unit: 'ms', value: round(percentile(l, 99)), better: 'lower' }),
  ];
}

async function libraryItems(w: World, rounds: number, items: number): Promise<Metric[]> {
  const lib = w.store.libraries.get(w.libraryId)!;
  const q = (offset: number): ItemsQuery => ({ offset, limit: 50, sort: 'title', order: 'asc' });
  // Content rules: 5% of the files carry a rating (half 'R', half 'PG'), 1% the label 'horror'.
  const rated: { id: number; meta: Record<string, unknown> }[] = [];
  let r = 0; let horror = 0;
  w.files.forEach((id, i) => {
    const meta: Record<string, unknown> = {};
    if (i % 40 === 0) { meta.contentRating = 'R'; r++; } else if (i % 40 === 20) meta.contentRating = 'PG';
    if (i % 100 === 7) { meta.labels = ['Horror']; horror++; }
    if (Object.keys(meta).length) rated.push({ id, meta });
  });
  await w.store.items.updateMetaMany(rated);
  // A scope is built per request (it memoizes what it finds); one per call, as the handlers do.
  const plain = () => w.access.scopeFor(w.users[0], false, undefined);
  const byRating = () => w.access.scopeFor(w.users[1], false, { maxContentRating: 'PG-13' });
  const byLabel = () => w.access.scopeFor(w.users[2], false, { excludedLabels: ['horror'] });
  const time = (scope: typeof plain, expected: number, max: number, budgetMs: number): number[] => {
    const lat: number[] = [];
    const t0 = performance.now();
    for (let n = 0; n < max && (n < 5 || performance.now() - t0 < budgetMs); n++) {
      const s = performance.now();
      const page = w.browse.items(scope(), lib, q(Math.floor(((n * 7919) % 1000) / 1000 * (expected - 50))));
      lat.push(performance.now() - s);
      if (page.totalCount !== expected) throw new Error(`expected ${expected} items, got ${page.totalCount}`);
    }
    return sortNum(lat);
  };
  const a = time(plain, items, rounds, Infinity);
  const b = time(byRating, items - r, rounds, 15_000);
  const c = time(byLabel, items - horror, rounds, 15_000);
  return [
    metric({ name: `library items p50 (${items} files, page of 50)`, unit: 'ms', value: round(percentile(a, 50)), better: 'lower', goal: { on: 'value', op: '<=', target: 10 } }),
    metric({ name: 'library items p99', unit: 'ms', value: round(percentile(a, 99)), better: 'lower' }),
    metric({ name: 'library items p50, rating-restricted user', unit: 'ms', value: round(percentile(b, 50)), better: 'lower', note: `5% rated, ${r} hidden; ${b.length} calls` }),
    metric({ name: 'library items p99, rating-restricted user', unit: 'ms', value: round(percentile(b, 99)), better: 'lower' }),
    metric({ name: 'library items p50, label-restricted user', unit: 'ms', value: round(percentile(c, 50)), better: 'lower', note: `${horror} labelled; ${c.length} calls` }),
    metric({ name: 'library items p99, label-restricted user', unit: 'ms', value: round(percentile(c, 99)), better: 'lower' }),
  ];
}

const round = (v: number): number => Math.round(v * 100) / 100;

export const bench: Bench = {
  name: 'home',
  title: 'h3xed home surface: progress writes, continue watching, library items',
  async run(ctx) {
    const items = intOption(ctx, 'items', 100_000, 20_000);
    const seconds = intOption(ctx, 'seconds', 20, 6);
    const rounds = intOption(ctx, 'rounds', 200, 50);
    ctx.param('items', items); ctx.param('seconds', seconds); ctx.param('rounds', rounds); ctx.param('tvs', TVS);
    const dir = await mkdtemp(join(ctx.tmpDir || tmpdir(), 'home-'));
    const w = await build(dir, items, ctx.log);
    try {
      return [
        ...await tvCadence(w, seconds),
        ...await capacity(w, Math.min(5, seconds)),
        ...await continueWatching(w, rounds),
        ...await libraryItems(w, rounds, items),
      ];
    } finally {
      await w.progress.stop();
      await w.store.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/** Standalone entry: node dist/bench/home.bench.js [--quick] [--set key=value ...] */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const options: Record<string, string> = {};
  args.forEach((a, i) => {
    if (a === '--set' && args[i + 1]) { const [k, v] = args[i + 1].split('='); options[k.replace(/^home\./, '')] = v ?? ''; }
  });
  const tmp = await mkdtemp(join(tmpdir(), 'alcove-bench-home-'));
  const params: Record<string, unknown> = {};
  const ctx: BenchContext = {
    quick: args.includes('--quick'), repoRoot: findRepoRoot(), tmpDir: tmp, cacheDir: defaultCacheRoot(), options,
    log: (m) => process.stderr.write(`[home] ${m}\n`), param: (k, v) => { params[k] = v; },
  };
  try {
    const metrics = await bench.run(ctx);
    process.stdout.write(formatTable([{ bench: bench.name, title: bench.title, metrics, params, durationMs: 0 }]) + '\n');
    process.stdout.write(JSON.stringify({ params, metrics }, null, 2) + '\n');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => { process.stderr.write(`${(err as Error).stack ?? String(err)}\n`); process.exitCode = 1; });
}
