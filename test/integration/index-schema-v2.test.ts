/**
 * Schema v2 of the index: token keys carry the filter fields (searchByName must answer
 * exactly what a brute-force pass over the items answers, totals and paging included), and
 * a v1 index (old token layout, no item-access entries) is migrated on open.
 */
import t, { type Test } from 'tap';
import { open } from 'lmdb';
import { join } from 'node:path';
import type { Item, ItemKind, MediaType } from '../../daemon/domain/types.js';
import { isLocationRoot } from '../../daemon/index/item-indexes.js';
import { DB, itemTokens, META_SCHEMA_VERSION, tokenize } from '../../daemon/index/keys.js';
import { openIndexStore, type LmdbIndexStore } from '../../daemon/index/lmdb-store.js';
import { CURRENT_SCHEMA_VERSION } from '../../daemon/index/migrations.js';
import { verifyIndexConsistency } from '../../daemon/index/verify.js';
import { dirUpsert, fileName, fileUpsert, makeLibrary, rng, tempStore } from './fixtures/index-tree.js';

interface Opts { libraryIds?: number[]; mediaTypes?: MediaType[]; kinds?: ItemKind[] }

function allItems(store: LmdbIndexStore): Item[] {
  return [...store.dbs.items.getRange({})].map((e) => e.value).filter((i) => !isLocationRoot(i));
}

/** What searchByName must return, by a pass over every item. */
function bruteForce(items: Item[], query: string, o: Opts): Set<number> {
  const want = tokenize(query);
  const out = new Set<number>();
  if (!want.length) return out;
  for (const it of items) {
    if (o.libraryIds && !o.libraryIds.includes(it.libraryId)) continue;
    if (o.mediaTypes && !o.mediaTypes.includes(it.mediaType)) continue;
    if (o.kinds && !o.kinds.includes(it.kind)) continue;
    const have = itemTokens(it);
    if (want.every((q) => have.some((h) => h.startsWith(q)))) out.add(it.id);
  }
  return out;
}

async function populate(sut: LmdbIndexStore): Promise<{ libA: number; libB: number }> {
  const a = await makeLibrary(sut, 'Movies');
  const b = await makeLibrary(sut, 'Music');
  const r = rng(7);
  for (const { lib } of [a, b]) {
    const upserts = [dirUpsert(lib, 'alpha amélie'), dirUpsert(lib, 'sub')];
    for (let i = 0; i < 400; i++) upserts.push(fileUpsert(lib, `${i % 2 ? 'sub' : 'alpha amélie'}/${fileName(r, i)}`));
    await sut.items.applyBatch({ upserts });
  }
  // Metadata words: a long overview pushes an item past MAX_JOINED_TOKENS (value '').
  const files = allItems(sut).filter((i) => i.kind === 'file');
  const overview = 'alphabet bravado charlatan deltas echoes foxtrots golfing hotels indiana julietta kilogram limabean mikado novembers oscars papal quebecois romeos sierras tangos uniforms victors whiskeys xrays yankees zulus';
  await sut.items.updateMetaMany(files.slice(0, 30).map((f, k) => ({ id: f.id, meta: { title: `Alpha Title ${k}`, genres: ['Drama'], overview } })));
  const show = await sut.items.createVirtual({ kind: 'show', libraryId: a.lib.id, locationId: 0, parentId: 0, name: 'Alpha Show', relPath: '', mediaType: 'folder', size: 0, mtimeMs: 0, offline: false, meta: { title: 'Alpha Show', contentRating: 'TV-MA' } });
  await sut.items.createVirtual({ kind: 'season', libraryId: a.lib.id, locationId: 0, parentId: show.id, name: 'Season 1', relPath: '', mediaType: 'folder', size: 0, mtimeMs: 0, offline: false });
  await sut.items.updateMeta(files[40].id, { virtualId: show.id, labels: ['Kids'] });
  return { libA: a.lib.id, libB: b.lib.id };
}

const QUERIES = ['a', 'al', 'alpha', 'amel', 'alpha amelie', 'alp drama', 'drama', 'xrays', 'alphabet', 'kilo a', 'zzz', 'alpha show', 'season 1', 's', '2'];

function checkSearch(t: Test, sut: LmdbIndexStore, libs: { libA: number; libB: number }): void {
  const items = allItems(sut);
  const filters: Opts[] = [{}, { libraryIds: [libs.libA] }, { libraryIds: [libs.libB], kinds: ['file'] }, { kinds: ['file', 'dir'], mediaTypes: ['video', 'folder'] }, { mediaTypes: ['audio'] }, { kinds: ['show', 'season'] }];
  for (const q of QUERIES) {
    for (const o of filters) {
      const want = bruteForce(items, q, o);
      const all = sut.items.searchByName(q, { ...o, limit: 10_000 });
      const label = `${JSON.stringify(q)} ${JSON.stringify(o)}`;
      t.equal(all.total, want.size, `${label}: total`);
      t.same(all.items.map((i) => i.id).sort((x, y) => x - y), [...want].sort((x, y) => x - y), `${label}: items`);
      // Pages of 7 partition the same list, each with the same total.
      const paged: number[] = [];
      for (let offset = 0; offset < want.size + 7; offset += 7) {
        const p = sut.items.searchByName(q, { ...o, offset, limit: 7 });
        if (p.total !== want.size) t.fail(`${label}: total at offset ${offset}`);
        paged.push(...p.items.map((i) => i.id));
      }
      t.same(paged, all.items.map((i) => i.id), `${label}: pages`);
    }
  }
}

t.test('searchByName equals a brute-force pass: prefixes over several tokens, filters, many-token items, paging', async (t) => {
  const { store: sut, cleanup } = await tempStore();
  t.teardown(cleanup);
  const libs = await populate(sut);
  checkSearch(t, sut, libs);
  t.same(verifyIndexConsistency(sut), []);
});

t.test('a v1 index (old token layout, no item-access index) is migrated on open', async (t) => {
  const { store, dir, cleanup } = await tempStore();
  t.teardown(cleanup);
  const libs = await populate(store);
  const path = join(dir, 'index');
  const expectedMarked = store.items.contentMarked(libs.libA);
  t.equal(expectedMarked.length, 2, 'the rated show and the labelled file');
  await store.close();

  // Rewrite the two indexes as v1 wrote them: [token, id] -> msgpack [libraryId, mediaType, kind, joined].
  const raw = open({ path, maxDbs: 64 });
  const items = raw.openDB<Item, number>({ name: DB.items, sharedStructuresKey: Symbol.for('structures') });
  const tokens = raw.openDB({ name: DB.itemTokens });
  const access = raw.openDB({ name: DB.itemAccess });
  const meta = raw.openDB({ name: DB.meta });
  await raw.transaction(() => {
    for (const k of [...tokens.getKeys({})]) tokens.remove(k);
    for (const k of [...access.getKeys({})]) access.remove(k);
    for (const { value: item } of items.getRange({})) {
      if (isLocationRoot(item)) continue;
      const toks = itemTokens(item);
      for (const tok of toks) tokens.put([tok, item.id], [item.libraryId, item.mediaType, item.kind, toks.length > 24 ? '' : toks.join(' ')]);
    }
    meta.put(META_SCHEMA_VERSION, 1);
  });
  await raw.close();

  const sut = await openIndexStore({ path });
  t.teardown(() => sut.close());
  t.equal(sut.schemaVersion, CURRENT_SCHEMA_VERSION);
  t.equal(CURRENT_SCHEMA_VERSION, 2);
  t.same(verifyIndexConsistency(sut), [], 'token and item-access indexes rebuilt');
  t.same(sut.items.contentMarked(libs.libA), expectedMarked);
  checkSearch(t, sut, libs);
});
