/**
 * Access-log lines are batched per event-loop turn (daemon/http/access-log.ts); lines still
 * pending when the process exits are written out by its exit hook, through the daemon's
 * real stdout destination (pino multistream + sonic-boom + log tap).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = (...p: string[]) => JSON.stringify(pathToFileURL(join(process.cwd(), 'dist', 'daemon', ...p)).href);

t.test('pending lines are written on process exit', async (t) => {
  const script = `import { createLogger } from ${dist('log', 'logger.js')};
import { LogTap } from ${dist('log', 'log-tap.js')};
import { AccessLog } from ${dist('http', 'access-log.js')};
const logger = createLogger({ level: 'info', pretty: false, tap: new LogTap(10) });
const sut = new AccessLog(logger.child({ component: 'http' }));
for (let i = 0; i < 10; i++) sut.write({ method: 'GET', route: '/x', path: '/x', status: 200, bytes: 1, ms: 1, requestId: 'id' + i, aborted: false }, false);
process.exit(0);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  t.equal(code, 0);
  const ids = out.trimEnd().split('\n').map((l) => JSON.parse(l) as { requestId: string; msg: string });
  t.same(ids.map((l) => l.requestId), Array.from({ length: 10 }, (_, i) => `id${i}`));
  t.ok(ids.every((l) => l.msg === 'http request'));
});

t.test('a lone line arrives while the process keeps running', async (t) => {
  const script = `import { createLogger } from ${dist('log', 'logger.js')};
import { LogTap } from ${dist('log', 'log-tap.js')};
const logger = createLogger({ level: 'info', pretty: false, tap: new LogTap(10) });
logger.info({ n: 1 }, 'lone line');
setTimeout(() => process.exit(0), 5000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let exited = false;
  child.on('close', () => { exited = true; });
  const line = await new Promise<string>((r) => child.stdout.once('data', (c: Buffer) => r(c.toString())));
  t.notOk(exited, 'written at once, not at exit');
  t.match(JSON.parse(line), { msg: 'lone line', n: 1 });
  child.kill();
});
