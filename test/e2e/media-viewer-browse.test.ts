/**
 * Media Viewer conformance, browse side (api-000 §3, §7): /api/files, /api/media,
 * /api/thumbnail/*, /api/file/*, /api/stats, /api/thumbnails/rebuild, system shapes.
 * Success shapes key by key, documented errors (JSON bodies), pagination edges,
 * traversal through every path-taking endpoint, ETag/304 and Range.
 */
import t from 'tap';
import { stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { eventually } from '../helpers/daemon.js';
import { startViewerDaemon, type ViewerTree } from '../helpers/media-viewer-tree.js';

let tree: ViewerTree;
t.before(async () => { tree = await startViewerDaemon(); });
t.teardown(async () => { await tree?.cleanup(); });

/** GET with the path sent byte for byte (fetch would resolve '..' and '%2e%2e' segments first). */
function rawGet(path: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: tree.daemon.port, path, headers: { authorization: `Bearer ${tree.daemon.token}` } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

const LISTING_KEYS = ['path', 'name', 'parent', 'breadcrumb', 'items', 'totalItems', 'page', 'pageSize', 'totalPages'];
const ERROR_KEYS = ['success', 'error', 'code'];

t.test('GET /api/files at the root lists the libraries', async (t) => {
  const d = tree.daemon;
  const r = await d.request('GET', '/api/files');
  t.equal(r.status, 200);
  t.same(Object.keys(r.body), LISTING_KEYS.filter((k) => k !== 'parent'), 'no parent at the root, no favorites yet');
  t.match(r.body, { path: '', name: 'Media', breadcrumb: [{ name: 'Media', path: '' }], totalItems: 1, page: 1, pageSize: 50, totalPages: 1 });
  const [lib] = r.body.items;
  t.same(Object.keys(lib), ['id', 'name', 'path', 'parentPath', 'type', 'size', 'modTime', 'thumbnailUrl', 'itemCount']);
  t.match(lib, { name: 'Photos', path: 'Photos', parentPath: '', type: 'folder', size: 0, thumbnailUrl: '/api/thumbnail/Photos', itemCount: 5 });
  t.match(lib.modTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.equal(r.headers.get('cache-control'), 'private, max-age=0, must-revalidate');
  t.match(r.headers.get('etag'), /^"[0-9a-f]{32}"$/);
});

t.test('GET /api/files in a folder: shape, folders first, sorts, type filter', async (t) => {
  const d = tree.daemon;
  const r = await d.request('GET', '/api/files?path=Photos/Trip');
  t.equal(r.status, 200);
  t.same(Object.keys(r.body), LISTING_KEYS);
  t.match(r.body, {
    path: 'Photos/Trip', name: 'Trip', parent: 'Photos', totalItems: 5, totalPages: 1,
    breadcrumb: [{ name: 'Media', path: '' }, { name: 'Photos', path: 'Photos' }, { name: 'Trip', path: 'Photos/Trip' }],
  });
  t.same(r.body.items.map((i: { name: string }) => i.name), ['Sub', 'a.jpg', 'b.png', 'clip.mp4', 'notes.txt']);
  const byName = Object.fromEntries(r.body.items.map((i: { name: string }) => [i.name, i]));
  t.same(Object.keys(byName['a.jpg']), ['id', 'name', 'path', 'parentPath', 'type', 'size', 'modTime', 'mimeType', 'thumbnailUrl']);
  t.match(byName['a.jpg'], { path: 'Photos/Trip/a.jpg', parentPath: 'Photos/Trip', type: 'image', mimeType: 'image/jpeg', thumbnailUrl: '/api/thumbnail/Photos/Trip/a.jpg' });
  t.equal(byName['a.jpg'].size, (await stat(join(tree.root, 'Trip/a.jpg'))).size);
  t.match(byName['clip.mp4'], { type: 'video', mimeType: 'video/mp4' });
  t.match(byName.Sub, { type: 'folder', itemCount: 1, thumbnailUrl: '/api/thumbnail/Photos/Trip/Sub' });
  t.match(byName['notes.txt'], { type: 'other' });
  t.notOk('thumbnailUrl' in byName['notes.txt'], 'no thumbnail for other files');

  const bySize = await d.request('GET', '/api/files?path=Photos/Trip&sort=size&order=desc');
  const files = bySize.body.items.slice(1);
  t.equal(bySize.body.items[0].name, 'Sub', 'folders first in every sort');
  t.same(files.map((f: { size: number }) => f.size), [...files.map((f: { size: number }) => f.size)].sort((a, b) => b - a));
  const byType = await d.request('GET', '/api/files?path=Photos/Trip&sort=type');
  t.same(byType.body.items.map((i: { type: string }) => i.type), ['folder', 'image', 'image', 'other', 'video']);
  const unknownSort = await d.request('GET', '/api/files?path=Photos/Trip&sort=bogus&order=sideways');
  t.same(unknownSort.body.items.map((i: { name: string }) => i.name), r.body.items.map((i: { name: string }) => i.name), 'unknown sort/order: name asc');

  const images = await d.request('GET', '/api/files?path=Photos/Trip&type=image');
  t.same(images.body.items.map((i: { name: string }) => i.name), ['Sub', 'a.jpg', 'b.png'], 'folders are always kept');
  t.equal(images.body.totalItems, 3);
  const playlists = await d.request('GET', '/api/files?path=Photos&type=playlist');
  t.same(playlists.body.items.map((i: { name: string }) => i.name), ['Empty', 'Trip', 'list.wpl']);
  t.match(playlists.body.items[2], { type: 'playlist' });
  const top = await d.request('GET', '/api/files?path=Photos');
  t.notOk('parent' in top.body, 'top-level folder has no parent');
  t.match(top.body.items.find((i: { name: string }) => i.name === 'weird name #1+x.jpg'), { thumbnailUrl: '/api/thumbnail/Photos/weird%20name%20%231%2Bx.jpg' });
});

t.test('GET /api/files pagination edges', async (t) => {
  const d = tree.daemon;
  const p2 = await d.request('GET', '/api/files?path=Photos/Trip&pageSize=2&page=2');
  t.match(p2.body, { page: 2, pageSize: 2, totalItems: 5, totalPages: 3 });
  t.same(p2.body.items.map((i: { name: string }) => i.name), ['b.png', 'clip.mp4']);
  const last = await d.request('GET', '/api/files?path=Photos/Trip&pageSize=2&page=3');
  t.same(last.body.items.map((i: { name: string }) => i.name), ['notes.txt']);
  const beyond = await d.request('GET', '/api/files?path=Photos/Trip&pageSize=2&page=99');
  t.match(beyond.body, { items: [], page: 99, totalItems: 5, totalPages: 3 });
  const bad = await d.request('GET', '/api/files?path=Photos/Trip&page=0&pageSize=abc');
  t.match(bad.body, { page: 1, pageSize: 50 });
  const neg = await d.request('GET', '/api/files?path=Photos/Trip&page=-3&pageSize=-1');
  t.match(neg.body, { page: 1, pageSize: 50 });
  const huge = await d.request('GET', '/api/files?path=Photos/Trip&pageSize=999999');
  t.equal(huge.body.pageSize, 10_000, 'clamped');
  const empty = await d.request('GET', '/api/files?path=Photos/Empty');
  t.match(empty.body, { items: [], totalItems: 0, totalPages: 1 });
  const missing = await d.request('GET', '/api/files?path=Photos/Nope/Deeper');
  t.equal(missing.status, 200, 'unknown folder: empty listing, as upstream');
  t.match(missing.body, { items: [], totalItems: 0, name: 'Deeper', parent: 'Photos/Nope' });
  const dot = await d.request('GET', '/api/files?path=.');
  t.equal(dot.body.items[0].name, 'Photos', '"." is the root');
});

t.test('GET /api/files and /api/media: ETag and 304', async (t) => {
  const d = tree.daemon;
  for (const path of ['/api/files?path=Photos/Trip', '/api/media?path=Photos/Trip']) {
    const first = await d.fetch(path);
    const etag = first.headers.get('etag');
    t.ok(etag, `${path} has an ETag`);
    await first.text();
    const again = await d.fetch(path, { headers: { 'if-none-match': etag! } });
    t.equal(again.status, 304, `${path} 304 on match`);
    t.equal(await again.text(), '');
    const other = await d.fetch(path, { headers: { 'if-none-match': '"nope"' } });
    t.equal(other.status, 200);
    await other.text();
  }
  const before = (await d.fetch('/api/files?path=Photos/Trip')).headers.get('etag');
  await d.request('POST', '/api/tags/file', { path: 'Photos/Trip/a.jpg', tag: 'etag-check' });
  const after = await d.fetch('/api/files?path=Photos/Trip', { headers: { 'if-none-match': before! } });
  t.equal(after.status, 200, 'a tag change changes the ETag');
  await after.text();
  await d.request('DELETE', '/api/tags/file', { path: 'Photos/Trip/a.jpg', tag: 'etag-check' });
});

t.test('GET /api/media: images and videos only, sorted', async (t) => {
  const d = tree.daemon;
  const r = await d.request('GET', '/api/media?path=Photos/Trip');
  t.equal(r.status, 200);
  t.ok(Array.isArray(r.body));
  t.same(r.body.map((i: { name: string }) => i.name), ['a.jpg', 'b.png', 'clip.mp4']);
  for (const item of r.body) t.ok(item.thumbnailUrl, `${item.name} has thumbnailUrl`);
  const desc = await d.request('GET', '/api/media?path=Photos/Trip&sort=name&order=desc');
  t.same(desc.body.map((i: { name: string }) => i.name), ['clip.mp4', 'b.png', 'a.jpg']);
  const root = await d.request('GET', '/api/media');
  t.same(root.body, [], 'the virtual root holds no media');
  t.same((await d.request('GET', '/api/media?path=Photos/Empty')).body, []);
  t.same((await d.request('GET', '/api/media?path=Photos/Missing')).body, []);
});

t.test('traversal is refused by every path-taking endpoint', async (t) => {
  const d = tree.daemon;
  const attempts = [
    '/api/files?path=../etc', '/api/files?path=Photos/../../etc', '/api/files?path=/etc/passwd', '/api/files?path=Photos%5C..%5Cx',
    '/api/media?path=../etc', '/api/media?path=Photos/%00x',
    '/api/thumbnail/Photos/%2e%2e/%2e%2e/etc/passwd', '/api/thumbnail/Photos/../../etc/passwd', '/api/thumbnail/%2fetc%2fpasswd',
    '/api/file/Photos/%2e%2e/%2e%2e/etc/passwd', '/api/file/Photos/Trip/../../../x.jpg', '/api/file/%2e%2e%2fsecret',
    '/api/tags/file?path=../x', '/api/favorites/check?path=../x',
  ];
  for (const url of attempts) {
    const r = await rawGet(url);
    t.equal(r.status, 400, url);
    t.same(Object.keys(r.body).sort(), [...ERROR_KEYS, 'field'].sort(), `${url}: JSON error body`);
    t.equal(r.body.code, 'INVALID_PATH', url);
  }
  for (const [method, url, body] of [
    ['POST', '/api/tags/file', { path: '../../etc/passwd', tag: 'x' }],
    ['POST', '/api/favorites', { path: 'Photos/../../x' }],
    ['POST', '/api/tags/file/set', { path: '../x', tags: ['a'] }],
  ] as const) {
    const r = await d.request(method, url, body);
    t.equal(r.status, 400, `${method} ${url}`);
    t.equal(r.body.code, 'INVALID_PATH');
  }
  const bulk = await d.request('POST', '/api/tags/bulk', { paths: ['../x', 'Photos/z.jpg'], tag: 'trav' });
  t.match(bulk.body, { success: 1, failed: 1, errors: ['../x: Invalid path'] });
  await d.request('DELETE', '/api/tags/trav');
});

t.test('GET /api/thumbnail/*', async (t) => {
  const d = tree.daemon;
  const img = await d.fetch('/api/thumbnail/Photos/Trip/a.jpg');
  t.equal(img.status, 200);
  t.equal(img.headers.get('content-type'), 'image/jpeg');
  t.equal(img.headers.get('cache-control'), 'private, max-age=86400');
  t.equal(img.headers.get('content-security-policy'), "default-src 'none'");
  t.equal(img.headers.get('x-content-type-options'), 'nosniff');
  const bytes = Buffer.from(await img.arrayBuffer());
  t.same([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], 'JPEG magic');
  const etag = img.headers.get('etag')!;
  const cached = await d.fetch('/api/thumbnail/Photos/Trip/a.jpg', { headers: { 'if-none-match': etag } });
  t.equal(cached.status, 304);
  const weird = await d.fetch('/api/thumbnail/Photos/weird%20name%20%231%2Bx.jpg');
  t.equal(weird.status, 200, 'encoded names resolve');
  await weird.arrayBuffer();

  const video = await d.fetch('/api/thumbnail/Photos/Trip/clip.mp4');
  t.equal(video.status, 200);
  t.equal(video.headers.get('content-type'), 'image/jpeg');
  t.ok((await video.arrayBuffer()).byteLength > 100);

  for (const folder of ['Photos/Trip', 'Photos', 'Photos/Empty']) {
    const f = await d.fetch(`/api/thumbnail/${folder}`);
    t.equal(f.status, 200, folder);
    t.equal(f.headers.get('content-type'), 'image/png');
    t.equal(f.headers.get('cache-control'), 'private, max-age=300, must-revalidate');
    const png = Buffer.from(await f.arrayBuffer());
    t.same([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${folder}: PNG magic`);
    const again = await d.fetch(`/api/thumbnail/${folder}`, { headers: { 'if-none-match': f.headers.get('etag')! } });
    t.equal(again.status, 304);
  }

  const other = await d.request('GET', '/api/thumbnail/Photos/Trip/notes.txt');
  t.match(other, { status: 400, body: { success: false, error: 'Unsupported file type', code: 'UNSUPPORTED_FILE_TYPE' } });
  const playlist = await d.request('GET', '/api/thumbnail/Photos/list.wpl');
  t.equal(playlist.status, 400);
  const missing = await d.request('GET', '/api/thumbnail/Photos/Trip/none.jpg');
  t.match(missing, { status: 404, body: { success: false, code: 'PATH_NOT_FOUND' } });
  const noLib = await d.request('GET', '/api/thumbnail/Nope/x.jpg');
  t.equal(noLib.status, 404);
  const empty = await d.request('GET', '/api/thumbnail/');
  t.match(empty, { status: 400, body: { error: 'Path is required' } });
  const anon = await d.request('GET', '/api/thumbnail/Photos/Trip/a.jpg', undefined, null);
  t.equal(anon.status, 401, 'needs a session');
});

t.test('GET /api/file/*: type, Range, validators, download', async (t) => {
  const d = tree.daemon;
  const size = (await stat(join(tree.root, 'Trip/a.jpg'))).size;
  const full = await d.fetch('/api/file/Photos/Trip/a.jpg');
  t.equal(full.status, 200);
  t.equal(full.headers.get('content-type'), 'image/jpeg');
  t.equal(full.headers.get('accept-ranges'), 'bytes');
  t.equal(Number(full.headers.get('content-length')), size);
  t.ok(full.headers.get('last-modified'));
  t.equal((await full.arrayBuffer()).byteLength, size);
  const etag = full.headers.get('etag')!;

  const part = await d.fetch('/api/file/Photos/Trip/a.jpg', { headers: { range: 'bytes=10-19' } });
  t.equal(part.status, 206);
  t.equal(part.headers.get('content-range'), `bytes 10-19/${size}`);
  t.equal((await part.arrayBuffer()).byteLength, 10);
  const tail = await d.fetch('/api/file/Photos/Trip/a.jpg', { headers: { range: 'bytes=-5' } });
  t.equal(tail.status, 206);
  t.equal((await tail.arrayBuffer()).byteLength, 5);
  const bad = await d.request('GET', '/api/file/Photos/Trip/a.jpg', undefined);
  t.equal(bad.status, 200);
  const unsat = await d.fetch('/api/file/Photos/Trip/a.jpg', { headers: { range: `bytes=${size + 10}-` } });
  t.equal(unsat.status, 416);
  t.equal(unsat.headers.get('content-range'), `bytes */${size}`);
  await unsat.text();
  const notMod = await d.fetch('/api/file/Photos/Trip/a.jpg', { headers: { 'if-none-match': etag } });
  t.equal(notMod.status, 304);
  const since = await d.fetch('/api/file/Photos/Trip/a.jpg', { headers: { 'if-modified-since': full.headers.get('last-modified')! } });
  t.equal(since.status, 304);

  const dl = await d.fetch('/api/file/Photos/weird%20name%20%231%2Bx.jpg?download=true');
  t.equal(dl.status, 200);
  t.equal(dl.headers.get('content-disposition'), `attachment; filename="weird name #1+x.jpg"; filename*=UTF-8''weird%20name%20%231%2Bx.jpg`);
  await dl.arrayBuffer();
  const mp4 = await d.fetch('/api/file/Photos/Trip/clip.mp4', { method: 'HEAD' });
  t.equal(mp4.headers.get('content-type'), 'video/mp4');
  t.equal(Number(mp4.headers.get('content-length')), (await stat(join(tree.root, 'Trip/clip.mp4'))).size);

  t.match(await d.request('GET', '/api/file/Photos/Trip/none.jpg'), { status: 404, body: { success: false } });
  t.match(await d.request('GET', '/api/file/Photos/Trip'), { status: 400, body: { error: 'Invalid file type' } });
  t.match(await d.request('GET', '/api/file/'), { status: 400, body: { error: 'Path is required' } });
});

t.test('GET /api/stats has every upstream key', async (t) => {
  const d = tree.daemon;
  const r = await d.request('GET', '/api/stats');
  t.equal(r.status, 200);
  t.same(Object.keys(r.body), [
    'totalFiles', 'totalFolders', 'totalImages', 'totalVideos', 'totalPlaylists', 'totalFavorites', 'totalTags',
    'thumbnailCacheBytes', 'thumbnailCacheFiles', 'transcodeCacheBytes', 'transcodeCacheFiles', 'lastIndexed', 'indexDuration',
  ]);
  t.match(r.body, { totalFiles: 8, totalFolders: 4, totalImages: 5, totalVideos: 1, totalPlaylists: 1 });
  t.match(r.body.lastIndexed, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.match(r.body.indexDuration, /^[\d.]+(ms|s)$|m/);
});

t.test('POST /api/thumbnails/rebuild: 202, 200 while running, progress events, admin only', async (t) => {
  const d = tree.daemon;
  const first = await d.request('POST', '/api/thumbnails/rebuild');
  t.same(first, { status: 202, body: { message: 'Thumbnail rebuild started in background', status: 'started' }, headers: first.headers });
  const second = await d.request('POST', '/api/thumbnails/rebuild');
  t.same(second.body, { message: 'Thumbnail generation is already in progress', status: 'already_running' });
  t.equal(second.status, 200);
  const status = await eventually(async () => {
    const s = await d.request('GET', '/api/thumbnails/status');
    return s.body.generation.inProgress === false && s.body.generation.lastCompleted ? s.body : undefined;
  }, 30_000);
  t.match(status.generation, { processed: 6, generated: 6, failed: 0 });
  const stats = await d.request('GET', '/api/stats');
  t.ok(stats.body.thumbnailCacheFiles >= 0);
  const anon = await d.request('POST', '/api/thumbnails/rebuild', undefined, null);
  t.equal(anon.status, 401);
});

t.test('system endpoints keep the upstream keys', async (t) => {
  const d = tree.daemon;
  const health = await d.request('GET', '/health', undefined, null);
  t.equal(health.status, 200);
  t.match(health.body, { status: 'healthy', ready: true, version: String, uptime: String, indexing: Boolean, filesIndexed: Number, foldersIndexed: Number, numCpu: Number });
  t.same((await d.request('GET', '/livez', undefined, null)).body, { status: 'alive' });
  t.same((await d.request('GET', '/readyz', undefined, null)).body, { status: 'ready' });
  t.match((await d.request('GET', '/version', undefined, null)).body, { version: String, commit: String, buildTime: String, os: String, arch: String });
});
