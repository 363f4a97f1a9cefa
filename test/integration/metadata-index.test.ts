/**
 * The metadata sort index: every page (any offset, both ends, both orders, every sort)
 * equals the matching slice of the full order; scope counts and per-library counters
 * follow writes, probes and removals; verifyIndexConsistency stays clean.
 */
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openIndexStore } from '../../daemon/index/lmdb-store.js';
import { verifyIndexConsistency } from '../../daemon/index/verify.js';
import type { MetaSort } from '../../daemon/domain/ports.js';

const dir = await mkdtemp(join(tmpdir(), 'alcove-metaidx-'));
const sut = await openIndexStore({ path: join(dir, 'index') });
t.teardown(async () => { await sut.close(); await rm(dir, { recursive: true, force: true }); });
const root = await sut.roots.create({ url: `file://${dir}`, scheme: 'file', name: 'r', status: 'online' });
const lib = await sut.libraries.create({ name: 'L', type: 'movie', locations: [{ rootId: root.id, path: '' }] });
const loc = lib.locations[0].id;
const N = 57;
const { added } = await sut.items.applyBatch({ upserts: Array.from({ length: N }, (_, i) => ({
  locationId: loc, libraryId: lib.id, relPath: `m${i}.mkv`, name: `m${i}.mkv`, kind: 'file' as const, mediaType: 'video' as const, size: (i * 7919) % 1000, mtimeMs: i,
})) });
await sut.items.updateMetaMany(added.map((it, i) => ({ id: it.id, meta: { title: `Title ${(i * 31) % N}`, year: 1990 + (i % 9) } })));

t.test('pages equal slices of the full order', async (t) => {
  for (const sort of ['title', 'addedAt', 'year', 'size'] as MetaSort[]) {
    for (const order of ['asc', 'desc'] as const) {
      const all = sut.items.listByMeta({ libraryId: lib.id, sort, order, limit: 1000 });
      t.equal(all.total, N);
      const ids = all.items.map((i) => i.id);
      for (const offset of [0, 1, 10, 28, 29, 40, 50, 55, 56, 57, 80]) {
        for (const limit of [1, 7, 50]) {
          const page = sut.items.listByMeta({ libraryId: lib.id, sort, order, offset, limit });
          t.same(page.items.map((i) => i.id), ids.slice(offset, offset + limit), `${sort} ${order} ${offset}/${limit}`);
        }
      }
      const asc = sut.items.listByMeta({ category: 'movie', sort, order: 'asc', limit: 1000 }).items.map((i) => i.id);
      if (order === 'desc') t.same(ids, [...asc].reverse(), `${sort}: desc is asc reversed`);
    }
  }
  const years = sut.items.listByMeta({ sort: 'year', limit: 1000 }).items.map((i) => i.meta?.year as number);
  t.same(years, [...years].sort((a, b) => a - b));
});

t.test('counters follow probes and removals', async (t) => {
  await sut.items.setProbe(added[0].id, 'done', { video: [{ index: 0, codec: 'hevc', width: 3840, height: 2160 }] });
  await sut.items.setProbe(added[1].id, 'done', { video: [{ index: 0, codec: 'h264', width: 1920, height: 800 }] });
  let c = sut.items.libraryCounters(lib.id);
  t.same(c.byCodec, { h265: 1, h264: 1 });
  t.same(c.byResolution, { '2160p': 1, '1080p': 1 });
  t.equal(c.fileCount, N);
  await sut.items.applyBatch({ removeIds: [added[0].id] });
  c = sut.items.libraryCounters(lib.id);
  t.same(c.byCodec, { h264: 1 });
  t.equal(c.fileCount, N - 1);
  t.equal(sut.items.listByMeta({ category: 'movie' }).total, N - 1);
  t.equal(sut.items.listByMeta({ category: 'tv' }).total, 0);
  t.same(verifyIndexConsistency(sut), []);
  await sut.libraries.remove(lib.id);
  t.same(sut.items.libraryCounters(lib.id), { fileCount: 0, totalSizeBytes: 0, byCategory: {}, byCodec: {}, byResolution: {} });
  t.equal(sut.items.listByMeta({}).total, 0);
  t.same(verifyIndexConsistency(sut), []);
});
