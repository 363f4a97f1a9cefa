/**
 * WebDAV faults against real Apache mod_dav, each next to the webdav 5.x client defect
 * it works around (TESTING.md):
 *   - Range headers really go out (Apache's access log records them);
 *   - a hung server (SIGSTOP) mid-body: the client's createReadStream neither errors nor
 *     ends; ours fails with TIMEOUT within the configured timeout, and the adapter works
 *     again once the server is resumed;
 *   - destroy(): the client's stream leaves the request running; ours ends it (Apache
 *     logs the GET with a partial byte count);
 *   - a killed server mid-read: an error on the stream within a second, no unhandled
 *     rejection; unreachable -> OFFLINE quickly; bad credentials -> AUTH;
 *   - the password never appears in an error (message, stack, inspect, JSON) or log line.
 */
import t from 'tap';
import { inspect } from 'node:util';
import { Writable, type Readable } from 'node:stream';
import net from 'node:net';
import { createClient } from 'webdav';
import { createWebdavAdapter } from '../../storage-adapters/webdav/webdav.adapter.js';
import type { StorageAdapter } from '../../storage-adapters/types.js';
import { createLogger } from '../../daemon/log/logger.js';
import { startApacheWebdav, type ApacheWebdav } from '../servers/apache-webdav.js';

const MiB = 1024 * 1024;
const SIZE = 64 * MiB; // larger than every socket buffer between us and Apache
const unhandled: unknown[] = [];
process.on('unhandledRejection', (e) => unhandled.push(e));

const server = await startApacheWebdav();
t.teardown(() => server.stop());
await seedBig(server, 'faults/big.bin');
const errors: unknown[] = []; // every error we saw, checked for leaks at the end

function adapter(s: ApacheWebdav, timeoutMs: number, password = s.password, port = s.port): StorageAdapter {
  const sut = createWebdavAdapter({ url: new URL(`webdav://127.0.0.1:${port}${s.prefix}`), credentials: { username: s.user, password }, timeoutMs });
  t.teardown(() => sut.close());
  return sut;
}

t.test('ranged reads send a real Range header', async (t) => {
  const sut = adapter(server, 5000);
  let n = 0;
  for await (const c of await sut.createReadStream('faults/big.bin', { start: 1000, end: 2000 })) n += (c as Buffer).length;
  t.equal(n, 1001, 'bytes');
  const log = await server.readAccessLog();
  t.match(log, /"GET \/dav\/faults\/big\.bin HTTP\/1\.1" 206 1001 \d+ "bytes=1000-2000"/, 'Apache logged a 206 for bytes=1000-2000');
});

t.test('hung server mid-body: client stream hangs, ours times out and recovers', async (t) => {
  // The library, as shipped.
  const client = createClient(`http://127.0.0.1:${server.port}${server.prefix}/`, { username: server.user, password: server.password });
  const lib = client.createReadStream('faults/big.bin', { range: { start: 0, end: SIZE - 1 } }) as unknown as Readable; // a PassThrough at runtime
  let libOutcome = 'none';
  lib.once('error', () => { libOutcome = 'error'; });
  lib.once('end', () => { libOutcome = 'end'; });
  await firstChunk(lib);
  server.pause();
  lib.resume();
  await sleep(2500);
  t.equal(libOutcome, 'none', 'defect reproduced: webdav createReadStream neither errors nor ends within 2.5 s');
  lib.destroy();
  server.resume();
  await sleep(100);

  // Ours.
  const sut = adapter(server, 1000);
  const ours = await sut.createReadStream('faults/big.bin', { start: 0, end: SIZE - 1 });
  await firstChunk(ours);
  server.pause();
  const t0 = Date.now();
  const err = await consumeUntilError(ours);
  const ms = Date.now() - t0;
  errors.push(err);
  server.resume();
  t.equal((err as { code?: string }).code, 'TIMEOUT', `stream failed with TIMEOUT (${(err as Error).message})`);
  t.ok(ms < 2500, `within timeout + drain (${ms} ms, timeout 1000 ms)`);
  t.equal((await sut.stat('faults/big.bin')).size, SIZE, 'next call after SIGCONT works (reconnects)');
});

t.test('hung server: stat, list, read and write open time out; then recover', async (t) => {
  const sut = adapter(server, 800);
  server.pause();
  try {
    for (const [label, fn] of [
      ['stat', () => sut.stat('faults/big.bin')],
      ['list', () => sut.list('faults')],
      ['read', () => sut.createReadStream('faults/big.bin', { start: 0, end: 10 })],
      ['write', () => sut.createWriteStream('faults/new.bin')],
      ['ping', () => sut.ping()],
    ] as const) {
      const t0 = Date.now();
      const err = await (fn as () => Promise<unknown>)().then(() => undefined, (e: unknown) => e);
      errors.push(err);
      const ms = Date.now() - t0;
      t.equal((err as { code?: string })?.code, 'TIMEOUT', `${label}: TIMEOUT`);
      t.ok(ms >= 700 && ms < 2000, `${label}: after about the timeout (${ms} ms)`);
    }
  } finally {
    server.resume();
  }
  await sut.ping();
  t.equal((await sut.list('faults')).length, 1, 'list works after SIGCONT');
});

t.test('hung server during a write: TIMEOUT, nothing under the final name', async (t) => {
  const sut = adapter(server, 800);
  const ws = await sut.createWriteStream('faults/hung.bin');
  server.pause();
  const t0 = Date.now();
  const err = await new Promise<unknown>((resolve) => {
    ws.once('error', resolve);
    ws.once('finish', () => resolve(undefined));
    ws.end(Buffer.alloc(16 * MiB, 3)); // more than the socket buffers take
  });
  const ms = Date.now() - t0;
  server.resume();
  errors.push(err);
  t.equal((err as { code?: string })?.code, 'TIMEOUT', `TIMEOUT (${(err as Error)?.message})`);
  t.ok(ms < 2500, `after about the timeout (${ms} ms)`);
  await sleep(300);
  await t.rejects(sut.stat('faults/hung.bin'), { code: 'NOT_FOUND' }, 'no file under the final name');
  t.same((await sut.list('faults')).map((e) => e.name), ['big.bin'], 'no temporary file listed');
});

t.test('destroy(): the client leaves the request running, ours ends it', async (t) => {
  const client = createClient(`http://127.0.0.1:${server.port}${server.prefix}/`, { username: server.user, password: server.password });
  const lib = client.createReadStream('faults/big.bin', { range: { start: 7, end: SIZE - 1 } }) as unknown as Readable; // a PassThrough at runtime
  await firstChunk(lib);
  lib.destroy();
  const sut = adapter(server, 5000);
  const ours = await sut.createReadStream('faults/big.bin', { start: 9 });
  await firstChunk(ours);
  ours.destroy();
  await sleep(1500);
  const log = await server.readAccessLog();
  const oursLine = /"GET \/dav\/faults\/big\.bin HTTP\/1\.1" 206 \d+ (\d+) "bytes=9-"/.exec(log);
  t.ok(oursLine && Number(oursLine[1]) < SIZE - 9, `ours: Apache finished the GET after ${oursLine?.[1]} of ${SIZE - 9} bytes`);
  t.notMatch(log, /"bytes=7-67108863"/, 'defect reproduced: the client\'s GET is still open 1.5 s after destroy()');
});

t.test('server killed mid-read: error within a second, then OFFLINE', async (t) => {
  const doomed = await startApacheWebdav();
  t.teardown(() => doomed.stop());
  await seedBig(doomed, 'big.bin');
  const sut = adapter(doomed, 10_000);
  const s = await sut.createReadStream('big.bin');
  await firstChunk(s);
  doomed.kill();
  const t0 = Date.now();
  const err = await consumeUntilError(s);
  errors.push(err);
  t.ok(Date.now() - t0 < 1000, `stream failed within a second (${Date.now() - t0} ms)`);
  t.equal((err as { code?: string }).code, 'OFFLINE', `code OFFLINE (${(err as Error).message})`);
  const t1 = Date.now();
  const err2 = await sut.ping().then(() => undefined, (e: unknown) => e);
  errors.push(err2);
  t.equal((err2 as { code?: string })?.code, 'OFFLINE', 'ping after the crash: OFFLINE');
  t.ok(Date.now() - t1 < 1000, 'quickly');
});

t.test('unreachable server: OFFLINE quickly', async (t) => {
  const port = await closedPort();
  const sut = adapter(server, 10_000, server.password, port);
  for (const [label, fn] of [
    ['ping', () => sut.ping()],
    ['list', () => sut.list('')],
    ['read', () => sut.createReadStream('x')],
  ] as const) {
    const t0 = Date.now();
    const err = await (fn as () => Promise<unknown>)().then(() => undefined, (e: unknown) => e);
    errors.push(err);
    t.equal((err as { code?: string })?.code, 'OFFLINE', `${label}: OFFLINE`);
    t.ok(Date.now() - t0 < 1000, `${label}: quickly (${Date.now() - t0} ms)`);
  }
});

t.test('bad credentials: AUTH everywhere', async (t) => {
  const sut = adapter(server, 5000, 'WRONG-Pa55word-zz');
  for (const [label, fn] of [
    ['ping', () => sut.ping()],
    ['list', () => sut.list('faults')],
    ['stat', () => sut.stat('faults/big.bin')],
    ['read', () => sut.createReadStream('faults/big.bin')],
    ['write', () => sut.createWriteStream('faults/x.bin')],
    ['mkdir', () => sut.mkdir('nope')],
    ['delete', () => sut.delete('faults/big.bin')],
    ['rename', () => sut.rename('faults/big.bin', 'faults/b2.bin')],
  ] as const) {
    const err = await (fn as () => Promise<unknown>)().then(() => undefined, (e: unknown) => e);
    errors.push(err);
    t.equal((err as { code?: string })?.code, 'AUTH', `${label}: AUTH`);
  }
  t.equal((await adapter(server, 5000).stat('faults/big.bin')).size, SIZE, 'nothing was changed');
});

t.test('no error or log line carries the password', async (t) => {
  let logged = '';
  const sink = new Writable({ write(chunk, _e, cb) { logged += String(chunk); cb(); } });
  const log = createLogger({ destination: sink, level: 'debug' });
  for (const e of errors) log.error({ err: e }, 'storage error');
  const secrets = [server.password, 'WRONG-Pa55word-zz'];
  const b64 = secrets.map((p) => Buffer.from(`${server.user}:${p}`).toString('base64'));
  t.ok(errors.length >= 15, `${errors.length} errors collected`);
  const texts = errors.map((e) => [String((e as Error)?.message), String((e as Error)?.stack), inspect(e, { depth: 6 }), JSON.stringify(e)].join('\n'));
  for (const s of [...secrets, ...b64]) {
    t.ok(texts.every((x) => !x.includes(s)), `no error mentions ${s.slice(0, 3)}…`);
    t.notOk(logged.includes(s), `no log line mentions ${s.slice(0, 3)}…`);
  }
  t.ok(logged.includes('TIMEOUT') && logged.includes('AUTH'), 'the errors were logged');
});

t.test('no unhandled rejections', async (t) => {
  await sleep(200);
  t.same(unhandled.map(String), [], 'none');
});

async function seedBig(s: ApacheWebdav, rel: string): Promise<void> {
  const block = Buffer.alloc(MiB);
  for (let i = 0; i < MiB; i++) block[i] = (i * 2654435761) >>> 24;
  const parts: Buffer[] = [];
  for (let k = 0; k < SIZE / MiB; k++) {
    const b = Buffer.from(block);
    b.writeUInt32LE(k, 0);
    parts.push(b);
  }
  await s.seed(rel, Buffer.concat(parts));
}

function firstChunk(s: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.once('data', () => {
      s.pause();
      s.off('error', reject);
      resolve();
    });
  });
}

/** Reads on until the stream errors; resolves with the error (or a marker if it ended). */
function consumeUntilError(s: Readable): Promise<unknown> {
  return new Promise((resolve) => {
    s.once('error', resolve);
    s.once('end', () => resolve(new Error('ended without error')));
    s.resume();
  });
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
