/**
 * Type=notify readiness and the watchdog, as systemd would see them: the test binds the
 * notify datagram socket itself and starts the built daemon with NOTIFY_SOCKET and
 * WATCHDOG_USEC set.
 */
import t from 'tap';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '../helpers/daemon.js';

interface Server { bind(path: string): void; on(e: 'message', l: (msg: Buffer) => void): void; close(): void }
const dgram = createRequire(import.meta.url)('unix-dgram') as { createSocket(type: 'unix_dgram'): Server };

t.test('READY=1 after the index opens, WATCHDOG=1 pings, STOPPING=1 on SIGTERM', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-notify-'));
  const socketPath = join(dir, 'notify.sock');
  const server = dgram.createSocket('unix_dgram');
  const messages: string[] = [];
  server.on('message', (msg) => messages.push(msg.toString()));
  server.bind(socketPath);
  t.teardown(async () => { server.close(); await rm(dir, { recursive: true, force: true }); });

  const d = await startDaemon({ env: { NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: '1000000' } });
  const waitFor = async (pred: (m: string) => boolean, ms = 10_000): Promise<string> => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const found = messages.find(pred);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`notify message not seen; got ${JSON.stringify(messages)}`);
  };
  const ready = await waitFor((m) => m.includes('READY=1'));
  t.match(ready, new RegExp(`MAINPID=${d.process.pid}`));
  t.match(ready, /STATUS=serving on port \d+/);
  const readyz = await d.request('GET', '/readyz');
  t.equal(readyz.status, 200, 'ready only once /readyz answers 200');
  await new Promise((r) => setTimeout(r, 1300));
  t.ok(messages.filter((m) => m === 'WATCHDOG=1').length >= 2, 'watchdog pinged every WATCHDOG_USEC/2');
  t.equal(await d.stop('SIGTERM'), 0);
  t.equal(await waitFor((m) => m === 'STOPPING=1'), 'STOPPING=1', 'STOPPING=1 on shutdown');
});
