import t from 'tap';
import http from 'node:http';
import type { AuthInfo } from '../../daemon/domain/auth.js';
import {
  ConflictError, DomainError, ForbiddenError, NotFoundError, NotImplementedError, RangeNotSatisfiableError,
  TooLargeError, TooManyRequestsError, UnauthorizedError, UnavailableError, ValidationError,
} from '../../daemon/domain/errors.js';
import { createLogger } from '../../daemon/log/logger.js';
import { HttpServer, assertNativeUws, type AuthRequest, type HttpServerOptions } from '../../daemon/http/server.js';
import { HttpMetrics, addGauge, createMetricsRegistry, renderMetrics } from '../../daemon/http/metrics.js';
import { StorageError } from '../../storage-adapters/types.js';
import { FLUSH_DELAY_MS } from '../../daemon/http/access-log.js';

function authInfo(username: string, isAdmin: boolean, permissions: string[]): AuthInfo {
  const now = Date.now();
  return {
    user: { id: isAdmin ? 1 : 2, username, role: isAdmin ? 'admin' : 'user', isAdmin, locked: false, createdAt: now },
    session: { id: `s-${username}`, userId: isAdmin ? 1 : 2, createdAt: now, expiresAt: now + 3600_000, lastSeenAt: now, kind: 'web' },
    isAdmin,
    permissions: new Set(permissions),
  };
}

const seen: AuthRequest[] = [];
async function fakeAuthenticate(req: AuthRequest): Promise<AuthInfo | undefined> {
  seen.push({ ...req }); // a copy: `ip` is resolved lazily, valid only while the request is live
  const token = req.cookieToken ?? req.bearerToken ?? req.queryToken;
  if (token === 'admin-token') return authInfo('root', true, ['*']);
  if (token === 'user-token') return authInfo('alice', false, ['media:read']);
  if (token === 'expired') throw new UnauthorizedError('Session expired', 'SESSION_EXPIRED');
  return undefined;
}

async function start(t: Teardown, setup: (sut: HttpServer) => void, opts: Partial<HttpServerOptions> = {}) {
  const lines: string[] = [];
  // One entry per line: the access log hands over batches of lines in one write.
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => { lines.push(...s.split('\n').filter(Boolean)); } } });
  const sut = new HttpServer({ logger, authenticate: fakeAuthenticate, ...opts });
  setup(sut);
  const port = await sut.listen('127.0.0.1', 0);
  t.teardown(() => sut.close(500));
  return { sut, port, base: `http://127.0.0.1:${port}`, lines };
}
/** A JSON answer as the tests read it. */
type Body = { success?: boolean; error?: string; code?: string; [k: string]: unknown };
type Teardown = { teardown(fn: () => unknown): void };

t.test('uWS is the native build', async (t) => {
  t.doesNotThrow(() => assertNativeUws());
});

t.test('routing', async (t) => {
  const { base, sut, port } = await start(t, (s) => {
    const pub = { access: { kind: 'public' as const } };
    s.router.get('/items/new', () => ({ which: 'static' }), pub);
    s.router.get('/items/:id', (ctx) => ({ which: 'param', id: ctx.params.id }), pub);
    s.router.post('/items/:id', (ctx) => ({ posted: ctx.params.id }), pub);
    s.router.get('/items/:id/parts/:part', (ctx) => ({ ...ctx.params }), pub);
    s.router.get('/files/*', (ctx) => ({ rest: ctx.params['*'] }), pub);
    s.router.delete('/files/*', (ctx) => { ctx.noContent(); }, pub);
    s.router.get('/q', (ctx) => ({ a: ctx.query.getAll('a'), b: ctx.query.get('b'), path: ctx.path }), pub);
    s.router.get('/nothing', () => undefined, pub);
    s.router.get('/r/:x', (ctx) => ({ route: ctx.route, method: ctx.method }), { ...pub, name: 'r-item' });
  });

  const get = async (path: string, init?: RequestInit) => {
    const r = await fetch(base + path, init);
    const body = (r.status === 204 ? {} : await r.json()) as Body;
    return { status: r.status, headers: r.headers, body };
  };

  t.same((await get('/items/new')).body, { which: 'static' }, 'static wins over param');
  t.same((await get('/items/42')).body, { which: 'param', id: '42' });
  t.same((await get('/items/a%20b/parts/%C3%A9')).body, { id: 'a b', part: 'é' }, 'params are percent-decoded');
  t.same((await get('/items/7', { method: 'POST' })).body, { posted: '7' });
  t.same((await get('/files/a%2Fb/c%20d/%C3%A9t%C3%A9.mkv')).body, { rest: 'a/b/c d/été.mkv' }, 'wildcard: encoded slash and unicode');
  t.same((await get('/files/')).body, { rest: '' }, 'wildcard may be empty');
  // fetch() would normalise %2e%2e away, so these go out raw through node:http.
  t.same(await rawGet(port, '/files/%2e%2e/%2e%2e/etc/passwd'), { status: 200, body: { rest: '../../etc/passwd' } },
    'traversal-looking params reach the handler decoded (storage refuses them with ESCAPE)');
  t.same(await rawGet(port, '/files/../x'), { status: 200, body: { rest: '../x' } }, 'raw dot segments are not resolved');
  t.same(await rawGet(port, '/items/%2e%2e'), { status: 200, body: { which: 'param', id: '..' } });
  t.equal((await get('/files/x', { method: 'DELETE' })).status, 204);

  const nul = await get('/files/a%00b');
  t.equal(nul.status, 400, 'NUL byte rejected');
  t.equal(nul.body.code, 'BAD_PATH');
  const badEnc = await get('/items/%E0%A4%A');
  t.equal(badEnc.status, 400, 'invalid percent-encoding rejected');
  t.equal(badEnc.body.success, false);

  const nf = await get('/nope');
  t.equal(nf.status, 404);
  t.same(nf.body, { success: false, error: 'No route for GET /nope', code: 'NOT_FOUND' });
  t.equal(nf.headers.get('content-type'), 'application/json; charset=utf-8');
  t.equal(nf.headers.get('x-content-type-options'), 'nosniff');
  t.equal((await get('/files')).status, 404, '/files/* does not match /files');

  const na = await get('/items/new', { method: 'PUT' });
  t.equal(na.status, 405);
  t.equal(na.headers.get('allow'), 'GET, HEAD, POST', 'Allow lists every method of the matching routes');
  t.equal(na.body.code, 'METHOD_NOT_ALLOWED');

  const q = await get('/q?a=1&a=2&b=x%20y&token=zzz');
  t.same(q.body, { a: ['1', '2'], b: 'x y', path: '/q' });

  const getItem = await fetch(`${base}/items/42`);
  const getText = await getItem.text();
  const head = await fetch(`${base}/items/42`, { method: 'HEAD' });
  t.equal(head.status, 200, 'GET routes answer HEAD');
  t.equal(head.headers.get('content-length'), String(Buffer.byteLength(getText)));
  t.equal(await head.text(), '', 'HEAD has no body');
  t.equal((await get('/items/42')).status, 200, 'keep-alive connection still usable after HEAD');

  t.same((await get('/r/1')).body, { route: '/r/:x', method: 'GET' }, 'ctx.route is the pattern');

  const nothing = await get('/nothing');
  t.equal(nothing.status, 500, 'a handler that never answers is a 500');

  t.same(sut.router.routes().slice(0, 2), [
    { method: 'GET', pattern: '/items/new', access: { kind: 'public' } },
    { method: 'GET', pattern: '/items/:id', access: { kind: 'public' } },
  ]);
  t.throws(() => sut.router.get('/items/:id', () => 1), /Duplicate/);
  t.throws(() => sut.router.get('/a/*/b', () => 1), /last segment/);
});

t.test('JSON bodies and limits', async (t) => {
  const { base, port } = await start(t, (s) => {
    s.router.post('/echo', async (ctx) => ({ got: await ctx.json() }), { access: { kind: 'public' } });
    s.router.post('/small', async (ctx) => ({ bytes: (await ctx.body()).length }), { access: { kind: 'public' }, maxBodyBytes: 100 * 1024 });
  });
  const post = async (path: string, body: string) => {
    const r = await fetch(base + path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    return { status: r.status, body: (await r.json()) as Body };
  };
  t.same(await post('/echo', '{"a":[1,2,{"b":"é"}]}'), { status: 200, body: { got: { a: [1, 2, { b: 'é' }] } } });
  const bad = await post('/echo', '{"a":');
  t.equal(bad.status, 400);
  t.equal(bad.body.code, 'INVALID_JSON');
  const empty = await post('/echo', '');
  t.equal(empty.status, 400);
  t.equal(empty.body.code, 'EMPTY_BODY');
  t.same(await post('/small', 'x'.repeat(100 * 1024)), { status: 200, body: { bytes: 100 * 1024 } }, 'exactly at the limit is fine');

  // Declared too large: 413 before any body byte is needed.
  const declared = await rawPost(port, '/small', { 'content-length': String(10 * 1024 * 1024) }, 0);
  t.equal(declared.status, 413);
  t.equal(declared.body.code, 'PAYLOAD_TOO_LARGE');

  // Chunked upload that grows past the limit: 413 arrives while the client is still sending.
  const chunked = await rawPost(port, '/small', { 'transfer-encoding': 'chunked' }, 64);
  t.equal(chunked.status, 413);
  t.ok(chunked.chunksWritten < 64, `answered after ${chunked.chunksWritten} of 64 chunks of 64 KiB`);
});

/** GET with node:http, path sent exactly as given. */
function rawGet(port: number, path: string) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    }).on('error', reject);
  });
}

/** POST with node:http, writing `chunks` x 64 KiB slowly; stops writing once the answer arrives. */
function rawPost(port: number, path: string, headers: Record<string, string>, chunks: number) {
  return new Promise<{ status: number; body: { code: string }; chunksWritten: number }>((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      answered = true;
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), chunksWritten: written }); req.destroy(); });
    });
    req.on('error', (err) => { if (!answered) reject(err); });
    const chunk = Buffer.alloc(64 * 1024, 120);
    const pump = () => {
      if (answered || req.destroyed) return;
      if (written >= chunks) { if (chunks > 0) req.end(); return; }
      written++;
      req.write(chunk, () => setTimeout(pump, 10));
    };
    if (chunks === 0) req.flushHeaders();
    pump();
  });
}

t.test('error mapping table', async (t) => {
  const unexpected: Array<{ err: unknown; route: string }> = [];
  const errors: Record<string, () => Error> = {
    validation: () => new ValidationError('bad input', { fields: { name: 'required' } }),
    unauthorized: () => new UnauthorizedError(),
    forbidden: () => new ForbiddenError(),
    notfound: () => new NotFoundError('no such item'),
    conflict: () => new ConflictError('exists'),
    toolarge: () => new TooLargeError(),
    range: () => new RangeNotSatisfiableError(1234),
    toomany: () => new TooManyRequestsError(7.2),
    notimpl: () => new NotImplementedError('cloud login is not available'),
    unavailable: () => new UnavailableError('root offline', 'ROOT_OFFLINE', 15),
    unavailable2: () => new UnavailableError('index not open'),
    custom: () => new DomainError('CONFLICT', 'setup done', 'SETUP_DONE'),
    s_notfound: () => new StorageError('NOT_FOUND', 'ENOENT /secret/host/path'),
    s_escape: () => new StorageError('ESCAPE', 'outside'),
    s_perm: () => new StorageError('PERMISSION', 'EACCES'),
    s_offline: () => new StorageError('OFFLINE', 'smb://user@nas down'),
    s_timeout: () => new StorageError('TIMEOUT', 'slow'),
    s_unsupported: () => new StorageError('UNSUPPORTED', 'no'),
    s_exists: () => new StorageError('EXISTS', 'there'),
    s_io: () => new StorageError('IO', 'disk on fire'),
    boom: () => new TypeError('cannot read properties of undefined (secret stack)'),
  };
  const { base, lines } = await start(t, (s) => {
    s.router.get('/err/:kind', (ctx) => { throw errors[ctx.params.kind!]!(); }, { access: { kind: 'public' } });
  }, { onUnexpectedError: (err, ctx) => unexpected.push({ err, route: ctx.route }) });

  const table: Array<[string, number, string, Record<string, string>?]> = [
    ['validation', 400, 'VALIDATION_FAILED'],
    ['unauthorized', 401, 'UNAUTHORIZED'],
    ['forbidden', 403, 'FORBIDDEN'],
    ['notfound', 404, 'NOT_FOUND'],
    ['conflict', 409, 'CONFLICT'],
    ['toolarge', 413, 'PAYLOAD_TOO_LARGE'],
    ['range', 416, 'RANGE_NOT_SATISFIABLE', { 'content-range': 'bytes */1234' }],
    ['toomany', 429, 'RATE_LIMITED', { 'retry-after': '8' }],
    ['notimpl', 501, 'NOT_IMPLEMENTED'],
    ['unavailable', 503, 'ROOT_OFFLINE', { 'retry-after': '15' }],
    ['unavailable2', 503, 'UNAVAILABLE'],
    ['custom', 409, 'SETUP_DONE'],
    ['s_notfound', 404, 'NOT_FOUND'],
    ['s_escape', 403, 'STORAGE_ESCAPE'],
    ['s_perm', 403, 'STORAGE_PERMISSION'],
    ['s_offline', 503, 'STORAGE_OFFLINE'],
    ['s_timeout', 503, 'STORAGE_TIMEOUT'],
    ['s_unsupported', 501, 'STORAGE_UNSUPPORTED'],
    ['s_exists', 409, 'STORAGE_EXISTS'],
    ['s_io', 500, 'INTERNAL'],
    ['boom', 500, 'INTERNAL'],
  ];
  for (const [kind, status, code, headers] of table) {
    const r = await fetch(`${base}/err/${kind}`);
    const body = (await r.json()) as Body;
    t.equal(r.status, status, `${kind} -> ${status}`);
    t.equal(body.code, code, `${kind} code`);
    t.equal(body.success, false);
    t.type(body.error, 'string');
    t.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    for (const [h, v] of Object.entries(headers ?? {})) t.equal(r.headers.get(h), v, `${kind} ${h}`);
    if (kind === 'validation') t.same(body.fields, { name: 'required' }, 'details merged into the body');
    if (kind.startsWith('s_')) t.notMatch(JSON.stringify(body), /secret|smb:|disk on fire/, 'storage messages stay inside');
    if (status === 500) t.same(body, { success: false, error: 'Internal server error', code: 'INTERNAL' }, 'never the stack');
  }
  t.equal(unexpected.length, 2, 'unexpected errors passed to the hook');
  t.equal(unexpected[1]!.route, '/err/:kind');
  const logged = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'unexpected error in request');
  t.equal(logged.length, 2);
  t.equal(logged[0].route, '/err/:kind');
  t.type(logged[0].requestId, 'string');
});

t.test('request ids, access log, secrets never logged', async (t) => {
  const { base, lines } = await start(t, (s) => {
    s.router.get('/id', (ctx) => ({ id: ctx.requestId, ip: ctx.ip }), { access: { kind: 'public' } });
    s.router.get('/health', () => ({ ok: true }), { access: { kind: 'public' } });
  });
  const a = await fetch(`${base}/id`, { headers: { 'x-request-id': 'abc-123_X.y' } });
  t.equal(a.headers.get('x-request-id'), 'abc-123_X.y', 'safe incoming id echoed');
  t.same(await a.json(), { id: 'abc-123_X.y', ip: '127.0.0.1' });
  const b = await fetch(`${base}/id?token=querysecret`, {
    headers: { 'x-request-id': 'bad id <script>', authorization: 'Bearer bearersecret', cookie: 'alcove_session=cookiesecret' },
  });
  const bid = b.headers.get('x-request-id')!;
  t.match(bid, /^[0-9a-f-]{36}$/, 'unsafe id replaced');
  t.equal(((await b.json()) as Body).id, bid);
  await (await fetch(`${base}/health`)).text();
  await new Promise((r) => setTimeout(r, FLUSH_DELAY_MS + 20)); // access lines are batched
  const all = lines.join('\n');
  t.notMatch(all, /querysecret|bearersecret|cookiesecret/, 'no credentials in logs');
  const access = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'http request');
  const entry = access.find((l) => l.requestId === bid);
  t.match(entry, { method: 'GET', route: '/id', path: '/id', status: 200, level: 30 });
  t.type(entry.ms, 'number');
  t.ok(entry.bytes > 0);
  t.equal(access.find((l) => l.path === '/health').level, 20, '/health logged at debug');
});

t.test('auth guard', async (t) => {
  const { base } = await start(t, (s) => {
    const who = (ctx: { auth?: AuthInfo }) => ({ user: ctx.auth?.user.username ?? null });
    s.router.get('/pub', who, { access: { kind: 'public' } });
    s.router.get('/user', who);
    s.router.get('/admin', who, { access: { kind: 'admin' } });
    s.router.get('/perm', who, { access: { kind: 'permission', permission: 'media:read' } });
    s.router.get('/perm2', who, { access: { kind: 'permission', permission: 'users:manage' } });
  });
  const call = async (path: string, how?: 'cookie' | 'bearer' | 'query', token?: string) => {
    const headers: Record<string, string> = {};
    let url = base + path;
    if (how === 'cookie') headers.cookie = `other=1; alcove_session=${token}`;
    if (how === 'bearer') headers.authorization = `Bearer ${token}`;
    if (how === 'query') url += `?token=${token}`;
    const r = await fetch(url, { headers });
    return { status: r.status, body: (await r.json()) as Body };
  };
  t.same(await call('/pub'), { status: 200, body: { user: null } });
  t.same(await call('/pub', 'bearer', 'user-token'), { status: 200, body: { user: 'alice' } }, 'public routes still see credentials');
  t.same(await call('/pub', 'bearer', 'expired'), { status: 200, body: { user: null } }, 'bad credentials ignored on public routes');
  const none = await call('/user');
  t.equal(none.status, 401);
  t.equal(none.body.code, 'UNAUTHORIZED');
  t.same(await call('/user', 'cookie', 'user-token'), { status: 200, body: { user: 'alice' } });
  t.same(await call('/user', 'bearer', 'user-token'), { status: 200, body: { user: 'alice' } });
  t.same(await call('/user', 'query', 'user-token'), { status: 200, body: { user: 'alice' } });
  t.equal((await call('/user', 'bearer', 'unknown')).status, 401);
  const expired = await call('/user', 'cookie', 'expired');
  t.equal(expired.status, 401);
  t.equal(expired.body.code, 'SESSION_EXPIRED', 'authenticate may reject with its own error');
  t.equal((await call('/admin', 'bearer', 'user-token')).status, 403);
  t.same(await call('/admin', 'bearer', 'admin-token'), { status: 200, body: { user: 'root' } });
  t.same(await call('/perm', 'bearer', 'user-token'), { status: 200, body: { user: 'alice' } });
  const denied = await call('/perm2', 'bearer', 'user-token');
  t.equal(denied.status, 403);
  t.equal(denied.body.code, 'PERMISSION_DENIED');
  t.same(await call('/perm2', 'bearer', 'admin-token'), { status: 200, body: { user: 'root' } });
  const last = seen[seen.length - 1]!;
  t.equal(last.ip, '127.0.0.1');
  t.equal(last.bearerToken, 'admin-token');
});

t.test('ETag, 304, cookies, headers', async (t) => {
  const { base } = await start(t, (s) => {
    s.router.get('/doc', (ctx) => {
      if (ctx.notModified('v1', Date.UTC(2024, 0, 1))) return;
      ctx.setHeader('Cache-Control', 'no-cache').setCookie('alcove_session', 'tok en', { maxAgeSec: 60 });
      ctx.sendJson(200, { v: 1 }, { 'X-Extra': 'yes' });
    }, { access: { kind: 'public' } });
    s.router.get('/text', (ctx) => { ctx.clearCookie('alcove_session'); ctx.send(201, 'plain', 'text/plain; charset=utf-8'); }, { access: { kind: 'public' } });
  });
  const first = await fetch(`${base}/doc`);
  t.equal(first.status, 200);
  t.equal(first.headers.get('etag'), '"v1"');
  t.equal(first.headers.get('last-modified'), 'Mon, 01 Jan 2024 00:00:00 GMT');
  t.equal(first.headers.get('x-extra'), 'yes');
  t.equal(first.headers.get('cache-control'), 'no-cache');
  t.equal(first.headers.get('set-cookie'), 'alcove_session=tok%20en; Max-Age=60; Path=/; HttpOnly; SameSite=Lax');
  t.same(await first.json(), { v: 1 });
  for (const inm of ['"v1"', 'W/"v1"', '"x", "v1"', '*']) {
    const r = await fetch(`${base}/doc`, { headers: { 'if-none-match': inm } });
    t.equal(r.status, 304, `If-None-Match ${inm}`);
    t.equal(r.headers.get('etag'), '"v1"');
    t.equal(await r.text(), '');
  }
  t.equal((await fetch(`${base}/doc`, { headers: { 'if-none-match': '"v2"' } })).status, 200);
  t.equal((await fetch(`${base}/doc`, { headers: { 'if-modified-since': 'Tue, 02 Jan 2024 00:00:00 GMT' } })).status, 304);
  t.equal((await fetch(`${base}/doc`, { headers: { 'if-modified-since': 'Sun, 31 Dec 2023 00:00:00 GMT' } })).status, 200);
  const text = await fetch(`${base}/text`);
  t.equal(text.status, 201);
  t.equal(text.headers.get('content-type'), 'text/plain; charset=utf-8');
  t.equal(text.headers.get('x-content-type-options'), 'nosniff');
  t.match(text.headers.get('set-cookie'), /^alcove_session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT;/);
  t.equal(await text.text(), 'plain');
});

t.test('metrics', async (t) => {
  const registry = createMetricsRegistry();
  const metrics = new HttpMetrics(registry);
  let items = 41;
  addGauge(registry, { name: 'alcove_items', help: 'Indexed items', collect: () => ++items });
  const { base } = await start(t, (s) => {
    s.router.get('/things/:id', () => ({ ok: true }), { access: { kind: 'public' } });
  }, { metrics });
  await (await fetch(`${base}/things/1`)).text();
  await (await fetch(`${base}/things/2`)).text();
  await (await fetch(`${base}/missing`)).text();
  const text = await renderMetrics(registry);
  t.match(text, /alcove_http_requests_total\{route="\/things\/:id",method="GET",status="200"\} 2/);
  t.match(text, /alcove_http_requests_total\{route="\(unmatched\)",method="GET",status="404"\} 1/);
  t.match(text, /alcove_http_request_duration_seconds_count\{route="\/things\/:id",method="GET"\} 2/);
  t.match(text, /alcove_items 42/);
  t.match(text, /alcove_process_cpu_user_seconds_total/, 'default process metrics');
  t.equal(metrics.contentType, 'text/plain; version=0.0.4; charset=utf-8');
});

t.test('close() waits for in-flight requests, then refuses', async (t) => {
  const { sut, base } = await start(t, (s) => {
    s.router.get('/slow', async () => { await new Promise((r) => setTimeout(r, 300)); return { done: true }; }, { access: { kind: 'public' } });
  });
  const pending = fetch(`${base}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
  await new Promise((r) => setTimeout(r, 50));
  const t0 = Date.now();
  await sut.close(5000);
  t.ok(Date.now() - t0 >= 200, 'close waited for the slow answer');
  t.same(await pending, { status: 200, body: { done: true } });
  await t.rejects(fetch(`${base}/slow`), 'new connections refused');
});

t.test('close() gives up after its timeout', async (t) => {
  const { sut, base } = await start(t, (s) => {
    s.router.get('/never', (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(undefined))), { access: { kind: 'public' } });
  });
  const pending = fetch(`${base}/never`).then(() => 'answered', () => 'failed');
  await new Promise((r) => setTimeout(r, 50));
  const t0 = Date.now();
  await sut.close(200);
  const took = Date.now() - t0;
  t.ok(took >= 150 && took < 2000, `closed after ${took} ms`);
  t.equal(await pending, 'failed', 'the hanging request was cut');
});

t.test('during close(), idle keep-alive connections get 503 and are closed', async (t) => {
  const { sut, port } = await start(t, (s) => {
    s.router.get('/quick', () => ({ ok: true }), { access: { kind: 'public' } });
    s.router.get('/slow', async () => { await new Promise((r) => setTimeout(r, 300)); return { done: true }; }, { access: { kind: 'public' } });
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  t.teardown(() => agent.destroy());
  const get = (path: string) => new Promise<{ status: number; body: Body; connection?: string }>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Body, connection: res.headers.connection }));
    }).on('error', reject);
  });
  const warm = await Promise.all([get('/quick'), get('/quick')]);
  t.same(warm.map((w) => w.status), [200, 200], 'two keep-alive sockets warmed');
  const slow = get('/slow');
  await new Promise((r) => setTimeout(r, 50));
  const closing = sut.close(5000);
  const late = await get('/quick');
  t.equal(late.status, 503);
  t.equal(late.body.code, 'SHUTTING_DOWN');
  t.same((await slow).body, { done: true }, 'in-flight request still completes');
  await closing;
});
