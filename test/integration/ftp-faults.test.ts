/**
 * FTP adapter faults against a real pure-ftpd: a server killed mid-read, a hung server
 * (SIGSTOP) timing out and the adapter reconnecting after SIGCONT and after a restart,
 * an unreachable server, bad credentials, and no password in any error or log line.
 */
import t from 'tap';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { FtpAdapter } from '../../storage-adapters/ftp/ftp.adapter.js';
import { freePort, seedFile, startPureFtpd, type PureFtpdServer } from '../servers/pure-ftpd.js';

const MiB = 1024 * 1024;
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown): void => void unhandled.push(err);
process.on('unhandledRejection', onUnhandled);
t.teardown(() => void process.off('unhandledRejection', onUnhandled));

const logLines: string[] = [];
const logger = pino({ level: 'debug' }, new Writable({
  write(chunk: Buffer, _e, cb) {
    logLines.push(chunk.toString());
    cb();
  },
}));

const make = (s: Pick<PureFtpdServer, 'port' | 'user' | 'password'>, extra: { timeoutMs?: number; password?: string } = {}) => new FtpAdapter({
  url: new URL(`ftp://127.0.0.1:${s.port}/`),
  credentials: { username: s.user, password: extra.password ?? s.password },
  timeoutMs: extra.timeoutMs ?? 1000,
  logger,
});

/** Consume a stream slowly-ish; resolves with the error it ended with (or undefined). */
function drain(stream: NodeJS.ReadableStream): Promise<Error | undefined> {
  return new Promise((resolve) => {
    stream.on('data', () => undefined);
    stream.once('error', resolve);
    stream.once('end', () => resolve(undefined));
  });
}

t.test('server killed mid-read: the stream errors within a second; restart on the same port: reconnects', async (t) => {
  // Our own root, so it outlives the first server for the restart.
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'alcove-ftp-restart-'));
  t.teardown(() => fs.rm(root, { recursive: true, force: true }));
  let server = await startPureFtpd({ root });
  t.teardown(() => server.stop());
  await seedFile(server, 'big.bin', Buffer.alloc(64 * MiB, 7));
  const sut = make(server, { timeoutMs: 5000 });
  t.teardown(() => sut.close());
  const stream = await sut.createReadStream('big.bin', { highWaterMark: 64 * 1024 });
  await new Promise((r) => stream.once('data', r));
  stream.pause(); // the consumer is slow: the kill must still surface
  server.kill();
  const killedAt = Date.now();
  stream.resume();
  const err = await drain(stream);
  const ms = Date.now() - killedAt;
  t.ok(err, `stream errored (${(err as { code?: string })?.code}: ${err?.message})`);
  t.ok(ms < 1000, `within a second (${ms} ms)`);
  t.equal((err as { name?: string })?.name, 'StorageError', 'a StorageError');

  const port = server.port;
  await server.stop();
  await t.rejects(sut.stat('big.bin'), { code: 'OFFLINE' }, 'while down: OFFLINE');
  server = await startPureFtpd({ port, root, password: server.password });
  t.equal((await sut.stat('big.bin')).size, 64 * MiB, 'after restart: the next call reconnects');
  t.same(unhandled, [], 'no unhandled rejections');
});

t.test('hung server (SIGSTOP): TIMEOUT within the configured timeout; reconnects after SIGCONT', async (t) => {
  const server = await startPureFtpd();
  t.teardown(() => server.stop());
  await seedFile(server, 'big.bin', Buffer.alloc(32 * MiB, 1));
  await seedFile(server, 'a.txt', 'a');
  const sut = make(server, { timeoutMs: 1000 });
  t.teardown(() => sut.close());
  t.equal((await sut.stat('a.txt')).size, 1, 'warm connection');

  server.pause();
  let t0 = Date.now();
  await t.rejects(sut.stat('a.txt'), { name: 'StorageError', code: 'TIMEOUT' }, 'stat on a hung server');
  let ms = Date.now() - t0;
  t.ok(ms >= 900 && ms < 2000, `timed out after ${ms} ms (timeout 1000)`);
  t0 = Date.now();
  await t.rejects(sut.list(''), { code: 'TIMEOUT' }, 'list on a hung server');
  t.ok(Date.now() - t0 < 2500, `list timed out after ${Date.now() - t0} ms`);
  server.resume();
  t.equal((await sut.stat('a.txt')).size, 1, 'after SIGCONT the next call works');

  const stream = await sut.createReadStream('big.bin', { highWaterMark: 64 * 1024 });
  await new Promise((r) => stream.once('data', r));
  server.pause();
  t0 = Date.now();
  const err = await drain(stream);
  ms = Date.now() - t0;
  server.resume();
  t.equal((err as { code?: string })?.code, 'TIMEOUT', `mid-read hang: TIMEOUT on the stream (${err?.message})`);
  t.ok(ms < 2500, `after ${ms} ms`);
  t.equal((await sut.stat('big.bin')).size, 32 * MiB, 'and the adapter recovers');
  t.same(unhandled, [], 'no unhandled rejections');
});

t.test('unreachable server: OFFLINE quickly; ping reports it', async (t) => {
  const port = await freePort(); // nothing listens there
  const sut = make({ port, user: 'u', password: 'never-leaked-1' });
  const t0 = Date.now();
  await t.rejects(sut.ping(), { name: 'StorageError', code: 'OFFLINE' });
  t.ok(Date.now() - t0 < 500, `in ${Date.now() - t0} ms`);
  await t.rejects(sut.list(''), { code: 'OFFLINE' });
  await sut.close();
});

t.test('bad credentials: AUTH; the password never appears in errors or logs', async (t) => {
  const server = await startPureFtpd();
  t.teardown(() => server.stop());
  const wrong = 'Wrong-Pa55word-xyz';
  // pure-ftpd delays a failed login by ~5 s (brute-force damping): keep the default-ish timeout.
  const bad = make(server, { password: wrong, timeoutMs: 10_000 });
  const errors: Error[] = [];
  const t0 = Date.now();
  await bad.ping().catch((e: Error) => errors.push(e));
  t.equal((errors[0] as { code?: string })?.code, 'AUTH', `AUTH after ${Date.now() - t0} ms (${errors[0]?.message})`);
  await bad.close();

  const good = make(server, { timeoutMs: 800 });
  await good.ping();
  server.pause();
  await good.stat('x').catch((e: Error) => errors.push(e));
  server.resume();
  await good.stat('missing.txt').catch((e: Error) => errors.push(e));
  await good.close();
  t.equal(errors.length, 3, 'three failures collected (AUTH, TIMEOUT, NOT_FOUND)');
  const dump = (e: unknown): string => {
    const x = e as Error & { cause?: unknown };
    return `${String(x)} ${x.stack ?? ''} ${JSON.stringify(x)} ${x.cause ? dump(x.cause) : ''}`;
  };
  const text = errors.map(dump).join('\n') + logLines.join('\n');
  t.ok(logLines.length > 0, `log lines were written (${logLines.length})`);
  t.notOk(text.includes(wrong), 'wrong password absent from errors and logs');
  t.notOk(text.includes(server.password), 'real password absent from errors and logs');
});
