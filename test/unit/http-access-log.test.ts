import t from 'tap';
import { Writable } from 'node:stream';
import { AccessLog, FLUSH_DELAY_MS, flushPendingAccessLogs, type AccessEntry } from '../../daemon/http/access-log.js';
import { LogTap } from '../../daemon/log/log-tap.js';
import { createLogger } from '../../daemon/log/logger.js';

/** Past the access log's batching delay. */
const afterDelay = (): Promise<void> => new Promise((r) => setTimeout(r, FLUSH_DELAY_MS + 20));

const entry = (over: Partial<AccessEntry> = {}): AccessEntry => ({
  method: 'GET', route: '/api/files', path: '/api/files', status: 200, bytes: 1234, ms: 1.5, requestId: 'abc-1', aborted: false, ...over,
});

function capture(level = 'info') {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (s: string) => { lines.push(s); } } });
  return { lines, logger };
}

t.test('the line is what pino itself writes for the same entry', async (t) => {
  const { lines, logger } = capture();
  const http = logger.child({ component: 'http' });
  const sut = new AccessLog(http);
  const e = entry({ path: '/api/file/caf\u00e9 "x"\\y\n', method: 'GET' });
  sut.write(e, false);
  sut.flush();
  http.info({ method: e.method, route: e.route, path: e.path, status: e.status, bytes: e.bytes, ms: e.ms, requestId: e.requestId }, 'http request');
  t.equal(lines.length, 2);
  t.ok(lines[0]!.endsWith('\n'), 'one line, newline-terminated');
  const [ours, pinos] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  delete ours!.time; delete pinos!.time;
  t.same(Object.keys(ours!), Object.keys(pinos!), 'same keys in the same order');
  t.same(ours, pinos, 'same values');
  t.match(JSON.parse(lines[0]!), { level: 30, component: 'http', msg: 'http request', time: /^\d{4}-\d\d-\d\dT/ });
});

t.test('aborted flag, and the level (changed at run time) decides', async (t) => {
  const { lines, logger } = capture('info');
  const sut = new AccessLog(logger);
  sut.write(entry({ status: 0, aborted: true }), false);
  sut.flush();
  t.match(JSON.parse(lines[0]!), { status: 0, aborted: true, level: 30 });
  sut.write(entry({ path: '/livez' }), true);
  sut.flush();
  t.equal(lines.length, 1, 'quiet paths are debug lines: dropped at info');
  logger.level = 'debug';
  sut.write(entry({ path: '/livez' }), true);
  sut.flush();
  t.equal(lines.length, 2);
  t.match(JSON.parse(lines[1]!), { level: 20, path: '/livez' });
  logger.level = 'warn';
  sut.write(entry(), false);
  sut.flush();
  t.equal(lines.length, 2, 'nothing at warn');
});

t.test('through the multistream: stdout-like stream and the log tap both get every line', async (t) => {
  const tapLines: string[] = [];
  const tap = new Writable({ write(chunk, _enc, cb) { tapLines.push(String(chunk)); cb(); } });
  const logger = createLogger({ level: 'info', pretty: false, tap });
  const sut = new AccessLog(logger.child({ component: 'http' }));
  const before = tapLines.length;
  sut.write(entry({ requestId: 'via-tap' }), false);
  await afterDelay();
  t.equal(tapLines.length, before + 1);
  t.match(JSON.parse(tapLines.at(-1)!), { requestId: 'via-tap', level: 30, component: 'http', msg: 'http request' });
});

t.test('a LogTap reader sees held-back lines at once (beforeRead flushes them)', async (t) => {
  const tap = new LogTap(100);
  tap.beforeRead(flushPendingAccessLogs);
  const logger = createLogger({ level: 'info', pretty: false, tap });
  const sut = new AccessLog(logger.child({ component: 'http' }));
  sut.write(entry({ requestId: 'held-back' }), false);
  t.ok(tap.recent().some((r) => (r as { requestId?: string }).requestId === 'held-back'), 'read right after the answer, no waiting');
  await afterDelay();
  t.equal(tap.recent().filter((r) => (r as { requestId?: string }).requestId === 'held-back').length, 1, 'written once, not again by the timer');
});

t.test('lines written within the delay go out in one write, in order', async (t) => {
  const { lines, logger } = capture('debug');
  const sut = new AccessLog(logger);
  sut.write(entry({ requestId: 'r1' }), false);
  sut.write(entry({ requestId: 'r2' }), false);
  t.equal(lines.length, 0, 'nothing written synchronously');
  await afterDelay();
  t.equal(lines.length, 1, 'one write');
  t.same(lines[0]!.trimEnd().split('\n').map((l) => JSON.parse(l).requestId), ['r1', 'r2']);

  sut.write(entry({ requestId: 'a' }), false);
  sut.write(entry({ requestId: 'b', path: '/livez' }), true);
  sut.write(entry({ requestId: 'c' }), false);
  sut.flush();
  const ids = lines.slice(1).join('').trimEnd().split('\n').map((l) => JSON.parse(l));
  t.same(ids.map((l) => [l.requestId, l.level]), [['a', 30], ['b', 20], ['c', 30]], 'a level change keeps the order');

  lines.length = 0;
  for (let i = 0; i < 100; i++) sut.write(entry({ requestId: `n${i}` }), false);
  t.ok(lines.length >= 1, 'a full batch is written without waiting');
  await afterDelay();
  t.equal(lines.join('').trimEnd().split('\n').length, 100, 'every line written');
});
