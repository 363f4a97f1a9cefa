/**
 * Clients that go away in the middle of file answers (GET /api/file/*): at every moment of
 * a ranged request (while the file is resolved and opened, while the first chunk is read,
 * mid-body) and with several connections at once. Afterwards the daemon must still be up,
 * must not have logged an uncaught error or begun shutting down, and must answer ranged and
 * full GETs with the right bytes.
 *
 * Regression: an abort that landed while the local adapter opened the file made
 * addAbortSignal destroy the new stream with an AbortError nobody listened to; the
 * uncaught exception shut the daemon down (seen as ~560k wrk errors in the streaming
 * benchmark's 8-connection phase, right after the 1-connection phase ended mid-answer).
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startDaemon, type RunningDaemon } from '../helpers/daemon.js';

const SIZE = 8 * 1024 * 1024;
const RANGE = 1024 * 1024;
let daemon: RunningDaemon;
let base: string;
let bytes: Buffer;

t.before(async () => {
  base = await mkdtemp(join(tmpdir(), 'alcove-aborts-'));
  await mkdir(join(base, 'lib'));
  bytes = randomBytes(SIZE);
  await writeFile(join(base, 'lib', 'big.bin'), bytes);
  daemon = await startDaemon({ args: ['--library', `Big=${join(base, 'lib')}`], env: { ALCOVE_LOG_LEVEL: 'info' } });
  await daemon.loginAdmin();
  await eventually(async () => (await daemon.fetch('/api/file/Big/big.bin', { method: 'HEAD' })).status === 200, 20_000);
});
t.teardown(async () => {
  await daemon?.stop();
  await rm(base, { recursive: true, force: true });
});

/**
 * One raw connection: a ranged GET, then the socket is destroyed `delayUs` microseconds
 * after the request was written (0: at once) or once `afterBytes` bytes arrived.
 */
function abortingClient(delayUs: number, afterBytes?: number): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(daemon.port, '127.0.0.1', () => {
      const start = Math.floor(Math.random() * (SIZE - RANGE));
      s.write(`GET /api/file/Big/big.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${daemon.token}\r\n`
        + `Range: bytes=${start}-${start + RANGE - 1}\r\n\r\n`);
      if (afterBytes !== undefined) {
        let got = 0;
        s.on('data', (c: Buffer) => { got += c.length; if (got >= afterBytes) s.destroy(); });
        return;
      }
      const t0 = process.hrtime.bigint();
      const wait = BigInt(delayUs * 1000);
      const spin = (): void => { if (process.hrtime.bigint() - t0 >= wait) s.destroy(); else setImmediate(spin); };
      spin();
    });
    s.on('error', () => undefined);
    s.on('close', () => resolve());
  });
}

/** Descriptors the daemon holds open on big.bin (Linux /proc). */
async function openOnBigFile(): Promise<number> {
  const dir = `/proc/${daemon.process.pid}/fd`;
  let n = 0;
  for (const fd of await readdir(dir)) {
    const target = await readlink(`${dir}/${fd}`).catch(() => '');
    if (target.endsWith('/big.bin')) n++;
  }
  return n;
}

const alive = (): boolean => daemon.process.exitCode === null && daemon.process.signalCode === null;

t.test('clients aborting ranged GETs at every stage leave the daemon serving', async (t) => {
  // Vary the moment of the abort across the whole request: resolving, opening, reading, sending.
  // The moments are spread over 0-1 ms, a request's time to its first bytes here.
  const broken = (): boolean => !alive() || daemon.logs.some((l) => l.level >= 50);
  for (let round = 0; round < 1000 && !broken(); round++) {
    await Promise.all(Array.from({ length: 8 }, (_, k) => abortingClient(((round * 8 + k) * 7) % 1000)));
  }
  for (let round = 0; round < 20 && !broken(); round++) {
    await Promise.all(Array.from({ length: 8 }, (_, k) => abortingClient(0, 1 + ((round * 8 + k) * 37_123) % RANGE)));
  }
  t.ok(alive(), 'the daemon process is still running');
  const bad = daemon.logs.filter((l) => l.level >= 50 || l.msg === 'shutting down');
  t.same(bad.map((l) => l.msg), [], 'no error, fatal or shutdown log lines');

  // Every aborted answer returned its descriptor: at most the one cached stays open.
  await eventually(async () => (await openOnBigFile()) <= 1, 10_000);
  t.ok((await openOnBigFile()) <= 1, 'descriptors of aborted answers were returned');

  const start = 3 * RANGE + 12_345;
  const r = await daemon.fetch('/api/file/Big/big.bin', { headers: { range: `bytes=${start}-${start + RANGE - 1}` } });
  t.equal(r.status, 206);
  t.ok(Buffer.from(await r.arrayBuffer()).equals(bytes.subarray(start, start + RANGE)), 'ranged answer has the right bytes');
  const full = await daemon.fetch('/api/file/Big/big.bin');
  t.equal(full.status, 200);
  t.ok(Buffer.from(await full.arrayBuffer()).equals(bytes), 'full answer has the right bytes');
});

t.test('keep-alive connections keep working after others aborted', async (t) => {
  const results = await Promise.all(Array.from({ length: 8 }, async (_, k) => {
    const start = k * RANGE;
    const r = await daemon.fetch('/api/file/Big/big.bin', { headers: { range: `bytes=${start}-${start + RANGE - 1}` } });
    return r.status === 206 && Buffer.from(await r.arrayBuffer()).equals(bytes.subarray(start, start + RANGE));
  }));
  t.same(results, Array(8).fill(true), 'eight parallel ranged GETs answer 206 with the right bytes');
});
