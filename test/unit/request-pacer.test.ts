/**
 * RequestPacer: N operations per second per remote root, evenly spaced; roots are paced
 * apart; local adapters and a rate of 0 are untouched; an abort while waiting rejects
 * without reaching the adapter; streams' bytes are not paced once open.
 */
import t from 'tap';
import { Readable } from 'node:stream';
import { RequestPacer } from '../../daemon/services/storage/request-pacer.js';
import { MemoryAdapter } from '../../storage-adapters/memory/memory.adapter.js';
import type { StorageAdapter } from '../../storage-adapters/types.js';

/** A remote-looking adapter over the memory one that records when each operation reached it. */
function remote(calls: number[]): StorageAdapter {
  const inner = new MemoryAdapter();
  inner.seed('dir/file.bin', Buffer.alloc(1000, 7));
  const at = <T>(fn: () => Promise<T>): Promise<T> => { calls.push(performance.now()); return fn(); };
  return {
    scheme: 'smb', displayUrl: 'smb://nas/share',
    list: (p, s) => at(() => inner.list(p, s)),
    stat: (p, s) => at(() => inner.stat(p, s)),
    ping: (s) => at(() => inner.ping(s)),
    createReadStream: (p, o) => at(() => inner.createReadStream(p, o)),
    createWriteStream: (p, o) => inner.createWriteStream(p, o),
    delete: (p, o) => inner.delete(p, o),
    rename: (a, b, o) => inner.rename(a, b, o),
    mkdir: (p, o) => inner.mkdir(p, o),
    close: () => inner.close(),
  };
}

t.test('0 = unlimited, and local adapters are never wrapped', async (t) => {
  const calls: number[] = [];
  const adapter = remote(calls);
  const off = new RequestPacer(0);
  t.equal(off.enabled, false);
  t.equal(off.wrap(1, adapter), adapter, 'same adapter when off');
  const on = new RequestPacer(10);
  const local = new MemoryAdapter();
  t.equal(on.wrap(1, local), local, 'memory adapter untouched');
  t.not(on.wrap(1, adapter), adapter, 'remote adapter paced');
  t.equal(on.wrap(1, adapter), on.wrap(1, adapter), 'one wrapper per adapter');
});

t.test('operations on one root start 1000/N ms apart', async (t) => {
  const calls: number[] = [];
  const sut = new RequestPacer(100).wrap(1, remote(calls));
  const t0 = performance.now();
  await Promise.all([
    ...Array.from({ length: 8 }, () => sut.list('dir')),
    sut.stat('dir/file.bin'), sut.ping(),
    sut.createReadStream('dir/file.bin', { start: 0, end: 9 }).then((s) => s.destroy()),
  ]);
  const elapsed = performance.now() - t0;
  t.equal(calls.length, 11);
  t.ok(elapsed >= 95, `11 operations at 100/s took ${elapsed.toFixed(0)} ms (>= 100 expected)`);
  // Slots are fixed on a 10 ms grid that starts when the operations were asked for (t0): a
  // late timer never lets the next one run ahead of it (2 ms of slack for timer rounding).
  // Measured from t0, not from the first call: a first call that ran late (a busy event loop
  // in the full suite: 7.7 ms to the second) is not the grid's origin.
  const offsets = calls.map((c) => c - t0);
  t.ok(offsets.every((o, i) => o >= i * 10 - 2), `on the grid: ${offsets.map((o) => o.toFixed(1)).join(' ')}`);
});

t.test('roots are paced apart; open streams are not throttled', async (t) => {
  const pacer = new RequestPacer(5);
  const a = pacer.wrap(1, remote([]));
  const b = pacer.wrap(2, remote([]));
  await a.list('dir');
  const t0 = performance.now();
  await b.list('dir');
  t.ok(performance.now() - t0 < 50, 'root 2 is not behind root 1');
  const t1 = performance.now();
  await b.stat('dir');
  const waited = performance.now() - t1;
  t.ok(waited >= 150, `root 2's next operation waits its slot (${waited.toFixed(0)} ms of 200)`);

  const s = await new RequestPacer(1).wrap(3, remote([])).createReadStream('dir/file.bin');
  const t2 = performance.now();
  let bytes = 0;
  for await (const chunk of s as Readable) bytes += (chunk as Buffer).length;
  t.equal(bytes, 1000, 'whole stream read');
  t.ok(performance.now() - t2 < 100, 'bytes flow unpaced once open');
});

t.test('an abort while waiting rejects and never reaches the adapter', async (t) => {
  const calls: number[] = [];
  const sut = new RequestPacer(2).wrap(1, remote(calls));
  await sut.ping();
  const ac = new AbortController();
  const waiting = sut.list('dir', ac.signal);
  setTimeout(() => ac.abort(new Error('cancelled')), 20);
  await t.rejects(waiting, /cancelled/);
  t.equal(calls.length, 1, 'only the first ping reached the adapter');
});
