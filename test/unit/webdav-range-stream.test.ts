/**
 * The ranged-read stream against a scripted node:http server, for faults Apache cannot
 * be made to produce on cue: a body that stalls, a connection cut mid-body, a server
 * that ignores Range, and a consumer that pauses longer than the timeout (which must
 * not count as a stall). The same faults against real Apache are in
 * test/integration/webdav-faults.test.ts.
 */
import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { openRangeRead } from '../../storage-adapters/webdav/range-read.stream.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let handler: Handler = (_req, res) => res.end();
const server = http.createServer((req, res) => handler(req, res));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as AddressInfo).port;
const agent = new http.Agent({ keepAlive: true });
t.teardown(() => {
  agent.destroy();
  server.closeAllConnections();
  server.close();
});

const DATA = Buffer.from(Array.from({ length: 256 * 1024 }, (_, i) => (i * 31) & 255));

function open(start: number, end: number | undefined, timeoutMs = 300, signal?: AbortSignal): ReturnType<typeof openRangeRead> {
  return openRangeRead({ url: `http://127.0.0.1:${port}/f`, headers: {}, agent, start, end, timeoutMs, signal, rel: 'f' });
}

async function drain(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function failure(s: Readable): Promise<{ code?: string; name?: string; ms: number }> {
  const t0 = Date.now();
  try {
    await drain(s);
    return { code: 'ENDED', ms: Date.now() - t0 };
  } catch (err) {
    const e = err as { code?: unknown; name?: string };
    return { code: typeof e.code === 'string' ? e.code : undefined, name: e.name, ms: Date.now() - t0 };
  }
}

t.test('server that ignores Range: skip and limit done client-side', async (t) => {
  handler = (_req, res) => res.end(DATA);
  const { stream, status } = await open(1000, 70_000);
  t.equal(status, 200);
  const got = await drain(stream as Readable);
  t.ok(got.equals(DATA.subarray(1000, 70_001)), `exact bytes (${got.length})`);
});

t.test('a body that stalls mid-way fails with TIMEOUT', async (t) => {
  handler = (_req, res) => {
    res.writeHead(206, { 'Content-Range': `bytes 0-${DATA.length - 1}/${DATA.length}`, 'Content-Length': DATA.length });
    res.write(DATA.subarray(0, 1000)); // ... and never more
  };
  const { stream } = await open(0, DATA.length - 1);
  const r = await failure(stream as Readable);
  t.equal(r.code, 'TIMEOUT', 'TIMEOUT');
  t.ok(r.ms >= 250 && r.ms < 1500, `after about the timeout (${r.ms} ms)`);
});

t.test('a connection cut mid-body fails with OFFLINE, and a short body is detected', async (t) => {
  handler = (req, res) => {
    res.writeHead(206, { 'Content-Range': `bytes 0-${DATA.length - 1}/${DATA.length}`, 'Content-Length': DATA.length });
    res.write(DATA.subarray(0, 5000), () => setTimeout(() => req.socket.destroy(), 20));
  };
  const { stream } = await open(0, DATA.length - 1, 5000);
  const r = await failure(stream as Readable);
  t.equal(r.code, 'OFFLINE', 'OFFLINE');
  t.ok(r.ms < 1000, `within a second (${r.ms} ms)`);
});

t.test('a consumer pausing longer than the timeout is not a stall', async (t) => {
  handler = (_req, res) => {
    res.writeHead(206, { 'Content-Range': `bytes 0-${DATA.length - 1}/${DATA.length}`, 'Content-Length': DATA.length });
    res.end(DATA);
  };
  const { stream } = await open(0, DATA.length - 1, 200);
  const s = stream as Readable;
  const errors: unknown[] = [];
  s.on('error', (e) => errors.push(e));
  await new Promise((r) => setTimeout(r, 700)); // nobody reads for 3.5x the timeout
  const got = await drain(s);
  t.same(errors, [], 'no error');
  t.ok(got.equals(DATA), 'all bytes');
});

t.test('destroy() and abort() end the request on the server', async (t) => {
  let closedAt = 0;
  handler = (req, res) => {
    res.writeHead(206, { 'Content-Range': `bytes 0-${DATA.length - 1}/${DATA.length}`, 'Content-Length': DATA.length });
    res.write(DATA.subarray(0, 100));
    req.socket.once('close', () => { closedAt = Date.now(); });
  };
  const { stream } = await open(0, DATA.length - 1, 60_000);
  (stream as Readable).once('data', () => undefined);
  await new Promise((r) => setTimeout(r, 50));
  const t0 = Date.now();
  (stream as Readable).destroy();
  await new Promise((r) => setTimeout(r, 200));
  t.ok(closedAt > 0 && closedAt - t0 < 200, 'server saw the connection close after destroy()');

  closedAt = 0;
  const ac = new AbortController();
  const { stream: s2 } = await open(0, DATA.length - 1, 60_000, ac.signal);
  const done = failure(s2 as Readable);
  await new Promise((r) => setTimeout(r, 50));
  ac.abort();
  const r = await done;
  t.equal(r.name, 'AbortError', 'stream fails with the AbortError');
  await new Promise((r) => setTimeout(r, 100));
  t.ok(closedAt > 0, 'server saw the connection close after abort()');
});

t.test('no response head within the timeout: TIMEOUT from open', async (t) => {
  handler = () => undefined; // accept, never answer
  const t0 = Date.now();
  await t.rejects(open(0, 10, 200), { code: 'TIMEOUT' });
  t.ok(Date.now() - t0 < 1000, 'promptly');
});

t.test('416 is an empty stream; other statuses are returned', async (t) => {
  handler = (_req, res) => { res.writeHead(416); res.end(); };
  const a = await open(5, undefined);
  t.equal((await drain(a.stream as Readable)).length, 0, '416 -> empty');
  handler = (_req, res) => { res.writeHead(404); res.end('nope'); };
  const b = await open(0, undefined);
  t.same([b.status, b.stream], [404, undefined], '404 returned for the caller');
});
