/**
 * Catalogizer statistics and duplicate detection at scale (standalone):
 *
 *   npm run build && node dist/bench/catalogizer-stats.bench.js [items=100000]
 *
 * - builds an index of `items` files (in 1,000-file folders) on a local root through
 *   ItemRepo.applyBatch, as a scan would, so the catalog counters are kept incrementally;
 * - times every /api/v1/stats computation (service level: what a handler calls) 200 times:
 *   p50 / p95 in ms;
 * - duplicate detection over the same index: 4,000 files share sizes (2,000 true duplicate
 *   pairs on disk plus 1,000 same-size pairs with different content), the rest are unique
 *   sizes; reports the wall time of the first run (hashing) and of a rerun (cached hashes).
 * Prints one JSON object.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ItemUpsert } from '../daemon/domain/ports.js';
import { openIndexStore } from '../daemon/index/lmdb-store.js';
import { openCatalogRepos } from '../daemon/index/catalog.repo.js';
import { CatalogStatsService } from '../daemon/services/catalogizer/stats/stats.service.js';
import { DuplicateService } from '../daemon/services/catalogizer/duplicates/duplicate.service.js';
import { StorageRootService } from '../daemon/services/storage/storage-root.service.js';
import { SecretBox } from '../daemon/services/storage/secret-box.js';
import { createProductionRegistry } from '../storage-adapters/registry.js';
import { InProcessEventBus } from '../daemon/services/event-bus.js';
import { silentLogger } from '../daemon/log/logger.js';

function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 1000) / 1000;
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 100_000);
  const dir = await mkdtemp(join(tmpdir(), 'alcove-bench-catstats-'));
  const media = join(dir, 'media');
  await mkdir(media);
  const index = await openIndexStore({ path: join(dir, 'index') });
  try {
    const roots = new StorageRootService(index, createProductionRegistry(), new SecretBox(randomBytes(32)), silentLogger());
    const root = await roots.ensure(media, { name: 'nas-media' });
    const lib = await index.libraries.create({ name: 'nas-media', type: 'mixed', locations: [{ rootId: root.id, path: '' }] });
    const loc = lib.locations[0];
    const exts = ['.mkv', '.mp4', '.flac', '.jpg', '.srt', '.nfo', '.txt'];
    const types = ['video', 'video', 'audio', 'image', 'subtitle', 'nfo', 'other'] as const;
    const dupFiles = 4_000;
    const t0 = performance.now();
    const perDir = 1_000;
    for (let d = 0; d * perDir < count; d++) {
      const upserts: ItemUpsert[] = [{ locationId: loc.id, libraryId: lib.id, relPath: `d${d}`, name: `d${d}`, kind: 'dir', mediaType: 'folder', size: 0, mtimeMs: Date.now() }];
      const onDisk: Promise<void>[] = [];
      if (d * perDir < dupFiles) await mkdir(join(media, `d${d}`));
      for (let i = d * perDir; i < Math.min(count, (d + 1) * perDir); i++) {
        const k = i % exts.length;
        let size = 10_000_000 + i * 7;
        if (i < dupFiles) {
          // Pairs (i, i+1) share a size; pairs below 2,000 files share content too.
          const pair = Math.floor(i / 2);
          size = 200_000 + pair * 13;
          const data = i < 2_000 ? Buffer.alloc(size, pair % 251) : Buffer.concat([Buffer.alloc(size - 1, pair % 251), Buffer.from([i % 2])]);
          onDisk.push(writeFile(join(media, `d${d}`, `f${i}${exts[k]}`), data));
        }
        upserts.push({ locationId: loc.id, libraryId: lib.id, relPath: `d${d}/f${i}${exts[k]}`, name: `f${i}${exts[k]}`, kind: 'file', mediaType: types[k], size, mtimeMs: 1_700_000_000_000 });
      }
      await Promise.all(onDisk);
      await index.items.applyBatch({ upserts });
    }
    const buildMs = performance.now() - t0;
    // A few scan records and reads, so the scans/access views have something to show.
    for (let s = 0; s < 20; s++) {
      const rec = await index.scans.start({ libraryId: lib.id, kind: 'full', trigger: 'api', startedAt: Date.now() - s * 1000, status: 'running', added: 0, changed: 0, removed: 0, unchanged: 0, offlineLocations: 0, errors: 0 });
      await index.scans.finish(rec.id, { status: 'done', finishedAt: Date.now() });
    }
    const { catalog, access } = openCatalogRepos(index);
    for (let i = 0; i < 500; i++) { const it = index.items.getByPath(loc.id, `d0/f${i}${exts[i % exts.length]}`); if (it) await access.record(it, Date.now()); }

    const events = new InProcessEventBus();
    const dups = new DuplicateService(index, catalog, (id) => roots.getAdapter(id), events, silentLogger(), { concurrency: 2 });
    const d1 = performance.now();
    const first = await dups.run(lib.id);
    const dupFirstMs = performance.now() - d1;
    const d2 = performance.now();
    await dups.run(lib.id);
    const dupRerunMs = performance.now() - d2;

    const sut = new CatalogStatsService(index, catalog, access);
    const calls: Record<string, () => unknown> = {
      overall: () => sut.overall(),
      smb: () => sut.root('nas-media'),
      filetypes: () => sut.fileTypes(null, 50),
      sizes: () => sut.sizes(null),
      duplicates: () => sut.duplicates(null),
      duplicateGroups: () => sut.duplicateGroups(null, 'count', 20),
      duplicatesCount: () => sut.duplicatesCount('nas-media'),
      access: () => sut.accessPatterns(null, 30),
      growth: () => sut.growth(null, 12),
      scans: () => sut.scans(null, 50, 0),
      directoriesBySize: () => sut.directoriesBySize('nas-media', 50),
    };
    const latency: Record<string, { p50: number; p95: number }> = {};
    for (const [name, fn] of Object.entries(calls)) {
      const samples: number[] = [];
      for (let i = 0; i < 200; i++) { const s = performance.now(); JSON.stringify(fn()); samples.push(performance.now() - s); }
      latency[name] = { p50: pct(samples, 50), p95: pct(samples, 95) };
    }
    const overall = sut.overall();
    console.log(JSON.stringify({
      items: count, indexBuildMs: Math.round(buildMs), totalFiles: overall.total_files,
      duplicates: { groups: first.groups.length, filesHashed: first.filesHashed, bytesReadMiB: Math.round(first.bytesRead / 1048576), firstRunMs: Math.round(dupFirstMs), rerunMs: Math.round(dupRerunMs) },
      statsLatencyMs: latency,
    }, null, 1));
    await roots.close();
  } finally {
    await index.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
