/**
 * Media Viewer conformance, data side (api-000 §4-§6): tags (shared; admin or media.edit to
 * change), favorites (per user), search and suggestions; documented errors as JSON bodies.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/daemon.js';
import { startViewerDaemon, type ViewerTree } from '../helpers/media-viewer-tree.js';

let tree: ViewerTree;
t.before(async () => { tree = await startViewerDaemon(); });
t.teardown(async () => { await tree?.cleanup(); });

const OK = { status: 'ok' };

/** Adds a user with the alcove CLI against the running daemon's state dir, then logs in. */
async function addUserAndLogin(username: string, role: string): Promise<string> {
  const password = 'user-password-1';
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/daemon/cli/alcove.js'), 'user', 'add', username, '--role', role, '--password-stdin', '--state-dir', tree.daemon.stateDir], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`alcove user add: ${code} ${err}`))));
    child.stdin.end(`${password}\n`);
  });
  const login = await tree.daemon.request('POST', '/api/auth/login', { username, password }, null);
  if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${JSON.stringify(login.body)}`);
  return login.body.token as string;
}

t.test('tags: add, list, of file, remove; names trimmed and case-insensitive', async (t) => {
  const d = tree.daemon;
  t.same((await d.request('GET', '/api/tags')).body, []);
  t.same((await d.request('POST', '/api/tags/file', { path: 'Photos/Trip/a.jpg', tag: '  Beach ' })).body, OK);
  t.same((await d.request('POST', '/api/tags/file', { path: 'Photos/Trip/b.png', tag: 'BEACH' })).body, OK);
  await d.request('POST', '/api/tags/file', { path: 'Photos/Trip/a.jpg', tag: 'sunset' });
  const list = await d.request('GET', '/api/tags');
  t.same(list.body.map((x: { name: string }) => x.name), ['Beach', 'sunset']);
  t.same(Object.keys(list.body[0]), ['id', 'name', 'itemCount', 'createdAt']);
  t.match(list.body[0], { name: 'Beach', itemCount: 2, createdAt: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/ });
  t.same((await d.request('GET', '/api/tags/file?path=Photos/Trip/a.jpg')).body, ['Beach', 'sunset']);
  t.same((await d.request('GET', '/api/tags/file?path=Photos/Trip/notes.txt')).body, []);
  t.same((await d.request('GET', '/api/tags/file?path=Photos/Trip/missing.jpg')).body, []);
  const listing = await d.request('GET', '/api/files?path=Photos/Trip');
  t.same(listing.body.items.find((i: { name: string }) => i.name === 'a.jpg').tags, ['Beach', 'sunset'], 'tags in listings');

  t.match(await d.request('GET', '/api/tags/file'), { status: 400, body: { success: false, error: 'Path is required' } });
  t.match(await d.request('POST', '/api/tags/file', { path: 'Photos/z.jpg' }), { status: 400, body: { error: 'Path and tag are required' } });
  t.match(await d.request('POST', '/api/tags/file', { tag: 'x' }), { status: 400, body: { error: 'Path and tag are required' } });
  t.match(await d.request('POST', '/api/tags/file', { path: 'Photos/z.jpg', tag: '   ' }), { status: 400 });
  t.match(await d.request('POST', '/api/tags/file', { path: 'Photos/z.jpg', tag: 'x'.repeat(101) }), { status: 400, body: { code: 'TAG_TOO_LONG' } });
  t.match(await d.request('POST', '/api/tags/file', [1, 2]), { status: 400, body: { error: 'Invalid request body' } });
  const raw = await d.fetch('/api/tags/file', { method: 'POST', body: '{not json', headers: { 'content-type': 'application/json' } });
  t.equal(raw.status, 400);
  t.match(await raw.json(), { error: 'Invalid request body' });
  t.match(await d.request('POST', '/api/tags/file', { path: 'Photos/Trip/none.jpg', tag: 'x' }), { status: 404, body: { code: 'PATH_NOT_FOUND' } });

  t.same((await d.request('DELETE', '/api/tags/file', { path: 'Photos/Trip/a.jpg', tag: 'SUNSET' })).body, OK);
  t.same((await d.request('DELETE', '/api/tags/file', { path: 'Photos/Trip/a.jpg', tag: 'never' })).body, OK, 'removing nothing is ok');
  t.same((await d.request('GET', '/api/tags/unused')).body, ['sunset']);
  t.match((await d.request('GET', '/api/tags/stats')).body, [{ name: 'Beach', count: 2 }, { name: 'sunset', count: 0 }]);
});

t.test('tags: bulk, batch, set, by tag, rename, delete', async (t) => {
  const d = tree.daemon;
  const bulk = await d.request('POST', '/api/tags/bulk', { paths: ['Photos/z.jpg', 'Photos/Trip/clip.mp4', '', 'Photos/nope.jpg'], tag: 'trip' });
  t.same(bulk.body, { success: 2, failed: 1, errors: ['Photos/nope.jpg: File not found'] });
  t.match(await d.request('POST', '/api/tags/bulk', { tag: 'x' }), { status: 400, body: { error: 'Paths array is required' } });
  t.match(await d.request('POST', '/api/tags/bulk', { paths: ['Photos/z.jpg'] }), { status: 400, body: { error: 'Tag is required' } });
  const many = Array.from({ length: 10_001 }, (_, i) => `Photos/${i}.jpg`);
  t.match(await d.request('POST', '/api/tags/bulk', { paths: many, tag: 'x' }), { status: 400, body: { error: 'Too many paths (max 10000)' } });
  const ok10k = await d.request('POST', '/api/tags/bulk', { paths: many.slice(0, 10_000), tag: 'nothing-here' });
  t.match(ok10k.body, { success: 0, failed: 10_000 });
  t.equal(ok10k.body.errors.length, 10, 'at most 10 errors');
  t.same((await d.request('DELETE', '/api/tags/bulk', { paths: ['Photos/z.jpg'], tag: 'trip' })).body, { success: 1, failed: 0 });

  const batch = await d.request('POST', '/api/tags/batch', { paths: ['Photos/Trip/a.jpg', 'Photos/Trip/clip.mp4', 'Photos/none', ''] });
  t.same(batch.body, { 'Photos/Trip/a.jpg': ['Beach'], 'Photos/Trip/clip.mp4': ['trip'], 'Photos/none': [] });
  t.same((await d.request('POST', '/api/tags/file/set', { path: 'Photos/Trip/b.png', tags: ['one', 'Two', ' '] })).body, OK);
  t.same((await d.request('GET', '/api/tags/file?path=Photos/Trip/b.png')).body, ['one', 'Two']);
  t.match(await d.request('POST', '/api/tags/file/set', { path: 'Photos/Trip/b.png' }), { status: 400 });

  const byTag = await d.request('GET', '/api/tags/beach');
  t.same(Object.keys(byTag.body), ['items', 'query', 'totalItems', 'page', 'pageSize', 'totalPages']);
  t.match(byTag.body, { query: 'tag:beach', totalItems: 1, page: 1, pageSize: 50, totalPages: 1, items: [{ name: 'a.jpg', tags: ['Beach'] }] });

  const renamed = await d.request('POST', '/api/tags/one/rename', { newName: 'Uno' });
  t.same(renamed.body, { affectedFiles: 1, newName: 'Uno', oldName: 'one', status: 'ok' });
  t.match(await d.request('POST', '/api/tags/Uno/rename', { newName: 'two' }), { status: 409, body: { code: 'TAG_EXISTS' } });
  t.match(await d.request('POST', '/api/tags/ghost/rename', { newName: 'x' }), { status: 404, body: { code: 'TAG_NOT_FOUND' } });
  t.match(await d.request('PUT', '/api/tags/Uno', {}), { status: 400, body: { error: 'Tag name and new name are required' } });
  t.same((await d.request('PUT', '/api/tags/Uno', { newName: 'Eins' })).body, OK);
  t.same((await d.request('DELETE', '/api/tags/Eins/delete')).body, { affectedFiles: 1, status: 'ok', tagName: 'Eins' });
  t.same((await d.request('DELETE', '/api/tags/two')).body, OK);
  t.match(await d.request('DELETE', '/api/tags/two'), { status: 404 });
  t.same((await d.request('GET', '/api/tags/file?path=Photos/Trip/b.png')).body, [], 'set replaced Beach, the rest were deleted');
  t.equal((await d.request('GET', '/api/tags')).body.find((x: { name: string }) => x.name === 'Beach').itemCount, 1);
});

t.test('favorites: add, check, list, bulk, remove; root listing carries them', async (t) => {
  const d = tree.daemon;
  t.same((await d.request('GET', '/api/favorites')).body, []);
  t.same((await d.request('POST', '/api/favorites', { path: 'Photos/Trip/a.jpg', name: 'a.jpg', type: 'image' })).body, OK);
  t.same((await d.request('POST', '/api/favorites', { path: 'Photos/Trip' })).body, OK);
  t.same((await d.request('POST', '/api/favorites', { path: 'Photos/Trip' })).body, OK, 're-adding is a no-op');
  const list = await d.request('GET', '/api/favorites');
  t.same(list.body.map((f: { path: string }) => f.path), ['Photos/Trip', 'Photos/Trip/a.jpg'], 'newest first');
  t.match(list.body[0], { type: 'folder', isFavorite: true, itemCount: 5 });
  t.notOk('thumbnailUrl' in list.body[0], 'no thumbnail for folders in favorites');
  t.notOk('tags' in list.body[1], 'favorites carry no tags');
  t.match(list.body[1], { thumbnailUrl: '/api/thumbnail/Photos/Trip/a.jpg', isFavorite: true });
  t.same((await d.request('GET', '/api/favorites/check?path=Photos/Trip/a.jpg')).body, { isFavorite: true });
  t.same((await d.request('GET', '/api/favorites/check?path=Photos/z.jpg')).body, { isFavorite: false });
  t.match(await d.request('GET', '/api/favorites/check'), { status: 400, body: { error: 'Path is required' } });
  t.match(await d.request('POST', '/api/favorites', {}), { status: 400, body: { error: 'Path is required' } });
  t.match(await d.request('POST', '/api/favorites', { path: 'Photos/ghost.jpg' }), { status: 404 });
  t.match(await d.request('DELETE', '/api/favorites', { nope: 1 }), { status: 400 });

  const root = await d.request('GET', '/api/files');
  t.same(root.body.favorites.map((f: { path: string }) => f.path), ['Photos/Trip', 'Photos/Trip/a.jpg'], 'root page 1 lists favorites');
  t.same(Object.keys(root.body), ['path', 'name', 'breadcrumb', 'items', 'favorites', 'totalItems', 'page', 'pageSize', 'totalPages']);
  t.notOk('favorites' in (await d.request('GET', '/api/files?page=2')).body, 'only on page 1');
  const trip = await d.request('GET', '/api/files?path=Photos/Trip');
  t.equal(trip.body.items.find((i: { name: string }) => i.name === 'a.jpg').isFavorite, true);
  t.notOk('isFavorite' in trip.body.items.find((i: { name: string }) => i.name === 'b.png'), 'absent when false');

  const bulk = await d.request('POST', '/api/favorites/bulk', { items: [{ path: 'Photos/z.jpg', name: 'z.jpg', type: 'image' }, { path: 'Photos/none.jpg' }] });
  t.same(bulk.body, { success: 1, failed: 1, errors: ['Photos/none.jpg: File not found'] });
  t.match(await d.request('POST', '/api/favorites/bulk', { nope: [] }), { status: 400, body: { error: 'Items array is required' } });
  t.same((await d.request('DELETE', '/api/favorites/bulk', { paths: ['Photos/z.jpg', 'Photos/Trip'] })).body, { success: 2, failed: 0 });
  t.match(await d.request('DELETE', '/api/favorites/bulk', {}), { status: 400, body: { error: 'Paths array is required' } });
  t.same((await d.request('DELETE', '/api/favorites', { path: 'Photos/Trip/a.jpg' })).body, OK);
  t.same((await d.request('GET', '/api/favorites')).body, []);
});

t.test('search: text, tag filters, type, pagination, shapes', async (t) => {
  const d = tree.daemon;
  await d.request('POST', '/api/tags/bulk', { paths: ['Photos/Trip/a.jpg', 'Photos/Trip/Sub/c.jpg', 'Photos/z.jpg'], tag: 'summer beach' });
  const empty = await d.request('GET', '/api/search?q=&pageSize=7');
  t.same(empty.body, { items: [], query: '', totalItems: 0, page: 1, pageSize: 7, totalPages: 0 });
  t.same((await d.request('GET', '/api/search?q=%20%20')).body, { items: [], query: '  ', totalItems: 0, page: 0, pageSize: 0, totalPages: 0 });
  t.same((await d.request('GET', '/api/search?q=tag:')).body, { items: [], query: 'tag:', totalItems: 0, page: 0, pageSize: 0, totalPages: 0 });

  const clip = await d.request('GET', '/api/search?q=clip');
  t.match(clip.body, { query: 'clip', totalItems: 1, page: 1, pageSize: 50, totalPages: 1 });
  const item = clip.body.items[0];
  t.match(item, {
    name: 'clip.mp4', path: 'Photos/Trip/clip.mp4', type: 'video', thumbnailUrl: '/api/thumbnail/Photos/Trip/clip.mp4',
    ratingKey: String(item.id), key: `/api/media/${item.id}`, title: String, thumb: '/api/thumbnail/Photos/Trip/clip.mp4',
    librarySectionTitle: 'Photos', addedAt: Number,
  });
  t.same(item.tags, ['trip']);
  t.same(Object.keys((await d.request('GET', '/api/search?q=clip')).body), ['items', 'query', 'totalItems', 'page', 'pageSize', 'totalPages']);

  const jpgs = await d.request('GET', '/api/search?q=jpg&pageSize=2&page=2');
  t.match(jpgs.body, { totalItems: 4, page: 2, pageSize: 2, totalPages: 2 });
  t.equal(jpgs.body.items.length, 2);
  t.equal((await d.request('GET', '/api/search?q=jpg&pageSize=500')).body.pageSize, 200, 'pageSize capped at 200');
  t.equal((await d.request('GET', '/api/search?q=jpg&type=video')).body.totalItems, 0);
  t.equal((await d.request('GET', '/api/search?q=trip&type=folder')).body.items[0].name, 'Trip');

  const tagged = await d.request('GET', '/api/search?q=tag:summer%20beach');
  t.same(tagged.body.items.map((i: { name: string }) => i.name).sort(), ['a.jpg', 'c.jpg', 'z.jpg']);
  const onlyZ = await d.request('GET', `/api/search?q=${encodeURIComponent('z tag:Summer Beach')}`);
  t.same(onlyZ.body.items.map((i: { name: string }) => i.name), ['z.jpg'], 'text + tag filter');
  const viaTagName = await d.request('GET', `/api/search?q=${encodeURIComponent('c tag:Summer Beach')}`);
  t.same(viaTagName.body.items.map((i: { name: string }) => i.name).sort(), ['a.jpg', 'c.jpg', 'z.jpg'], "text matches tag names too ('beach' contains 'c')");
  const excluded = await d.request('GET', `/api/search?q=${encodeURIComponent('jpg -tag:summer beach')}`);
  t.same(excluded.body.items.map((i: { name: string }) => i.name).sort(), ['weird name #1+x.jpg']);
  const notTag = await d.request('GET', `/api/search?q=${encodeURIComponent('tag:summer beach NOT tag:Beach')}`);
  t.same(notTag.body.items.map((i: { name: string }) => i.name).sort(), ['c.jpg', 'z.jpg']);
  t.equal((await d.request('GET', '/api/search?q=tag:nosuchtag')).body.totalItems, 0);
  const byTagName = await d.request('GET', '/api/search?q=summer');
  t.same(byTagName.body.items.map((i: { name: string }) => i.name).sort(), ['a.jpg', 'c.jpg', 'z.jpg'], 'text also matches tag names');
});

t.test('search suggestions', async (t) => {
  const d = tree.daemon;
  t.same((await d.request('GET', '/api/search/suggestions?q=')).body, []);
  t.same((await d.request('GET', '/api/search/suggestions?q=c')).body, []);
  const tags = await d.request('GET', '/api/search/suggestions?q=tag:sum');
  t.same(tags.body, [{ path: 'tag:summer beach', name: 'summer beach', type: 'tag', highlight: '<mark>sum</mark>mer beach', itemCount: 3 }]);
  const exclude = await d.request('GET', '/api/search/suggestions?q=-tag:bea');
  t.same(exclude.body.map((s: { path: string }) => s.path), ['-tag:summer beach', '-tag:Beach']);
  t.equal(exclude.body[0].type, 'tag-exclude');
  t.ok((await d.request('GET', '/api/search/suggestions?q=-t')).body.length >= 2, 'top tags');
  t.ok((await d.request('GET', '/api/search/suggestions?q=NOT%20t')).body.length >= 2, 'top tags');
  const files = await d.request('GET', '/api/search/suggestions?q=clip');
  t.match(files.body, [{ path: 'Photos/Trip/clip.mp4', name: 'clip.mp4', type: 'video', highlight: '<mark>clip</mark>.mp4' }]);
  t.equal((await d.request('GET', '/api/search/suggestions?q=jpg&limit=1')).body.length, 1);
});

t.test('multi-user: favorites are per user, tag changes need media.edit', async (t) => {
  const d = tree.daemon;
  const bob = await addUserAndLogin('bob', 'user');
  await d.request('POST', '/api/favorites', { path: 'Photos/z.jpg' });
  t.same((await d.request('GET', '/api/favorites', undefined, bob)).body, [], "bob does not see admin's favorites");
  t.same((await d.request('POST', '/api/favorites', { path: 'Photos/Trip/b.png' }, bob)).body, OK, 'any user keeps favorites');
  t.same((await d.request('GET', '/api/favorites', undefined, bob)).body.map((f: { path: string }) => f.path), ['Photos/Trip/b.png']);
  t.same((await d.request('GET', '/api/favorites')).body.map((f: { path: string }) => f.path), ['Photos/z.jpg']);
  t.equal((await d.request('GET', '/api/stats', undefined, bob)).body.totalFavorites, 1);

  t.same((await d.request('GET', '/api/tags/file?path=Photos/z.jpg', undefined, bob)).body, ['summer beach'], 'tags are shared');
  t.match(await d.request('POST', '/api/tags/file', { path: 'Photos/z.jpg', tag: 'bob' }, bob), { status: 403, body: { success: false } });
  t.match(await d.request('POST', '/api/tags/bulk', { paths: ['Photos/z.jpg'], tag: 'bob' }, bob), { status: 403 });
  t.match(await d.request('DELETE', '/api/tags/beach', undefined, bob), { status: 403 });
  t.match(await d.request('POST', '/api/thumbnails/rebuild', undefined, bob), { status: 403 });
});
