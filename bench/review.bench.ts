/**
 * Benchmark: Media Reviewer (seed 001), in process over the real services (LMDB index in a
 * temp dir, local storage adapter, sharp, no scanner), so the figures are the reviewer's
 * own work and not the scanner's or the probe job's running beside it.
 *
 *  - stream: a 100,000-file tree (bench/lib/gen-tree, media names; image/video ones are
 *    streamed): items/s for pages of 10,000 chained with the `after` cursor over the whole
 *    tree, as NDJSON text; first-item latency of a fresh stream; RSS growth over the walk.
 *  - warm-up: `photos` camera-size JPEGs (default 200 at 4000x3000) -> freedesktop 256 px
 *    PNG thumbnails with text chunks, images/s at the default concurrency (CPU count).
 *
 * Run alone: `npx tsc -p . && node dist/bench/review.bench.js [--quick]`, or register it in
 * run.ts (name 'review').
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { intOption, type Bench, type BenchContext } from './lib/bench.js';
import { defaultCacheRoot } from './lib/cache.js';
import { generateTree } from './lib/gen-tree.js';
import { generatePhotos } from './lib/gen-photos.js';
import { metric, type Metric } from './lib/result.js';
import { openIndexStore } from '../daemon/index/lmdb-store.js';
import { silentLogger } from '../daemon/log/logger.js';
import { SecretBox } from '../daemon/services/storage/secret-box.js';
import { StorageRootService } from '../daemon/services/storage/storage-root.service.js';
import { LibraryService } from '../daemon/services/libraries/library.service.js';
import { ReviewService } from '../daemon/services/review/review.service.js';
import { AdapterRegistry } from '../storage-adapters/registry.js';
import { createLocalAdapter } from '../storage-adapters/local/local.adapter.js';

async function makeService(dir: string): Promise<{ sut: ReviewService; close: () => Promise<void> }> {
  const store = await openIndexStore({ path: join(dir, 'index') });
  const registry = new AdapterRegistry();
  registry.register('file', createLocalAdapter);
  const roots = new StorageRootService(store, registry, new SecretBox(randomBytes(32)), silentLogger());
  const sut = await ReviewService.create({
    index: store, libraries: new LibraryService(store, roots), getAdapter: (id) => roots.getAdapter(id),
    stateDir: join(dir, 'state'), logger: silentLogger(), overrides: { autoThumbnail: false }, ffmpegPath: '/usr/bin/ffmpeg',
  });
  return { sut, close: async () => { await sut.stop(); await roots.close(); await store.close(); } };
}

async function streamBench(ctx: BenchContext, sut: ReviewService, root: string): Promise<Metric[]> {
  await sut.paths.add(root);
  // First item of a fresh stream (what a client waits for before painting).
  const t0 = performance.now();
  const first = await sut.listing.streamRequest(new URLSearchParams({ path: root, limit: '50' }));
  for await (const item of sut.listing.stream(first)) { JSON.stringify(item); break; }
  const firstMs = performance.now() - t0;

  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  let items = 0;
  let bytes = 0;
  let after: string | undefined;
  const t1 = performance.now();
  for (;;) {
    const params = new URLSearchParams({ path: root, limit: '10000' });
    if (after) params.set('after', after);
    const req = await sut.listing.streamRequest(params);
    let n = 0;
    for await (const item of sut.listing.stream(req)) {
      bytes += JSON.stringify(item).length + 1;
      after = item.path;
      n++;
      if ((items + n) % 5000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    items += n;
    if (n < 10_000) break;
  }
  const seconds = (performance.now() - t1) / 1000;
  ctx.log(`stream: ${items} items in ${seconds.toFixed(2)} s`);
  ctx.param('stream.items', items);
  return [
    metric({ name: 'stream items/s (10,000-item pages, after cursor)', unit: 'items/s', value: Math.round(items / seconds), note: `${items} media items of 100,000 files, ${(bytes / 1048576).toFixed(1)} MiB NDJSON` }),
    metric({ name: 'stream first item latency', unit: 'ms', value: Math.round(firstMs * 10) / 10, better: 'lower' }),
    metric({ name: 'RSS growth over the full walk', unit: 'MiB', value: Math.round(((peak - rss0) / 1048576) * 10) / 10, better: 'lower' }),
  ];
}

async function warmupBench(ctx: BenchContext, sut: ReviewService, dir: string, count: number, w: number, h: number): Promise<Metric[]> {
  const photos = await generatePhotos(ctx.cacheDir, { count, width: w, height: h });
  const folder = join(dir, 'photos');
  await mkdir(folder);
  // Hard links: symlinks leading outside a review folder are refused by the adapter.
  for (const f of photos.files) await link(f, join(folder, basename(f)));
  const { location } = await sut.paths.add(folder);
  const t0 = performance.now();
  await sut.warmup.start(location);
  const seconds = (performance.now() - t0) / 1000;
  const state = sut.warmup.states().find((s) => s.path === folder);
  ctx.log(`warm-up: ${state?.ready} thumbnails in ${seconds.toFixed(2)} s`);
  return [metric({
    name: `thumbnail warm-up ${w}x${h} JPEG -> 256 px PNG`, unit: 'images/s', value: Math.round(((state?.ready ?? 0) / seconds) * 10) / 10,
    note: `${state?.ready}/${count} ready, ${sut.thumbnails.limiter.concurrency} in parallel (${availableParallelism()} CPUs)`,
  })];
}

export const bench: Bench = {
  name: 'review',
  title: 'Media Reviewer: NDJSON stream over 100,000 files; thumbnail warm-up',
  async run(ctx) {
    const files = intOption(ctx, 'files', 100_000, 10_000);
    const photos = intOption(ctx, 'photos', 200, 40);
    const tree = await generateTree(ctx.cacheDir, { files, dirs: Math.max(10, Math.round(files / 100)), names: 'media' });
    const { sut, close } = await makeService(ctx.tmpDir);
    try {
      return [...await streamBench(ctx, sut, tree.root), ...await warmupBench(ctx, sut, ctx.tmpDir, photos, 4000, 3000)];
    } finally {
      await close();
    }
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const tmp = await mkdtemp(join(tmpdir(), 'alcove-bench-review-'));
  const params: Record<string, unknown> = {};
  try {
    const metrics = await bench.run({
      quick, repoRoot: process.cwd(), tmpDir: tmp, cacheDir: defaultCacheRoot(), options: {},
      log: (m) => process.stderr.write(`${m}\n`), param: (k, v) => { params[k] = v; },
    });
    for (const m of metrics) console.log(`${m.name}: ${m.value} ${m.unit}${m.note ? ` (${m.note})` : ''}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
