/**
 * HttpServer's synchronous path (options.authenticateNow): remembered credentials let a
 * handler run inside the uWS callback. Same answers as the asynchronous path: access rules,
 * mapped errors, JSON of the return value, async handlers; unknown credentials fall back
 * to authenticate().
 */
import t from 'tap';
import type { AuthInfo } from '../../daemon/domain/auth.js';
import { NotFoundError } from '../../daemon/domain/errors.js';
import { silentLogger } from '../../daemon/log/logger.js';
import { HttpServer, type AuthRequest } from '../../daemon/http/server.js';

function authInfo(isAdmin: boolean): AuthInfo {
  const now = Date.now();
  return {
    user: { id: 7, username: 'u', role: isAdmin ? 'admin' : 'user', isAdmin, locked: false, createdAt: now },
    session: { id: 's', userId: 7, createdAt: now, expiresAt: now + 3600_000, lastSeenAt: now, kind: 'web' },
    isAdmin, permissions: new Set(['media.view']),
  };
}

async function start(t: { teardown(fn: () => unknown): void }) {
  const calls = { now: 0, slow: 0 };
  const sut = new HttpServer({
    logger: silentLogger(),
    authenticateNow: (req: AuthRequest) => { calls.now++; return req.bearerToken === 'known' ? authInfo(false) : undefined; },
    authenticate: async (req: AuthRequest) => { calls.slow++; return req.bearerToken === 'known' || req.bearerToken === 'slow' ? authInfo(false) : undefined; },
  });
  sut.router.get('/sync', (ctx) => ({ user: ctx.auth!.user.id }));
  sut.router.get('/async', async (ctx) => { await new Promise((r) => setImmediate(r)); return { user: ctx.auth!.user.id, later: true }; });
  sut.router.get('/answers', (ctx) => { ctx.send(201, 'made', 'text/plain'); });
  sut.router.get('/throws', () => { throw new NotFoundError('No such thing'); });
  sut.router.get('/rejects', async () => { throw new NotFoundError('No such thing either'); });
  sut.router.get('/nothing', () => undefined);
  sut.router.get('/admin', () => ({ ok: true }), { access: { kind: 'admin' } });
  sut.router.get('/perm', () => ({ ok: true }), { access: { kind: 'permission', permission: 'media.view' } });
  sut.router.get('/pub', (ctx) => ({ user: ctx.auth?.user.id ?? null }), { access: { kind: 'public' } });
  const port = await sut.listen('127.0.0.1', 0);
  t.teardown(() => sut.close(500));
  const get = async (path: string, token = 'known') => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await r.text();
    return { status: r.status, text, body: r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
  };
  return { get, calls };
}

t.test('remembered credentials: handlers answer, rules and errors as usual', async (t) => {
  const { get, calls } = await start(t);
  t.same(await get('/sync'), { status: 200, text: '{"user":7}', body: { user: 7 } });
  t.equal(calls.slow, 0, 'authenticate() was not needed');
  t.same((await get('/async')).body, { user: 7, later: true });
  t.match(await get('/answers'), { status: 201, text: 'made' });
  t.match(await get('/throws'), { status: 404, body: { success: false, error: 'No such thing', code: 'NOT_FOUND' } });
  t.match(await get('/rejects'), { status: 404, body: { error: 'No such thing either' } });
  t.match(await get('/nothing'), { status: 500, body: { code: 'INTERNAL' } });
  t.match(await get('/admin'), { status: 403, body: { code: 'ADMIN_REQUIRED' } });
  t.match(await get('/perm'), { status: 200, body: { ok: true } });
  t.equal(calls.slow, 0);
});

t.test('unknown credentials fall back to authenticate(); public routes never take the shortcut', async (t) => {
  const { get, calls } = await start(t);
  t.same((await get('/sync', 'slow')).body, { user: 7 });
  t.equal(calls.slow, 1);
  t.match(await get('/sync', 'bad'), { status: 401 });
  const before = calls.now;
  t.same((await get('/pub')).body, { user: 7 }, 'public route still sees the credentials');
  t.equal(calls.now, before, 'no shortcut on public routes');
});
