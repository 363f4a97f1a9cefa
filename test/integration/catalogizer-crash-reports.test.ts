/**
 * The daemon's own unexpected errors become crash reports: process-level unhandled
 * rejections and uncaught exceptions (installCrashHooks) and HTTP handler errors
 * (HttpServerOptions.onUnexpectedError), over a real LMDB index; plus RecordRepo ordering.
 */
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { openIndexStore } from '../../daemon/index/lmdb-store.js';
import { ErrorReportService } from '../../daemon/services/catalogizer/errors/error-report.service.js';
import { installCrashHooks } from '../../daemon/services/catalogizer/errors/crash-hooks.js';
import { HttpServer } from '../../daemon/http/server.js';
import { silentLogger } from '../../daemon/log/logger.js';

const REPO = resolve(import.meta.dirname, '../..');
const dir = await mkdtemp(join(tmpdir(), 'alcove-crash-'));
const index = await openIndexStore({ path: join(dir, 'index') });
t.teardown(async () => { await index.close(); await rm(dir, { recursive: true, force: true }); });
const sut = new ErrorReportService(index.records, 'test', { dedupeWindowMs: 0 });

t.test('RecordRepo: ids ascend per collection, scans are ordered and bounded', async (t) => {
  const a = await index.records.insert('c1', (id) => ({ id, v: 'a' }));
  const b = await index.records.insert('c1', (id) => ({ id, v: 'b' }));
  await index.records.insert('c2', (id) => ({ id, v: 'other' }));
  await index.records.put('c1', 'named', { v: 'named' });
  t.equal(b.id, a.id + 1);
  t.same([...index.records.scan<{ v: string }>('c1')].map((e) => e.value.v), ['a', 'b', 'named'], 'numbers before strings');
  t.same([...index.records.scan<{ v: string }>('c1', { reverse: true, limit: 2 })].map((e) => e.value.v), ['named', 'b']);
  t.equal(index.records.count('c1'), 3);
  const first = await index.records.insertMany('c1', [{ v: 'x' }, { v: 'y' }]);
  t.equal(first, b.id + 1);
  t.equal(await index.records.removeCollection('c1'), 5);
  t.equal(index.records.count('c1'), 0);
  t.equal(index.records.count('c2'), 1, 'other collections untouched');
});

t.test('process-level unhandled rejections are recorded', async (t) => {
  const listenersBefore = process.listenerCount('unhandledRejection') + process.listenerCount('uncaughtExceptionMonitor');
  const unhook = installCrashHooks(sut);
  t.teardown(unhook);
  process.emit('unhandledRejection', new Error('nobody awaited me'), Promise.resolve());
  const crashes = sut.list('crash', new URLSearchParams()).reports as Array<{ signal: string; message: string; stack_trace: string }>;
  t.same(crashes.map((c) => [c.signal, c.message]), [['unhandledRejection', 'nobody awaited me']]);
  t.match(crashes[0].stack_trace, /Error: nobody awaited me/);
  unhook();
  t.equal(process.listenerCount('unhandledRejection') + process.listenerCount('uncaughtExceptionMonitor'), listenersBefore, 'hooks removed');
});

t.test('an uncaught exception that kills the process is stored before it dies', async (t) => {
  // A real crash needs its own process (built modules in dist/): it throws from a timer.
  const childIndex = join(dir, 'child-index');
  const script = `
    const { openIndexStore } = await import(${JSON.stringify(join(REPO, 'dist/daemon/index/lmdb-store.js'))});
    const { ErrorReportService } = await import(${JSON.stringify(join(REPO, 'dist/daemon/services/catalogizer/errors/error-report.service.js'))});
    const { installCrashHooks } = await import(${JSON.stringify(join(REPO, 'dist/daemon/services/catalogizer/errors/crash-hooks.js'))});
    const index = await openIndexStore({ path: ${JSON.stringify(childIndex)} });
    installCrashHooks(new ErrorReportService(index.records, 'child'));
    setTimeout(() => { throw new TypeError('boom in a timer'); }, 10);
  `;
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    child.on('exit', (c) => resolve(c));
  });
  t.not(code, 0, 'the child died');
  const reopened = await openIndexStore({ path: childIndex });
  t.teardown(() => reopened.close());
  const crashes = new ErrorReportService(reopened.records, 'test').list('crash', new URLSearchParams()).reports as Array<{ signal: string; message: string }>;
  t.same(crashes.map((c) => [c.signal, c.message]), [['uncaughtException', 'boom in a timer']]);
});

t.test('HTTP handler errors reach onUnexpectedError and are stored', async (t) => {
  const server = new HttpServer({
    logger: silentLogger(), authenticate: async () => undefined,
    onUnexpectedError: (err, where) => { void sut.recordCrash(err, 'unexpectedError', where); },
  });
  server.router.get('/explode', () => { throw new RangeError('handler bug'); }, { access: { kind: 'public' } });
  const port = await server.listen('127.0.0.1', 0);
  t.teardown(() => server.close(1000));
  const res = await fetch(`http://127.0.0.1:${port}/explode`);
  t.equal(res.status, 500);
  t.same(await res.json(), { success: false, error: 'Internal server error', code: 'INTERNAL' });
  const crash = sut.list('crash', new URLSearchParams({ signal: 'unexpectedError' })).reports[0] as { message: string; context: Record<string, unknown> };
  t.equal(crash.message, 'handler bug');
  t.match(crash.context, { route: '/explode', method: 'GET', name: 'RangeError' });
});
