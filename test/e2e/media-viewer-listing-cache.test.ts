/**
 * The presented-page cache behind GET /api/files (services/media-viewer/listing-cache.ts)
 * never answers with data older than the last write: each listing below is fetched twice
 * first (so the second answer comes from the cache), then a write happens and the very
 * next listing must show it. ETag/304 keep working on cached pages.
 */
import t, { type Test } from 'tap';
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually } from '../helpers/daemon.js';
import { startViewerDaemon, type ViewerTree } from '../helpers/media-viewer-tree.js';

let tree: ViewerTree;
t.before(async () => { tree = await startViewerDaemon(); });
t.teardown(async () => { await tree?.cleanup(); });

interface Listed { name: string; tags?: string[]; isFavorite?: boolean }
const TRIP = '/api/files?path=Photos/Trip&pageSize=50';

async function listing(path = TRIP): Promise<{ items: Listed[]; totalItems: number }> {
  const r = await tree.daemon.request('GET', path);
  if (r.status !== 200) throw new Error(`listing ${path}: ${r.status}`);
  return r.body;
}

/** Ask twice, so that the page is in the cache (and check the cached answer is the same). */
async function warm(t: Test, path = TRIP): Promise<{ items: Listed[]; totalItems: number }> {
  const first = await listing(path);
  const second = await listing(path);
  t.same(second, first, 'a repeated listing answers the same page');
  return second;
}

const item = (l: { items: Listed[] }, name: string): Listed | undefined => l.items.find((i) => i.name === name);

t.test('a tag added or removed shows on the next listing', async (t) => {
  const d = tree.daemon;
  t.notOk(item(await warm(t), 'a.jpg')?.tags, 'no tags yet');
  t.equal((await d.request('POST', '/api/tags/file', { path: 'Photos/Trip/a.jpg', tag: 'cache-check' })).status, 200);
  t.same(item(await listing(), 'a.jpg')?.tags, ['cache-check'], 'tag visible at once');
  await warm(t);
  t.equal((await d.request('DELETE', '/api/tags/file', { path: 'Photos/Trip/a.jpg', tag: 'cache-check' })).status, 200);
  t.notOk(item(await listing(), 'a.jpg')?.tags, 'tag gone at once');
});

t.test('a favorite toggled shows on the next listing', async (t) => {
  const d = tree.daemon;
  t.notOk(item(await warm(t), 'b.png')?.isFavorite);
  t.equal((await d.request('POST', '/api/favorites', { path: 'Photos/Trip/b.png' })).status, 200);
  t.equal(item(await listing(), 'b.png')?.isFavorite, true, 'favorite visible at once');
  await warm(t);
  t.equal((await d.request('DELETE', '/api/favorites', { path: 'Photos/Trip/b.png' })).status, 200);
  t.notOk(item(await listing(), 'b.png')?.isFavorite, 'unfavorited at once');
});

t.test('a file added (and removed) by a rescan shows on the next listing', async (t) => {
  const d = tree.daemon;
  const before = await warm(t);
  const libs = await d.request('GET', '/api/libraries');
  const lib = (libs.body as { id: string; name: string }[]).find((l) => l.name === 'Photos')!;
  await copyFile(join(tree.root, 'Trip/a.jpg'), join(tree.root, 'Trip/added.jpg'));
  t.equal((await d.request('POST', `/api/libraries/${lib.id}/scan`)).status, 202);
  // No sleep-and-compare: the listing must show the file as soon as the scan committed it.
  await eventually(async () => Boolean(item(await listing(), 'added.jpg')), 20_000);
  t.equal((await listing()).totalItems, before.totalItems + 1);
  await warm(t);
  await rm(join(tree.root, 'Trip/added.jpg'));
  await d.request('POST', `/api/libraries/${lib.id}/scan`);
  await eventually(async () => !item(await listing(), 'added.jpg'), 20_000);
  t.equal((await listing()).totalItems, before.totalItems);
});

t.test('cached pages keep ETag and 304, and differ per page and per query', async (t) => {
  const d = tree.daemon;
  const first = await d.fetch(TRIP);
  const etag = first.headers.get('etag');
  t.match(etag, /^"[0-9a-f]{32}"$/);
  const body = await first.text();
  const again = await d.fetch(TRIP);
  t.equal(again.headers.get('etag'), etag, 'same page, same ETag');
  t.equal(await again.text(), body, 'same bytes');
  const hit = await d.fetch(TRIP, { headers: { 'if-none-match': etag! } });
  t.equal(hit.status, 304);
  t.equal(await hit.text(), '');
  const page2 = await d.request('GET', '/api/files?path=Photos/Trip&pageSize=2&page=2');
  const page1 = await d.request('GET', '/api/files?path=Photos/Trip&pageSize=2&page=1');
  t.notSame(page1.body.items, page2.body.items, 'pages are cached apart');
  t.equal(page2.body.page, 2);
  const asc = await listing();
  const desc = await d.request('GET', '/api/files?path=Photos/Trip&pageSize=50&order=desc');
  t.equal(desc.body.items.at(-1).name, asc.items[1]!.name, 'order is part of the key (folders first, files reversed)');
});
