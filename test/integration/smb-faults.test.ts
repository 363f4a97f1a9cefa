/**
 * SMB adapter faults against a real Samba: unreachable, bad credentials (and no password
 * in any message), a hung server (SIGSTOP) timing out and the adapter reconnecting after
 * SIGCONT, a server killed mid-read failing the stream at once (node-smb2 waited for its
 * 5 s request timeout) with no unhandled rejection, and reconnection after a restart.
 */
import t, { type Test } from 'tap';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createSmbAdapter } from '../../storage-adapters/smb/smb.adapter.js';
import type { StorageAdapter } from '../../storage-adapters/types.js';
import { freePort, startSamba, type SambaServer } from '../servers/samba.js';

const MiB = 1024 * 1024;
const TIMEOUT_MS = 1500;
let srv: SambaServer;
const unhandled: unknown[] = [];
const onUnhandled = (r: unknown): void => void unhandled.push(r);
process.on('unhandledRejection', onUnhandled);
const messages: string[] = [];

t.before(async () => {
  srv = await startSamba({ password: 'Pw-Never-Logged-7781' });
  const block = Buffer.alloc(MiB, 7);
  const fh = await fs.open(path.join(srv.root, 'big.bin'), 'w');
  for (let i = 0; i < 64; i++) {
    block.writeUInt32LE(i, 0);
    await fh.write(block);
  }
  await fh.close();
  await fs.writeFile(path.join(srv.root, 'small.txt'), 'hello');
});
t.teardown(async () => {
  process.off('unhandledRejection', onUnhandled);
  await srv?.stop();
});

function adapter(over: { port?: number; password?: string } = {}): StorageAdapter {
  const sut = createSmbAdapter({
    url: new URL(`smb://127.0.0.1:${over.port ?? srv.port}/${srv.share}`),
    credentials: { username: srv.user, password: over.password ?? srv.password },
    timeoutMs: TIMEOUT_MS,
  });
  t.teardown(() => sut.close());
  return sut;
}

/** Run `fn`, expect a StorageError with `code`, record its message; returns elapsed ms. */
async function failsWith(t: Test, code: string, fn: () => Promise<unknown>, label: string): Promise<number> {
  const t0 = Date.now();
  try {
    await fn();
    t.fail(`${label}: expected ${code}, but it succeeded`);
  } catch (err) {
    const e = err as { name?: string; code?: string; message?: string; stack?: string };
    messages.push(String(e.message), String(e.stack));
    t.equal(`${e.name}:${e.code}`, `StorageError:${code}`, `${label} (${e.message})`);
  }
  return Date.now() - t0;
}

function streamError(s: Readable): Promise<{ err: Error | undefined; at: number }> {
  return new Promise((resolve) => {
    s.once('error', (err: Error) => resolve({ err, at: Date.now() }));
    s.once('end', () => resolve({ err: undefined, at: Date.now() }));
  });
}

t.test('unreachable server is OFFLINE quickly', async (t) => {
  const port = await freePort();
  const ms = await failsWith(t, 'OFFLINE', () => adapter({ port }).ping(), 'ping a closed port');
  t.ok(ms < 1000, `failed in ${ms} ms`);
});

t.test('bad credentials are AUTH and never echo the password', async (t) => {
  const wrong = 'Wrong-Secret-5521';
  await failsWith(t, 'AUTH', () => adapter({ password: wrong }).ping(), 'ping with a wrong password');
  await failsWith(t, 'AUTH', () => adapter({ password: wrong }).list(''), 'list with a wrong password');
  t.ok(messages.every((m) => !m.includes(wrong)), 'no message contains the wrong password');
});

t.test('hung server times out, then the adapter reconnects', async (t) => {
  const sut = adapter();
  await sut.ping();
  const reading = await sut.createReadStream('big.bin', { highWaterMark: 64 * 1024 });
  const ended = streamError(reading);
  reading.resume();
  srv.pause();
  try {
    const ms = await failsWith(t, 'TIMEOUT', () => sut.stat('small.txt'), 'stat on a stopped server');
    t.ok(ms <= TIMEOUT_MS + 700, `timed out in ${ms} ms (timeout ${TIMEOUT_MS})`);
    const { err } = await ended;
    t.equal((err as { code?: string } | undefined)?.code, 'TIMEOUT', 'the running read stream errors with TIMEOUT');
    const fresh = await failsWith(t, 'TIMEOUT', () => sut.list(''), 'a new call while still stopped times out too');
    t.ok(fresh <= TIMEOUT_MS * 2 + 700, `(${fresh} ms: connect + negotiate)`);
  } finally {
    srv.resume();
  }
  t.equal((await sut.stat('small.txt')).size, 5, 'after SIGCONT the next call reconnects and works');
});

t.test('server killed mid-read: stream errors at once, no unhandled rejection, reconnect after restart', async (t) => {
  const sut = adapter();
  const reading = await sut.createReadStream('big.bin', { highWaterMark: 64 * 1024 });
  await new Promise<void>((resolve) => reading.once('data', () => resolve()));
  reading.pause(); // READs in flight and a full buffer: the worst case for leaks
  const ended = streamError(reading);
  const killedAt = Date.now();
  srv.kill();
  reading.resume();
  const { err, at } = await ended;
  t.ok(err, `stream errored: ${err?.message}`);
  t.equal((err as { code?: string } | undefined)?.code, 'OFFLINE', 'with OFFLINE');
  t.ok(at - killedAt < 1000, `within ${at - killedAt} ms of the kill (node-smb2: 5 s)`);
  await failsWith(t, 'OFFLINE', () => sut.stat('small.txt'), 'a call while the server is down');
  await srv.restart();
  t.equal((await sut.stat('small.txt')).size, 5, 'the next call after a restart reconnects with a new client');
  await new Promise((r) => setTimeout(r, 100));
  t.same(unhandled, [], 'no unhandled rejection');
});

t.test('no error message or stack contains the password', async (t) => {
  t.ok(messages.length > 5, `${messages.length} messages checked`);
  t.ok(messages.every((m) => !m.includes(srv.password)), 'password never appears');
});
