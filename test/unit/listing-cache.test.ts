/**
 * ListingCache (services/media-viewer/listing-cache.ts): generation-keyed, bounded LRU of
 * serialised pages.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { ListingCache, presentJson } from '../../daemon/services/media-viewer/listing-cache.js';

function setup(o: { maxBytes?: number; maxEntries?: number } = {}) {
  let generation = 0;
  let builds = 0;
  const sut = new ListingCache(() => generation, o);
  const page = (key: string, size = 100) => sut.get(key, () => { builds++; return { key, pad: 'x'.repeat(size) }; });
  return { sut, page, write: () => { generation++; }, builds: () => builds };
}

t.test('serialises once, then serves the same bytes and ETag', async (t) => {
  const { sut, page, builds } = setup();
  const a = page('a');
  t.same(JSON.parse(a.json.toString()), { key: 'a', pad: 'x'.repeat(100) });
  t.equal(a.etag, `"${createHash('md5').update(a.json).digest('hex')}"`, 'strong ETag: md5 of the bytes');
  const again = page('a');
  t.equal(again, a, 'the cached page');
  t.equal(builds(), 1);
  t.equal(sut.hits, 1);
  t.equal(sut.misses, 1);
  t.same(presentJson({ key: 'a', pad: 'x'.repeat(100) }), a, 'same as presenting it uncached');
});

t.test('a write (generation change) drops everything before the next answer', async (t) => {
  const { sut, page, write, builds } = setup();
  page('a'); page('b');
  t.equal(sut.size, 2);
  write();
  page('a');
  t.equal(builds(), 3, 'rebuilt after the write');
  t.equal(sut.size, 1, 'the other page is gone too');
});

t.test('a write during build keeps the page out of the cache', async (t) => {
  let generation = 0;
  const sut = new ListingCache(() => generation);
  sut.get('a', () => { generation++; return { a: 1 }; });
  t.equal(sut.size, 0);
});

t.test('bounded by bytes, least recently used first', async (t) => {
  const { sut, page } = setup({ maxBytes: 5000 });
  for (const k of ['a', 'b', 'c', 'd']) page(k, 900);
  t.equal(sut.size, 4, 'four pages of ~1.1 KB fit in 5,000 bytes');
  page('a', 900); // a is now the most recently used
  page('e', 900);
  t.ok(sut.usedBytes <= 5000, `within budget (${sut.usedBytes})`);
  const keys = [...(sut as unknown as { entries: Map<string, unknown> }).entries.keys()].sort();
  t.same(keys, ['a', 'c', 'd', 'e'], 'the least recently used page (b) went first');
  for (let i = 0; i < 100; i++) page(`k${i}`, 900);
  t.ok(sut.usedBytes <= 5000, 'stays within budget under churn');
  t.ok(sut.size <= 4);
});

t.test('bounded by entries; oversized pages are served but never kept', async (t) => {
  const { sut, page } = setup({ maxEntries: 3, maxBytes: 100_000 });
  for (let i = 0; i < 10; i++) page(`k${i}`, 10);
  t.ok(sut.size <= 3 && sut.size >= 2, `at most 3 entries (${sut.size})`);
  const big = page('big', 30_000);
  t.ok(big.json.length > 30_000, 'answered');
  t.notOk((sut as unknown as { entries: Map<string, unknown> }).entries.has('big'), 'not kept (over a quarter of the budget)');
});
