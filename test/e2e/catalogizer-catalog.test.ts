/**
 * Catalogizer catalog side, end to end on the built daemon: storage roots (no secrets out),
 * scan jobs, catalog browsing and search, downloads (Range, RFC 6266 names, zip / tar /
 * tar.gz checked by real readers and member hashes), copies between roots and uploads
 * (409, traversal, outside-root refusals), statistics from counters, background duplicate
 * detection, access recording, and permission guards for a plain user.
 */
import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../helpers/daemon.js';
import { createUser, startCatalogizerDaemon, v1Login } from './catalogizer-helpers.js';

const run = promisify(execFile);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const media = await mkdtemp(join(tmpdir(), 'alcove-cat-media-'));
const backup = await mkdtemp(join(tmpdir(), 'alcove-cat-backup-'));
const work = await mkdtemp(join(tmpdir(), 'alcove-cat-work-'));
const matrix = randomBytes(300_000);
const inception = randomBytes(200_000);
const flac = randomBytes(5_000);
const files: Record<string, Buffer> = {
  'movies/The Matrix (1999)/The.Matrix.mkv': matrix,
  'movies/Inception (2010)/Inception.mkv': inception,
  'movies/copies/Matrix.copy.mkv': matrix,
  'music/Été.flac': flac,
  'notes.txt': Buffer.from('hello catalog\n'),
};
for (const [rel, data] of Object.entries(files)) {
  await mkdir(join(media, rel, '..'), { recursive: true });
  await writeFile(join(media, rel), data);
}
const { daemon, configDir } = await startCatalogizerDaemon();
t.teardown(async () => {
  await daemon.stop();
  for (const d of [media, backup, work, configDir]) await rm(d, { recursive: true, force: true });
});
await daemon.loginAdmin();

let rootId = 0;
t.test('storage roots: create (201, upsert by name), list without secrets, status, live listing', async (t) => {
  const bad = await daemon.request('POST', '/api/v1/storage/roots', { protocol: 'local' });
  t.equal(bad.status, 400);
  t.equal(bad.body.success, false);
  const res = await daemon.request('POST', '/api/v1/storage/roots', { name: 'nas-media', protocol: 'local', path: media });
  t.equal(res.status, 201);
  t.match(res.body, { message: 'storage root created', name: 'nas-media', protocol: 'local' });
  rootId = res.body.id;
  const b = await daemon.request('POST', '/api/v1/storage/roots', { name: 'backup', protocol: 'local', path: backup });
  t.equal(b.status, 201);
  const smb = await daemon.request('POST', '/api/v1/storage/roots', { name: 'remote', protocol: 'smb', host: '127.0.0.1', port: 1, path: 'share', username: 'bob', password: 'S3cret-pass!' });
  t.equal(smb.status, 201);
  for (const path of ['/api/v1/storage/roots', '/api/v1/storage-roots']) {
    const list = await daemon.fetch(path);
    const text = await list.text();
    t.equal(list.status, 200);
    t.notMatch(text, /S3cret-pass/, 'no password');
    const roots = JSON.parse(text).roots as any[];
    t.ok(roots.find((r) => r.name === 'remote' && r.has_credentials === true && r.protocol === 'smb'));
  }
  const status = await daemon.request('GET', `/api/v1/storage-roots/${rootId}/status`);
  t.match(status.body, { id: rootId, status: 'online', connected: true });
  t.equal((await daemon.request('GET', '/api/v1/storage-roots/99999/status')).status, 404);
  t.equal((await daemon.request('GET', '/api/v1/storage-roots/abc/status')).status, 400);
  const offline = await daemon.request('GET', `/api/v1/storage-roots/${smb.body.id}/status`);
  t.equal(offline.body.connected, false);
  const listing = await daemon.request('GET', `/api/v1/storage/list/movies?storage_id=${rootId}`);
  t.equal(listing.status, 200);
  t.same(listing.body.files.map((f: any) => f.name), ['copies', 'Inception (2010)', 'The Matrix (1999)']);
  t.equal((await daemon.request('GET', '/api/v1/storage/list/movies')).status, 400);
});

t.test('scan job: 202, then completed', async (t) => {
  t.equal((await daemon.request('POST', '/api/v1/scans', { storage_root_id: 424242 })).status, 404);
  const q = await daemon.request('POST', '/api/v1/scans', { storage_root_id: rootId });
  t.equal(q.status, 202);
  t.match(q.body, { message: 'scan job queued', status: 'queued', scan_type: 'full', storage_root_id: rootId });
  const done = await eventually(async () => {
    const r = await daemon.request('GET', `/api/v1/scans/${q.body.job_id}`);
    return r.body.status === 'completed' ? r.body : undefined;
  });
  t.equal(done.files_found >= 5, true);
  t.equal((await daemon.request('GET', '/api/v1/scans/nope')).status, 404);
  const list = await daemon.request('GET', '/api/v1/scans');
  t.ok(list.body.scans.some((s: any) => s.job_id === q.body.job_id));
});

let matrixId = 0;
let flacId = 0;
t.test('catalog and search', async (t) => {
  t.same((await daemon.request('GET', '/api/v1/catalog')).body, { roots: ['nas-media'] });
  const list = await daemon.request('GET', '/api/v1/catalog/nas-media/movies?sort_by=name&limit=2');
  t.equal(list.status, 200);
  t.match(list.body, { count: 2, limit: 2, offset: 0, total: 3 });
  t.equal(list.body.files[0].is_directory, true);
  t.equal(list.body.files[0].smb_root, 'nas-media');
  const info = await daemon.request('GET', `/api/v1/catalog-info/nas-media/movies/${encodeURIComponent('The Matrix (1999)')}/The.Matrix.mkv`);
  t.equal(info.status, 200);
  t.match(info.body, { name: 'The.Matrix.mkv', path: 'nas-media/movies/The Matrix (1999)/The.Matrix.mkv', size: matrix.length, type: 'file', extension: 'mkv', storage_root_name: 'nas-media' });
  matrixId = info.body.id;
  t.equal((await daemon.request('GET', `/api/v1/catalog-info/${matrixId}`)).body.id, matrixId, 'by id');
  t.equal((await daemon.request('GET', '/api/v1/catalog-info/nas-media/nope')).status, 404);
  t.equal((await daemon.request('GET', '/api/v1/catalog/nas-media/nope')).status, 404);
  const s = await daemon.request('GET', '/api/v1/search?query=matrix&extension=mkv&smb_roots=nas-media');
  t.equal(s.status, 200);
  t.match(s.body, { total: 2, count: 2, limit: 100, offset: 0 });
  const missing = await daemon.request('GET', '/api/v1/search');
  t.equal(missing.status, 400);
  t.match(missing.body, { success: false, error: 'Search query is required' });
  t.equal((await daemon.request('GET', '/api/v1/search?query=x&min_size=abc')).status, 400);
  const sized = await daemon.request('GET', '/api/v1/search/files?query=mkv&min_size=250000&sort_by=size&sort_order=desc');
  t.ok(sized.body.files.every((f: any) => f.size >= 250000));
  const adv = await daemon.request('POST', '/api/v1/search/advanced', { extensions: ['flac'], smb_roots: ['nas-media'] });
  t.equal(adv.body.total, 1);
  flacId = adv.body.files[0].id;
  t.equal((await daemon.request('POST', '/api/v1/search/advanced', {})).status, 400);
});

t.test('single-file download: bytes, Range, RFC 6266 names, errors', async (t) => {
  const full = await daemon.fetch(`/api/v1/download/file/${matrixId}`);
  t.equal(full.status, 200);
  t.equal(full.headers.get('content-disposition'), 'attachment; filename="The.Matrix.mkv"');
  t.equal(sha(Buffer.from(await full.arrayBuffer())), sha(matrix));
  const part = await daemon.fetch(`/api/v1/download/file/${matrixId}`, { headers: { Range: 'bytes=1000-1999' } });
  t.equal(part.status, 206);
  t.same(Buffer.from(await part.arrayBuffer()), matrix.subarray(1000, 2000));
  const uni = await daemon.fetch(`/api/v1/download/file/${flacId}`);
  t.equal(uni.headers.get('content-disposition'), `attachment; filename="Ete.flac"; filename*=UTF-8''%C3%89t%C3%A9.flac`);
  await uni.arrayBuffer();
  t.equal((await daemon.request('GET', '/api/v1/download/file/abc')).status, 400);
  t.equal((await daemon.request('GET', '/api/v1/download/file/99999999')).status, 404);
  const dir = await daemon.request('GET', `/api/v1/catalog-info/nas-media/movies`);
  const d = await daemon.request('GET', `/api/v1/download/file/${dir.body.id}`);
  t.match(d, { status: 400, body: { error: 'Cannot download directory as single file' } });
});

t.test('archives: zip, tar and tar.gz of a directory and of a path list', async (t) => {
  const zip = await daemon.fetch('/api/v1/download/directory/nas-media/movies?format=zip');
  t.equal(zip.status, 200);
  t.equal(zip.headers.get('content-type'), 'application/zip');
  t.equal(zip.headers.get('content-disposition'), 'attachment; filename="movies.zip"');
  const zipFile = join(work, 'm.zip');
  await writeFile(zipFile, Buffer.from(await zip.arrayBuffer()));
  const py = await run('python3', ['-c', 'import sys,zipfile,hashlib,json; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))', zipFile]);
  const members = JSON.parse(py.stdout) as Record<string, string>;
  t.same(Object.keys(members).sort(), ['movies/Inception (2010)/Inception.mkv', 'movies/The Matrix (1999)/The.Matrix.mkv', 'movies/copies/Matrix.copy.mkv']);
  t.equal(members['movies/The Matrix (1999)/The.Matrix.mkv'], sha(matrix));
  t.match((await run('unzip', ['-t', zipFile])).stdout, /No errors detected/);

  const tar = await daemon.fetch('/api/v1/download/directory/nas-media?format=tar');
  t.equal(tar.headers.get('content-type'), 'application/x-tar');
  const tarFile = join(work, 'all.tar');
  await writeFile(tarFile, Buffer.from(await tar.arrayBuffer()));
  const listed = (await run('tar', ['-tvf', tarFile])).stdout;
  t.match(listed, /nas-media\/music\/Été\.flac/);
  const out = join(work, 'x');
  await mkdir(out);
  await run('tar', ['-xf', tarFile, '-C', out]);
  for (const [rel, data] of Object.entries(files)) t.equal(sha(await readFile(join(out, 'nas-media', rel))), sha(data), rel);

  const tgz = await daemon.fetch('/api/v1/download/archive', { method: 'POST', json: { paths: ['notes.txt', 'music'], format: 'tar.gz', smb_root: 'nas-media' } });
  t.equal(tgz.status, 200);
  t.match(tgz.headers.get('content-disposition') ?? '', /^attachment; filename="archive_\d+\.tar\.gz"$/);
  const tgzFile = join(work, 'a.tar.gz');
  await writeFile(tgzFile, Buffer.from(await tgz.arrayBuffer()));
  t.same((await run('tar', ['-tzf', tgzFile])).stdout.trim().split('\n').sort(), ['music/Été.flac', 'notes.txt']);
  t.match(await daemon.request('GET', '/api/v1/download/directory/nas-media?format=rar'), { status: 400, body: { error: 'Invalid format. Supported: zip, tar, tar.gz' } });
  t.equal((await daemon.request('GET', '/api/v1/download/directory/nas-media/nope')).status, 404);
  t.equal((await daemon.request('POST', '/api/v1/download/archive', { paths: [] })).status, 400);
  t.equal((await daemon.request('GET', '/api/v1/download/directory/nas-media/..%2F..%2Fetc')).status, 400);
});

t.test('copies and uploads between roots', async (t) => {
  const dest = join(backup, 'x/Inception.mkv');
  const ok = await daemon.request('POST', '/api/v1/copy/local', { source_path: 'nas-media:movies/Inception (2010)/Inception.mkv', destination_path: dest });
  t.equal(ok.status, 200);
  t.match(ok.body, { message: 'File copied successfully to local filesystem', size: inception.length, sha256: sha(inception) });
  t.equal(sha(await readFile(dest)), sha(inception));
  t.match(await daemon.request('POST', '/api/v1/copy/local', { source_path: 'nas-media:notes.txt', destination_path: dest }), { status: 409, body: { error: 'Destination file already exists' } });
  t.equal((await daemon.request('POST', '/api/v1/copy/local', { source_path: 'nas-media:notes.txt', destination_path: dest, overwrite: true })).status, 200);
  t.equal(await readFile(dest, 'utf8'), 'hello catalog\n');
  t.equal((await daemon.request('POST', '/api/v1/copy/local', { source_path: 'no-colon', destination_path: dest })).status, 400);
  t.equal((await daemon.request('POST', '/api/v1/copy/local', { source_path: 'nas-media:../../etc/passwd', destination_path: join(backup, 'p') })).status, 400);
  t.equal((await daemon.request('POST', '/api/v1/copy/local', { source_path: 'nas-media:notes.txt', destination_path: '/etc/alcove-should-not-exist' })).status, 403);
  const st = await daemon.request('POST', '/api/v1/copy/storage', { source_path: 'nas-media/movies/The Matrix (1999)/The.Matrix.mkv', dest_path: 'deep/m.mkv', storage_id: 'backup' });
  t.equal(st.status, 200);
  t.equal(sha(await readFile(join(backup, 'deep/m.mkv'))), sha(matrix));

  const form = new FormData();
  form.set('file', new Blob([Buffer.from('uploaded bytes')]), 'hello.txt');
  form.set('destination', 'backup:up/hello.txt');
  const up = await daemon.fetch('/api/v1/copy/upload', { method: 'POST', body: form });
  t.equal(up.status, 200);
  t.match(await up.json(), { message: 'File uploaded successfully', filename: 'hello.txt', destination: 'backup:up/hello.txt', size: 14 });
  t.equal(await readFile(join(backup, 'up/hello.txt'), 'utf8'), 'uploaded bytes');
  const again = await daemon.fetch('/api/v1/copy/upload', { method: 'POST', body: form });
  t.equal(again.status, 409);
  const noFile = new FormData();
  noFile.set('destination', 'backup:x');
  t.equal((await daemon.fetch('/api/v1/copy/upload', { method: 'POST', body: noFile })).status, 400);
});

t.test('statistics from counters, duplicates, access, growth, scans', async (t) => {
  const overall = await daemon.request('GET', '/api/v1/stats/overall');
  t.match(overall.body, { success: true, data: { total_files: 5, total_directories: 6 /* 5 folders + the root */, total_size: Object.values(files).reduce((a, b) => a + b.length, 0), storage_roots_count: 1, active_storage_roots: 1 } });
  t.ok(overall.body.data.last_scan_time > 0);
  const dups = await eventually(async () => {
    const r = await daemon.request('GET', '/api/v1/stats/duplicates');
    return r.body.data.duplicate_groups === 1 ? r.body.data : undefined;
  }, 20_000);
  t.match(dups, { total_duplicates: 1, wasted_space: matrix.length, largest_duplicate_group: 2, average_group_size: 2 });
  const groups = await daemon.request('GET', '/api/v1/search/duplicates?smb_root=nas-media');
  t.equal(groups.body.count, 1);
  t.equal(groups.body.groups[0].files.length, 2);
  t.equal(groups.body.groups[0].hash, sha(matrix));
  t.equal((await daemon.request('GET', '/api/v1/search/duplicates')).status, 400);
  t.match((await daemon.request('GET', '/api/v1/stats/duplicates/count?smb_root=nas-media')).body, { duplicate_groups: 1, total_duplicates: 1, total_wasted_space: matrix.length, smb_root: 'nas-media' });
  t.equal((await daemon.request('GET', '/api/v1/stats/duplicates/groups?sort_by=bad')).status, 400);
  t.match((await daemon.request('GET', '/api/v1/stats/duplicates/groups?sort_by=size')).body.data[0], { file_count: 2, wasted_space: matrix.length });
  t.same((await daemon.request('GET', '/api/v1/stats/sizes')).body.data, { tiny: 1, small: 4, medium: 0, large: 0, huge: 0, massive: 0 });
  const types = (await daemon.request('GET', '/api/v1/stats/filetypes')).body.data;
  t.match(types[0], { extension: '.mkv', file_type: 'video', count: 3 });
  const root = await daemon.request('GET', '/api/v1/stats/smb/nas-media');
  t.match(root.body.data, { name: 'nas-media', total_files: 5, duplicate_groups: 1, is_online: true });
  t.equal((await daemon.request('GET', '/api/v1/stats/smb/unknown')).status, 404);
  const access = (await daemon.request('GET', '/api/v1/stats/access?days=7')).body.data;
  t.equal(access.recently_accessed, 2, 'two files were downloaded');
  t.equal(access.never_accessed, 3);
  t.equal(access.access_frequency.length, 7);
  t.equal(access.access_frequency[6], 3, 'three single-file downloads today');
  const growth = (await daemon.request('GET', '/api/v1/stats/growth?months=3')).body.data;
  t.equal(growth.monthly_growth.length, 3);
  t.match(growth.monthly_growth[2], { files_added: 5, total_files: 5 });
  const scans = (await daemon.request('GET', '/api/v1/stats/scans')).body.data;
  t.match(scans, { total_count: 1, scans: [{ status: 'completed', smb_root_name: 'nas-media', files_added: 10 /* 5 files + 5 folders */ }] });
  const bySize = await daemon.request('GET', '/api/v1/stats/directories/by-size?smb_root=nas-media');
  t.equal(bySize.body.directories[0].path, '/movies');
  t.equal(bySize.body.directories[0].total_size, matrix.length * 2 + inception.length);
  t.equal((await daemon.request('GET', '/api/v1/stats/directories/by-size')).status, 400);
});

t.test('permissions: a plain user browses and downloads but cannot configure or write', async (t) => {
  await createUser(daemon, 'plain', 'Plain-pass-1!');
  const { session_token: tok } = await v1Login(daemon, 'plain', 'Plain-pass-1!');
  t.equal((await daemon.request('GET', '/api/v1/catalog', undefined, tok)).status, 200);
  t.equal((await daemon.fetch(`/api/v1/download/file/${matrixId}`, { token: tok })).status, 200);
  for (const [method, path, body] of [
    ['POST', '/api/v1/storage/roots', { name: 'x', protocol: 'local', path: '/tmp' }],
    ['POST', '/api/v1/copy/local', { source_path: 'nas-media:notes.txt', destination_path: join(backup, 'n') }],
    ['POST', '/api/v1/scans', { storage_root_id: rootId }],
    ['POST', '/api/v1/smb/test', { host: '127.0.0.1', share: 's', username: 'u', password: 'p' }],
  ] as const) {
    const r = await daemon.request(method, path, body, tok);
    t.equal(r.status, 403, `${method} ${path}`);
    t.equal(r.body.success, false);
  }
  t.equal((await daemon.request('GET', '/api/v1/catalog', undefined, null)).status, 401);
});
