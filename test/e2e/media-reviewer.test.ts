/**
 * Media Reviewer surface (seed 001) against the built daemon: every endpoint, every
 * documented error, on-disk effects (companion files, deletions, freedesktop thumbnails),
 * and client aborts of both NDJSON streams. Needs `npx tsc -p .` first.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { startDaemon, eventually } from '../helpers/daemon.js';

const dir = await mkdtemp(join(tmpdir(), 'alcove-e2e-review-'));
const tree = join(dir, 'trailcam');
const other = join(dir, 'outside');
const daemon = await startDaemon({ stateDir: join(dir, 'state'), keepState: true });
t.teardown(async () => {
  await daemon.stop();
  await rm(dir, { recursive: true, force: true });
});
await daemon.loginAdmin();

async function img(path: string, w = 120, h = 80): Promise<void> {
  await sharp({ create: { width: w, height: h, channels: 3, background: '#4a7' } }).jpeg().toFile(path);
}
await mkdir(join(tree, 'DCIM', '100MEDIA'), { recursive: true });
await mkdir(join(tree, 'archive', 'deep'), { recursive: true });
await mkdir(join(tree, '.private'), { recursive: true });
await mkdir(other, { recursive: true });
await img(join(tree, 'b.jpg'));
await img(join(tree, 'a.jpg'), 200, 100);
await img(join(tree, 'DCIM', '100MEDIA', 'frame001.jpg'));
await img(join(tree, '.private', 'secret.jpg'));
await img(join(other, 'x.jpg'));
await writeFile(join(tree, 'notes.txt'), 'not media');
await writeFile(join(tree, 'a.jpg.seen'), '');
const clip = join(tree, 'DCIM', '100MEDIA', 'clip001.mp4');
const gen = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10', '-t', '3', '-pix_fmt', 'yuv420p', clip]);
if (gen.status !== 0) throw new Error(`ffmpeg is needed (apt-get install -y ffmpeg): ${gen.stderr.toString()}`);

const enc = (p: string): string => encodeURIComponent(p);
const q = (path: string, params: Record<string, string> = {}): string => new URLSearchParams({ path, ...params }).toString();

async function ndjson(path: string, init: RequestInit = {}): Promise<{ status: number; type: string | null; lines: Record<string, unknown>[] }> {
  const res = await daemon.fetch(path, init);
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), lines: text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

t.test('health is public and reports settings and the deletion queue', async (t) => {
  const res = await daemon.request('GET', '/api/health', undefined, null);
  t.equal(res.status, 200);
  t.match(res.body, {
    status: 'ok', service: 'mediareviewer-api',
    settings: { stateDirectory: daemon.stateDir, hiddenPickerPaths: Array, deletionWorkers: 2 },
    deletionQueue: { max_workers: 2, active_jobs: 0, submitted_jobs: Number, completed_jobs: Number, failed_jobs: Number },
  });
  t.ok(res.body.settings.hiddenPickerPaths.includes('/proc') && res.body.settings.hiddenPickerPaths.includes('/sys'));
});

t.test('every other endpoint needs a session', async (t) => {
  for (const [m, p] of [['GET', '/api/review-paths'], ['GET', `/api/folders?${q(tree)}`], ['GET', `/api/folders/files?${q(tree)}`],
    ['GET', `/api/media-items/stream?${q(tree)}`], ['POST', '/api/media-actions'], ['POST', '/api/empty-trash'],
    ['GET', `/api/media-file?${q(clip)}`], ['GET', `/api/media-thumbnail?${q(clip)}`]] as const) {
    t.equal((await daemon.request(m, p, undefined, null)).status, 401, `${m} ${p}`);
  }
});

t.test('review paths: add, validate, persist, remove', async (t) => {
  t.equal((await daemon.request('POST', '/api/review-paths', { nope: 1 })).status, 400, 'missing path');
  t.equal((await daemon.request('POST', '/api/review-paths', { path: 5 })).status, 400, 'not a string');
  t.equal((await daemon.request('POST', '/api/review-paths', { path: join(dir, 'missing') })).status, 400, 'missing dir');
  t.equal((await daemon.request('POST', '/api/review-paths', { path: join(tree, 'b.jpg') })).status, 400, 'a file');
  const hidden = await daemon.request('POST', '/api/review-paths', { path: '/proc' });
  t.match(hidden, { status: 403, body: { success: false, error: 'Path is hidden by picker policy.' } });
  t.equal((await daemon.request('POST', '/api/review-paths', { path: '/sys/kernel' })).status, 403, 'under a hidden path');
  const added = await daemon.request('POST', '/api/review-paths', { path: `${tree}/` });
  t.same(added.body, { addedPath: tree, knownPaths: [tree] });
  t.equal(added.status, 201);
  t.equal((await daemon.request('POST', '/api/review-paths', { path: tree })).status, 201, 'idempotent');
  const list = await daemon.request('GET', '/api/review-paths');
  t.same(list.body.knownPaths, [tree]);
  t.ok(list.body.hiddenPickerPaths.includes('/proc'));
  t.match(await readFile(join(daemon.stateDir, 'review-paths.yaml'), 'utf8'), `- ${tree}`, 'YAML mirror');
  // A review path whose folder is gone can still be removed.
  const gone = join(dir, 'gone');
  await mkdir(gone);
  await daemon.request('POST', '/api/review-paths', { path: gone });
  await rm(gone, { recursive: true });
  t.same((await daemon.request('DELETE', '/api/review-paths', { path: gone })).body, { removedPath: gone, knownPaths: [tree] });
  t.equal((await daemon.request('DELETE', '/api/review-paths', { path: gone })).status, 404);
  t.equal((await daemon.request('DELETE', '/api/review-paths', {})).status, 400);
});

t.test('folders: picker listing and errors', async (t) => {
  const res = await daemon.request('GET', `/api/folders?${q(tree)}`);
  t.same(res.body, {
    path: tree,
    folders: [
      { path: join(tree, 'DCIM'), name: 'DCIM', has_children: true },
      { path: join(tree, 'archive'), name: 'archive', has_children: true },
    ],
  }, 'dot folders out, code-point order, has_children');
  t.same((await daemon.request('GET', `/api/folders?${q(join(tree, 'archive', 'deep'))}`)).body.folders, []);
  t.equal((await daemon.request('GET', '/api/folders')).status, 400);
  t.equal((await daemon.request('GET', `/api/folders?${q(join(dir, 'nope'))}`)).status, 400);
  t.equal((await daemon.request('GET', `/api/folders?${q('/proc')}`)).status, 403);
  const root = await daemon.request('GET', `/api/folders?${q('/')}`);
  t.notOk(root.body.folders.some((f: { name: string }) => f.name === 'proc'), 'hidden paths are not offered');
});

t.test('folders/files: one folder, media only, paginated, probed', async (t) => {
  const res = await daemon.request('GET', `/api/folders/files?${q(tree)}`);
  t.equal(res.status, 200);
  t.match(res.body, { path: tree, offset: 0, limit: 100, count: 2, ignoredCount: 2 });
  t.same(res.body.items.map((i: { name: string }) => i.name), ['a.jpg', 'b.jpg']);
  t.match(res.body.items[0], {
    path: join(tree, 'a.jpg'), mediaType: 'image', sizeBytes: Number,
    thumbnailUrl: `/api/media-thumbnail?path=${enc(join(tree, 'a.jpg'))}&size=256`,
    modifiedAt: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/, createdAt: /\+00:00$/,
    status: { locked: false, trashed: false, seen: true }, metadata: { width: 200, height: 100, duration_seconds: null },
  });
  const videos = await daemon.request('GET', `/api/folders/files?${q(join(tree, 'DCIM', '100MEDIA'))}`);
  t.match(videos.body.items[0], { name: 'clip001.mp4', mediaType: 'video', metadata: { width: 160, height: 120 } });
  t.ok(Math.abs(videos.body.items[0].metadata.duration_seconds - 3) < 0.2, 'duration from ffprobe');
  const page = await daemon.request('GET', `/api/folders/files?${q(tree, { offset: '1', limit: '1' })}`);
  t.same(page.body.items.map((i: { name: string }) => i.name), ['b.jpg']);
  for (const bad of [{ offset: '-1' }, { limit: '0' }, { limit: '1001' }, { limit: 'abc' }] as Record<string, string>[]) {
    t.equal((await daemon.request('GET', `/api/folders/files?${q(tree, bad)}`)).status, 400, JSON.stringify(bad));
  }
  t.equal((await daemon.request('GET', '/api/folders/files')).status, 400);
  t.equal((await daemon.request('GET', `/api/folders/files?${q(other)}`)).status, 403);
});

t.test('media-items/stream: recursive NDJSON, pagination, done last', async (t) => {
  const all = await ndjson(`/api/media-items/stream?${q(tree, { limit: '100' })}`);
  t.equal(all.status, 200);
  t.equal(all.type, 'application/x-ndjson');
  const items = all.lines.slice(0, -1);
  t.same(all.lines.at(-1), { type: 'done', count: 4 });
  t.same(items.map((i) => (i.path as string).slice(tree.length)), ['/a.jpg', '/b.jpg', '/DCIM/100MEDIA/clip001.mp4', '/DCIM/100MEDIA/frame001.jpg'],
    'own files first, then subfolders; hidden folders and non-media out');
  const p1 = await ndjson(`/api/media-items/stream?${q(tree, { limit: '3' })}`);
  const p2 = await ndjson(`/api/media-items/stream?${q(tree, { limit: '3', offset: '3' })}`);
  t.same(p1.lines.at(-1), { type: 'done', count: 3 });
  t.same(p2.lines.at(-1), { type: 'done', count: 1 }, 'count < limit: last page');
  t.same([...p1.lines.slice(0, -1), ...p2.lines.slice(0, -1)].map((l) => l.path), items.map((l) => l.path));
  const unseen = await ndjson(`/api/media-items/stream?${q(tree, { statusFilter: 'unseen' })}`);
  t.notOk(unseen.lines.some((l) => l.path === join(tree, 'a.jpg')), 'statusFilter');
  for (const bad of [{ limit: '0' }, { limit: '10001' }, { offset: '-2' }, { statusFilter: 'odd' }] as Record<string, string>[]) {
    t.equal((await daemon.request('GET', `/api/media-items/stream?${q(tree, bad)}`)).status, 400, JSON.stringify(bad));
  }
  t.equal((await daemon.request('GET', '/api/media-items/stream')).status, 400);
  t.equal((await daemon.request('GET', `/api/media-items/stream?${q(join(tree, 'DCIM'))}`)).status, 403, 'must be a review path itself');
});

t.test('media-actions: companions on disk, conflicts and errors', async (t) => {
  const b = join(tree, 'b.jpg');
  const act = (action: string, path = b) => daemon.request('POST', '/api/media-actions', { path, action });
  t.same((await act('seen')).body, { path: b, action: 'seen', status: { locked: false, trashed: false, seen: true } });
  t.ok((await stat(`${b}.seen`)).isFile());
  t.same((await act('unseen')).body.status, { locked: false, trashed: false, seen: false });
  await t.rejects(stat(`${b}.seen`));
  t.same((await act('lock')).body.status, { locked: true, trashed: false, seen: true }, 'lock implies seen');
  t.ok((await stat(`${b}.lock`)).isFile());
  const conflict = await act('trash');
  t.match(conflict, { status: 409, body: { success: false, error: 'Cannot trash a locked item. Unlock it first.' } });
  await t.rejects(stat(`${b}.trash`));
  t.same((await act('unlock')).body.status, { locked: false, trashed: false, seen: true });
  t.same((await act('trash')).body.status, { locked: false, trashed: true, seen: true }, 'trash implies seen');
  t.ok((await stat(`${b}.trash`)).isFile());
  t.same((await act('untrash')).body.status, { locked: false, trashed: false, seen: true });
  await t.rejects(stat(`${b}.trash`));
  const listed = await daemon.request('GET', `/api/folders/files?${q(tree)}`);
  t.same(listed.body.items[1].status, { locked: false, trashed: false, seen: true }, 'listing reflects it');
  t.equal((await act('explode')).status, 400, 'unknown action');
  t.equal((await act('seen', join(tree, 'missing.jpg'))).status, 400, 'missing media');
  t.equal((await daemon.request('POST', '/api/media-actions', [1])).status, 400, 'not an object');
  t.equal((await act('seen', join(other, 'x.jpg'))).status, 403, 'outside review paths');
  t.equal((await act('seen', '/etc/passwd')).status, 403);
});

t.test('media-file: streams the original with ranges', async (t) => {
  const full = await daemon.fetch(`/api/media-file?${q(clip)}`);
  t.equal(full.status, 200);
  t.equal(full.headers.get('content-type'), 'video/mp4');
  t.equal(Buffer.from(await full.arrayBuffer()).length, (await stat(clip)).size);
  const part = await daemon.fetch(`/api/media-file?${q(clip)}`, { headers: { range: 'bytes=10-19' } });
  t.equal(part.status, 206);
  t.same(Buffer.from(await part.arrayBuffer()), (await readFile(clip)).subarray(10, 20));
  t.equal((await daemon.request('GET', '/api/media-file')).status, 400);
  t.equal((await daemon.request('GET', `/api/media-file?${q(join(tree, 'nope.jpg'))}`)).status, 400);
  t.equal((await daemon.request('GET', `/api/media-file?${q(join(other, 'x.jpg'))}`)).status, 403);
});

t.test('media-thumbnail: PNG in the freedesktop layout', async (t) => {
  const a = join(tree, 'a.jpg');
  const res = await daemon.fetch(`/api/media-thumbnail?${q(a)}`);
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'image/png');
  const body = Buffer.from(await res.arrayBuffer());
  const md5 = createHash('md5').update(`file://${a.split('/').map(encodeURIComponent).join('/')}`).digest('hex');
  const cached = join(tree, '.thumbnails', 'large', `${md5}.png`);
  t.same(await readFile(cached), body, 'served from <review>/.thumbnails/large/<md5(uri)>.png');
  const text = body.toString('latin1');
  t.match(text, `Thumb::URI\0file://${a}`);
  t.match(text, `Thumb::MTime\0${Math.floor((await stat(a)).mtimeMs / 1000)}`);
  t.equal(Math.round((await stat(cached)).mtimeMs), Math.round((await stat(a)).mtimeMs), 'mtime matches the source');
  const small = await daemon.fetch(`/api/media-thumbnail?${q(a, { size: '64' })}`);
  t.equal((await sharp(Buffer.from(await small.arrayBuffer())).metadata()).width, 64);
  const video = await daemon.fetch(`/api/media-thumbnail?${q(clip, { size: '128' })}`);
  t.equal(video.status, 200);
  t.equal(video.headers.get('x-thumbnail-placeholder'), null, 'a real frame');
  await writeFile(join(tree, 'archive', 'bad.mp4'), 'garbage');
  const bad = await daemon.fetch(`/api/media-thumbnail?${q(join(tree, 'archive', 'bad.mp4'))}`);
  t.equal(bad.status, 200);
  t.equal(bad.headers.get('x-thumbnail-placeholder'), 'true', 'labelled placeholder');
  t.equal(bad.headers.get('cache-control'), 'no-store');
  for (const size of ['0', '1025', 'x']) t.equal((await daemon.request('GET', `/api/media-thumbnail?${q(a, { size })}`)).status, 400);
  t.equal((await daemon.request('GET', '/api/media-thumbnail')).status, 400);
  t.equal((await daemon.request('GET', `/api/media-thumbnail?${q(join(tree, 'zzz.jpg'))}`)).status, 400);
  t.equal((await daemon.request('GET', `/api/media-thumbnail?${q(join(other, 'x.jpg'))}`)).status, 403);
  // Warm-up: after add/stream, every media file gets its large thumbnail without being asked.
  const frame = join(tree, 'DCIM', '100MEDIA', 'frame001.jpg');
  const frameMd5 = createHash('md5').update(`file://${frame}`).digest('hex');
  await eventually(() => stat(join(tree, '.thumbnails', 'large', `${frameMd5}.png`)).then(() => true), 15_000);
});

t.test('empty-trash: deletes trashed media with companions, skips locked, prunes orphans', async (t) => {
  const victims = [join(tree, 'archive', 't1.jpg'), join(tree, 'archive', 'deep', 't2.jpg')];
  const keeper = join(tree, 'archive', 'keep.jpg');
  for (const p of [...victims, keeper]) await img(p);
  for (const p of victims) t.equal((await daemon.request('POST', '/api/media-actions', { path: p, action: 'trash' })).status, 200);
  await daemon.request('POST', '/api/media-actions', { path: keeper, action: 'trash' });
  await writeFile(`${keeper}.lock`, ''); // locked after being trashed (e.g. by another client)
  // Thumbnails of a victim and of a file deleted behind our back (an orphan).
  await daemon.fetch(`/api/media-thumbnail?${q(victims[0])}`);
  const orphanSrc = join(tree, 'archive', 'orphan.jpg');
  await img(orphanSrc);
  await daemon.fetch(`/api/media-thumbnail?${q(orphanSrc)}`);
  await rm(orphanSrc);
  const before = (await daemon.request('GET', '/api/health')).body.deletionQueue;

  t.equal((await daemon.request('POST', '/api/empty-trash', { path: other })).status, 403, 'not a review path');
  t.equal((await daemon.request('POST', '/api/empty-trash', { path: 7 })).status, 400);
  const res = await ndjson('/api/empty-trash', { method: 'POST' });
  t.equal(res.type, 'application/x-ndjson');
  t.same(res.lines.at(-1), { type: 'done', deleted: 2, errors: 0, skipped: 1, pruned: 1 });
  t.same(res.lines.filter((l) => l.type === 'skipped'), [{ type: 'skipped', path: keeper, reason: 'locked' }]);
  for (const p of victims) {
    t.same(res.lines.filter((l) => l.path === p).map((l) => l.type), ['deleting', 'deleted']);
    for (const suffix of ['', '.trash', '.seen']) await t.rejects(stat(`${p}${suffix}`), `${p}${suffix} gone`);
  }
  t.ok((await stat(keeper)).isFile(), 'locked item kept');
  const large = await readdir(join(tree, '.thumbnails', 'large'));
  const md5 = (p: string) => `${createHash('md5').update(`file://${p}`).digest('hex')}.png`;
  t.notOk(large.includes(md5(victims[0])), "deleted file's thumbnail removed");
  t.notOk(large.includes(md5(orphanSrc)), 'orphan pruned');
  const after = (await daemon.request('GET', '/api/health')).body.deletionQueue;
  t.equal(after.submitted_jobs - before.submitted_jobs, 2);
  t.equal(after.completed_jobs - before.completed_jobs, 2);
  const stream = await ndjson(`/api/media-items/stream?${q(tree, { limit: '100' })}`);
  t.notOk(stream.lines.some((l) => victims.includes(l.path as string)), 'stream no longer lists them');
});

t.test('client aborts of both NDJSON streams', async (t) => {
  const big = join(dir, 'big');
  for (let d = 0; d < 40; d++) {
    const sub = join(big, `d${String(d).padStart(2, '0')}`);
    await mkdir(sub, { recursive: true });
    await Promise.all(Array.from({ length: 100 }, (_, i) => writeFile(join(sub, `f${String(i).padStart(3, '0')}.jpg`), 'x')
      .then(() => writeFile(join(sub, `f${String(i).padStart(3, '0')}.jpg.trash`), ''))));
  }
  t.equal((await daemon.request('POST', '/api/review-paths', { path: big })).status, 201);

  const controller = new AbortController();
  const res = await daemon.fetch(`/api/media-items/stream?${q(big, { limit: '10000' })}`, { signal: controller.signal });
  const reader = res.body!.getReader();
  const first = await reader.read();
  t.match(Buffer.from(first.value!).toString(), /^\{"path":/, 'first line arrives');
  controller.abort();
  await reader.cancel().catch(() => undefined);
  t.equal((await daemon.request('GET', '/api/health')).status, 200, 'daemon fine after the abort');

  const c2 = new AbortController();
  const trash = await daemon.fetch('/api/empty-trash', { method: 'POST', json: { path: big }, signal: c2.signal });
  const r2 = trash.body!.getReader();
  // Abort once the first file is really gone, so "stopped part-way" is what is measured.
  let got = '';
  while (!got.includes('"type":"deleted"')) {
    const chunk = await r2.read();
    if (chunk.done) break;
    got += Buffer.from(chunk.value).toString();
  }
  t.match(got, /"type":"deleting"/);
  t.match(got, /"type":"deleted"/);
  c2.abort();
  await r2.cancel().catch(() => undefined);
  await new Promise((r) => setTimeout(r, 500));
  const remaining = new Set<string>();
  for (const d of await readdir(big)) for (const f of await readdir(join(big, d))) remaining.add(join(d, f));
  const media = [...remaining].filter((f) => f.endsWith('.jpg'));
  t.ok(media.length > 0 && media.length < 4000, `work stopped after the abort (${4000 - media.length} deleted of 4000)`);
  for (const m of media) if (!remaining.has(`${m}.trash`)) t.fail(`${m} lost its .trash companion`);
  const orphans = [...remaining].filter((f) => f.endsWith('.trash') && !remaining.has(f.slice(0, -'.trash'.length)));
  t.same(orphans, [], 'no companion left without its media: nothing half-done');
});

t.test('a plain user may review but not change review paths, browse the server, or empty trash', async (t) => {
  const created = await daemon.request('POST', '/api/users', { username: 'reviewer', password: 'reviewer-pass-1', role: 'user' });
  t.equal(created.status, 201);
  const login = await daemon.request('POST', '/api/auth/login', { username: 'reviewer', password: 'reviewer-pass-1' }, null);
  const token = login.body.token as string;
  const paths = await daemon.request('GET', '/api/review-paths', undefined, token);
  t.equal(paths.status, 200, 'listing review paths is allowed');
  const reviewPath = (paths.body.knownPaths as string[])[0];
  t.type(reviewPath, 'string', 'a review path exists');
  const files = await daemon.request('GET', `/api/folders/files?path=${encodeURIComponent(reviewPath)}`, undefined, token);
  t.equal(files.status, 200, 'browsing a review folder is allowed');
  for (const [method, path, body] of [
    ['POST', '/api/review-paths', { path: dir }],
    ['DELETE', '/api/review-paths', { path: reviewPath }],
    ['GET', `/api/folders?path=${encodeURIComponent(dir)}`, undefined],
    ['POST', '/api/empty-trash', {}],
  ] as const) {
    const r = await daemon.request(method, path, body, token);
    t.equal(r.status, 403, `${method} ${path.split('?')[0]} is admin only`);
    t.equal(r.body.success, false);
  }
  const anon = await daemon.request('GET', '/api/review-paths', undefined, null);
  t.equal(anon.status, 401, 'no session, no review');
});
