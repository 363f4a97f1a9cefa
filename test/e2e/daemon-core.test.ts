/**
 * The built daemon end to end: start on 127.0.0.1:0 with a --library, first-boot setup,
 * login, the library indexed, system endpoints, bad input answered with the JSON error body,
 * restart keeps the index, SIGTERM exits cleanly.
 */
import t from 'tap';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, eventually, type RunningDaemon } from '../helpers/daemon.js';

const media = await mkdtemp(join(tmpdir(), 'alcove-core-media-'));
await mkdir(join(media, 'Trip 2024', 'day 1'), { recursive: true });
await writeFile(join(media, 'Trip 2024', 'day 1', 'a.jpg'), Buffer.from('not really a jpeg'));
await writeFile(join(media, 'Trip 2024', 'notes.txt'), 'hello');
await writeFile(join(media, 'clip.mp4'), Buffer.alloc(1024));
const stateDir = await mkdtemp(join(tmpdir(), 'alcove-core-state-'));
t.teardown(async () => {
  await rm(media, { recursive: true, force: true });
  await rm(stateDir, { recursive: true, force: true });
});

let d: RunningDaemon;

t.test('starts on a free port and becomes ready', async (t) => {
  d = await startDaemon({ stateDir, args: ['--library', `Photos=${media}:photo`] });
  t.ok(d.port > 0, `listening on ${d.port}`);
  const ready = await d.request('GET', '/readyz');
  t.equal(ready.status, 200);
  t.same(ready.body, { status: 'ready' });
  const live = await d.request('GET', '/livez');
  t.same(live.body, { status: 'alive' });
  const created = await d.waitForLog((l) => l.msg === 'library created from configuration');
  t.equal(created.name, 'Photos');
});

t.test('first boot: setup once, login, check, me', async (t) => {
  const check = await d.request('GET', '/api/auth/check', undefined, null);
  t.same(check.body, { authenticated: false, setupRequired: true });
  const server = await d.request('GET', '/api/server', undefined, null);
  t.equal(server.status, 200);
  t.equal(server.body.setupRequired, true);
  t.equal(server.body.name, 'Alcove');
  t.match(server.body.ffmpeg, { source: /^(system|bundled|config)$/, version: /\S/ }, 'which ffmpeg is in use is reported');
  t.match(server.body.ffprobe, { source: /^(system|bundled|config)$/, version: /\S/ }, 'which ffprobe is in use is reported');

  const unauth = await d.request('GET', '/api/libraries', undefined, null);
  t.equal(unauth.status, 401);
  t.same(unauth.body, { success: false, error: 'Authentication required', code: 'UNAUTHORIZED' });

  const short = await d.request('POST', '/api/auth/setup', { password: 'abc' }, null);
  t.equal(short.status, 400);
  t.equal(short.body.success, false);
  const setup = await d.request('POST', '/api/auth/setup', { password: 'correct horse' }, null);
  t.equal(setup.status, 200);
  t.equal(setup.body.user.username, 'admin');
  t.equal(setup.body.user.isAdmin, true);
  t.notOk('passwordHash' in setup.body.user, 'no hash in responses');
  const again = await d.request('POST', '/api/auth/setup', { password: 'another one' }, null);
  t.equal(again.status, 403);
  const { readFile, stat } = await import('node:fs/promises');
  const tokenFile = join(stateDir, 'admin.token');
  const localToken = await eventually(() => readFile(tokenFile, 'utf8').then((s) => s.trim(), () => undefined));
  t.equal((await stat(tokenFile)).mode & 0o777, 0o600, 'local admin token is owner-only');
  const asLocal = await d.request('GET', '/api/auth/me', undefined, localToken);
  t.equal(asLocal.body.username, 'admin', 'the local admin token authenticates (for the TUI)');
  t.equal((await stat(join(stateDir, 'index'))).mode & 0o777, 0o700, 'index dir is owner-only');

  const res = await d.fetch('/api/auth/login', { method: 'POST', json: { password: 'correct horse' }, token: null });
  t.equal(res.status, 200);
  const cookie = res.headers.get('set-cookie') ?? '';
  t.match(cookie, /^alcove_session=[^;]+/);
  t.match(cookie, /HttpOnly/i);
  t.match(cookie, /SameSite=Strict/i);
  const body = await res.json() as { success: boolean; expiresIn: number; token: string; user: { username: string } };
  t.equal(body.success, true);
  t.ok(body.expiresIn > 0);
  t.equal(body.user.username, 'admin');
  d.token = body.token;

  const viaCookie = await d.fetch('/api/auth/me', { token: null, headers: { cookie: cookie.split(';')[0] } });
  t.equal(viaCookie.status, 200, 'cookie authenticates');
  const viaQuery = await d.fetch(`/api/auth/me?token=${encodeURIComponent(body.token)}`, { token: null });
  t.equal(viaQuery.status, 200, '?token= authenticates');
  const me = await d.request('GET', '/api/auth/me');
  t.equal(me.body.username, 'admin');
  t.ok(me.body.permissions.includes('*'));
  const authed = await d.request('GET', '/api/auth/check');
  t.equal(authed.body.authenticated, true);
});

t.test('the configured library is scanned', async (t) => {
  const libs = await eventually(async () => {
    const r = await d.request('GET', '/api/libraries');
    return r.body?.[0]?.scan?.state === 'done' ? r.body : undefined;
  });
  t.equal(libs.length, 1);
  t.equal(libs[0].name, 'Photos');
  t.equal(libs[0].type, 'photo');
  t.equal(libs[0].locations[0].url, `file://${media}`);
  t.equal(libs[0].scan.added, 5, '2 dirs + 3 files');
  const health = await d.request('GET', '/health');
  t.equal(health.status, 200);
  t.equal(health.body.ready, true);
  t.equal(health.body.filesIndexed, 3);
  t.equal(health.body.foldersIndexed, 3, 'library root + 2 folders');
  const status = await d.request('GET', '/api/scan-status');
  t.equal(status.body.scanning, false);
  t.ok(status.body.history.length >= 1);
});

t.test('bad input gets the JSON error body', async (t) => {
  const unknown = await d.request('GET', '/api/does-not-exist');
  t.equal(unknown.status, 404);
  t.equal(unknown.body.code, 'NOT_FOUND');
  t.equal(unknown.body.success, false);

  const malformed = await d.fetch('/api/auth/login', { method: 'POST', body: '{"password": ', headers: { 'content-type': 'application/json' }, token: null });
  t.equal(malformed.status, 400);
  t.equal((await malformed.json() as { success: boolean }).success, false);

  const big = await d.fetch('/api/libraries', { method: 'POST', body: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }), headers: { 'content-type': 'application/json' } });
  t.equal(big.status, 413);
  t.equal((await big.json() as { code: string }).code, 'PAYLOAD_TOO_LARGE');

  const wrongMethod = await d.request('DELETE', '/api/auth/check');
  t.equal(wrongMethod.status, 405);

  const missingDir = await d.request('POST', '/api/libraries', { name: 'Ghost', type: 'movie', path: join(media, 'nope') });
  t.equal(missingDir.status, 400);
  t.match(missingDir.body.error, /does not exist/);
  const badType = await d.request('POST', '/api/libraries', { name: 'X', type: 'podcast', path: media });
  t.equal(badType.status, 400);
  const dup = await d.request('POST', '/api/libraries', { name: 'photos', path: media });
  t.equal(dup.status, 409, 'library names are unique, case-insensitively');
  const badId = await d.request('GET', '/api/libraries/999');
  t.equal(badId.status, 404);
});

t.test('wrong password and unknown user answer alike', async (t) => {
  const wrong = await d.request('POST', '/api/auth/login', { username: 'admin', password: 'nope-nope' }, null);
  const unknown = await d.request('POST', '/api/auth/login', { username: 'nobody', password: 'nope-nope' }, null);
  t.equal(wrong.status, 401);
  t.equal(unknown.status, 401);
  t.same(wrong.body, unknown.body, 'same body: no user enumeration');
});

t.test('system endpoints', async (t) => {
  const version = await d.request('GET', '/version', undefined, null);
  t.equal(version.status, 200);
  t.equal(version.body.name, 'alcove');
  t.type(version.body.version, 'string');
  const metrics = await d.fetch('/metrics', { token: null });
  const text = await metrics.text();
  t.equal(metrics.status, 200);
  t.match(text, /alcove_http_requests_total\{[^}]*route="\/api\/libraries"/);
  t.match(text, /alcove_items_indexed \d+/);
  t.match(text, /process_resident_memory_bytes|alcove_process_resident_memory_bytes/);
  t.notMatch(text, /correct horse/);
});

t.test('a new library through the API, scanned and removed without touching files', async (t) => {
  const sub = join(media, 'Trip 2024');
  const created = await d.request('POST', '/api/libraries', { name: 'Trips', type: 'photo', path: sub });
  t.equal(created.status, 201);
  const id = created.body.id as string;
  const scanned = await eventually(async () => {
    const r = await d.request('GET', `/api/libraries/${id}`);
    return r.body?.scan?.state === 'done' ? r.body : undefined;
  });
  t.equal(scanned.scan.added, 3, 'day 1 + 2 files (the root comes with the library)');
  const byNumber = await d.request('GET', `/api/libraries/${scanned.numericId}`);
  t.equal(byNumber.body.id, id, 'numeric id and uuid address the same library');
  const renamed = await d.request('PUT', `/api/libraries/${id}`, { name: 'Holidays' });
  t.equal(renamed.body.name, 'Holidays');
  const removed = await d.request('DELETE', `/api/libraries/${id}`);
  t.equal(removed.status, 200);
  const gone = await d.request('GET', `/api/libraries/${id}`);
  t.equal(gone.status, 404);
  const { access } = await import('node:fs/promises');
  await t.resolves(access(join(sub, 'day 1', 'a.jpg')), 'files on disk untouched');
});

t.test('restart keeps the index and users; SIGTERM exits 0', async (t) => {
  const code = await d.stop('SIGTERM');
  t.equal(code, 0, 'clean exit on SIGTERM');
  d = await startDaemon({ stateDir, args: ['--library', `Photos=${media}:photo`] });
  await d.loginAdmin('correct horse');
  const libs = await d.request('GET', '/api/libraries');
  t.equal(libs.body.length, 1, 'no duplicate library from the repeated --library flag');
  const health = await d.request('GET', '/health');
  t.equal(health.body.filesIndexed, 3, 'index survived the restart');
  t.equal(await d.stop('SIGTERM'), 0);
});

t.test('a bad configuration is refused with the key named', async (t) => {
  const bad = await startDaemon({ args: ['--port', 'eighty'], waitReady: false, timeoutMs: 30_000 }).then(
    () => 'started', (err: Error) => err.message);
  t.match(bad, /--port: expected an integer/);
});
