/**
 * /ws against the built daemon: credentials (Bearer, ?token=, cookie; none -> 401),
 * hello, topic subscription with admin-only topics refused to users, scan events on a
 * rescan, live log lines for admins, request/response, malformed frames, and a slow
 * client being dropped instead of buffered without bound.
 */
import t from 'tap';
import WebSocket from 'ws';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type RunningDaemon } from '../helpers/daemon.js';

const media = await mkdtemp(join(tmpdir(), 'alcove-ws-media-'));
await writeFile(join(media, 'one.jpg'), 'x');
let d: RunningDaemon;
t.before(async () => {
  d = await startDaemon({ args: ['--library', `Pics=${media}:photo`] });
  await d.loginAdmin('ws-admin-pass');
});
t.teardown(async () => {
  await d?.stop();
  await rm(media, { recursive: true, force: true });
});

interface Client { ws: WebSocket; messages: any[]; next(pred: (m: any) => boolean, ms?: number): Promise<any> }

function connect(url: string, headers: Record<string, string> = {}): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const messages: any[] = [];
    const waiters: { pred: (m: any) => boolean; res: (m: any) => void }[] = [];
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      messages.push(m);
      for (const w of [...waiters]) if (w.pred(m)) { waiters.splice(waiters.indexOf(w), 1); w.res(m); }
    });
    ws.once('open', () => resolve({
      ws, messages,
      next(pred, ms = 10_000) {
        const found = messages.find(pred);
        if (found) { messages.splice(messages.indexOf(found), 1); return Promise.resolve(found); }
        return new Promise((res, rej) => {
          const timer = setTimeout(() => rej(new Error('message not received')), ms);
          waiters.push({ pred, res: (m) => { clearTimeout(timer); messages.splice(messages.indexOf(m), 1); res(m); } });
        });
      },
    }));
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
}

const wsUrl = (q = ''): string => `ws://127.0.0.1:${d.port}/ws${q}`;

t.test('credentials are required', async (t) => {
  await t.rejects(connect(wsUrl()), /HTTP 401/);
  await t.rejects(connect(wsUrl('?token=garbage')), /HTTP 401/);
  const viaQuery = await connect(wsUrl(`?token=${d.token}`));
  const hello = await viaQuery.next((m) => m.type === 'hello');
  t.equal(hello.user, 'admin');
  t.equal(hello.isAdmin, true);
  t.type(hello.version, 'string');
  viaQuery.ws.close();
  const viaBearer = await connect(wsUrl(), { authorization: `Bearer ${d.token}` });
  t.ok(await viaBearer.next((m) => m.type === 'hello'));
  viaBearer.ws.close();
  const viaCookie = await connect(wsUrl(), { cookie: `alcove_session=${d.token}` });
  t.ok(await viaCookie.next((m) => m.type === 'hello'));
  viaCookie.ws.close();
});

t.test('subscriptions, scan events, logs and requests', async (t) => {
  const c = await connect(wsUrl(`?token=${d.token}`));
  c.ws.send(JSON.stringify({ type: 'subscribe', topics: ['scans', 'items', 'logs', 'bogus'] }));
  const sub = await c.next((m) => m.type === 'subscribed');
  t.same(sub.topics.sort(), ['items', 'logs', 'scans']);
  t.same(sub.refused, ['bogus']);

  c.ws.send(JSON.stringify({ type: 'request', id: 7, method: 'ping' }));
  const pong = await c.next((m) => m.type === 'response' && m.id === 7);
  t.type(pong.result.pong, 'number');
  c.ws.send(JSON.stringify({ type: 'request', id: 'st', method: 'status' }));
  const status = await c.next((m) => m.type === 'response' && m.id === 'st');
  t.equal(status.result.ready, true);
  t.equal(status.result.libraries, 1);
  c.ws.send(JSON.stringify({ type: 'request', id: 9, method: 'nope' }));
  t.equal((await c.next((m) => m.id === 9)).error.code, 'METHOD_NOT_FOUND');
  c.ws.send('not json');
  t.equal((await c.next((m) => m.type === 'error')).code, 'BAD_JSON');

  await writeFile(join(media, 'two.jpg'), 'y');
  const libs = await d.request('GET', '/api/libraries');
  const scan = await d.request('POST', `/api/libraries/${libs.body[0].id}/scan`);
  t.ok([200, 202].includes(scan.status));
  const started = await c.next((m) => m.type === 'event' && m.event.type === 'scan.started');
  t.equal(started.topic, 'scans');
  const finished = await c.next((m) => m.type === 'event' && m.event.type === 'scan.finished');
  t.equal(finished.event.added, 1);
  const added = await c.next((m) => m.type === 'event' && m.event.type === 'items.added');
  t.equal(added.event.ids.length, 1);
  const logLine = await c.next((m) => m.type === 'log' && m.record.msg === 'scan finished');
  t.equal(logLine.record.component, 'scanner');

  c.ws.send(JSON.stringify({ type: 'unsubscribe', topics: ['logs'] }));
  t.same((await c.next((m) => m.type === 'unsubscribed')).topics.sort(), ['items', 'scans']);
  c.ws.close();
});

t.test('plain users may not subscribe to admin topics', async (t) => {
  const { spawn } = await import('node:child_process');
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [join(process.cwd(), 'dist/daemon/cli/alcove.js'), 'user', 'add', 'viewer',
      '--role', 'user', '--password-stdin', '--state-dir', d.stateDir], { stdio: ['pipe', 'ignore', 'inherit'] });
    child.stdin.end('viewer-password\n');
    child.once('exit', resolve);
  });
  t.equal(code, 0, 'alcove user add');
  const login = await d.request('POST', '/api/auth/login', { username: 'viewer', password: 'viewer-password' }, null);
  t.equal(login.status, 200);
  const c = await connect(wsUrl(`?token=${login.body.token}`));
  t.equal((await c.next((m) => m.type === 'hello')).isAdmin, false);
  c.ws.send(JSON.stringify({ type: 'subscribe', topics: ['scans', 'logs', 'users'] }));
  const sub = await c.next((m) => m.type === 'subscribed');
  t.same(sub.topics, ['scans']);
  t.same(sub.refused.sort(), ['logs', 'users']);
  c.ws.close();
});

t.test('a client that stops reading is dropped, not buffered without bound', async (t) => {
  const c = await connect(wsUrl(`?token=${d.token}`));
  c.ws.send(JSON.stringify({ type: 'subscribe', topics: ['logs'] }));
  await c.next((m) => m.type === 'subscribed');
  const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
  // Stop reading from the socket: the kernel buffers fill, then uWS's per-socket backlog.
  (c.ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
  // Each request writes an access-log line, which the logs topic forwards (~0.5 KB each).
  const deadline = Date.now() + 60_000;
  let dropped = false;
  void closed.then(() => { dropped = true; });
  while (!dropped && Date.now() < deadline) {
    await Promise.all(Array.from({ length: 50 }, () => d.fetch('/api/auth/check?' + 'x'.repeat(2000))));
    const status = await d.request('GET', '/health');
    if (status.status !== 200) break;
    const rss = status.body.memory.rss as number;
    if (rss > 1024 * 1024 * 1024) break;
    // Poll the server's view: once the socket is closed server-side, the status count drops.
    const probe = await connect(wsUrl(`?token=${d.token}`));
    probe.ws.send(JSON.stringify({ type: 'request', id: 1, method: 'status' }));
    const clients = (await probe.next((m) => m.id === 1)).result.websocketClients as number;
    probe.ws.close();
    if (clients <= 1) dropped = true;
  }
  t.ok(dropped, 'the slow client was disconnected by the server');
  const health = await d.request('GET', '/health');
  t.equal(health.status, 200, 'daemon still healthy');
});
