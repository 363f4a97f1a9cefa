/**
 * Contract: whole and ranged reads (sha256 against the source), a big file, backpressure
 * and abort.
 */
import type { Readable } from 'node:stream';
import { type ContractTest, type ContractFixture, PatternData, closed, expectAbort, expectCode, hashRead, readAll, sha256, sleep, writeAll } from './helpers.js';

export async function smallReads(t: ContractTest, fx: ContractFixture): Promise<void> {
  const { adapter } = fx;
  const src = new PatternData(300_001, 7);
  const data = Buffer.concat([...src.chunks()]);
  await fx.seed('media/clip.bin', data);
  await fx.seed('media/empty.bin', Buffer.alloc(0));
  const n = data.length;
  const cases: Array<[string, number | undefined, number | undefined]> = [
    ['whole', undefined, undefined],
    ['[0,0]', 0, 0],
    ['last byte', n - 1, n - 1],
    ['middle', 1000, 250_000],
    ['to end', 123_457, undefined],
    ['end past size is clamped', n - 10, n + 1000],
  ];
  for (const [label, start, end] of cases) {
    const got = await readAll(adapter, 'media/clip.bin', { start, end });
    const want = data.subarray(start ?? 0, end === undefined ? n : Math.min(end, n - 1) + 1);
    t.same({ len: got.length, hash: sha256(got) }, { len: want.length, hash: sha256(want) }, `read ${label}`);
  }
  const small = await readAll(adapter, 'media/clip.bin', { start: 10, end: 20, highWaterMark: 4 });
  t.equal(sha256(small), sha256(data.subarray(10, 21)), 'tiny highWaterMark still yields the exact range');
  t.equal((await readAll(adapter, 'media/empty.bin')).length, 0, 'empty file reads as empty');
  await expectCode(t, () => readAll(adapter, 'media/missing.bin'), 'NOT_FOUND', 'read missing');
  await expectCode(t, () => readAll(adapter, 'media'), 'IS_DIR', 'read a directory');
}

export async function bigFile(t: ContractTest, fx: ContractFixture, size: number): Promise<void> {
  const { adapter } = fx;
  const src = new PatternData(size, 3);
  await adapter.mkdir('big');
  await writeAll(adapter, 'big/big.bin', src.stream());
  t.equal((await adapter.stat('big/big.bin')).size, size, `big file written (${size} bytes)`);

  const whole = await hashRead(adapter, 'big/big.bin');
  t.same(whole, { hash: src.sha256(), bytes: size }, 'big file whole read sha256');
  const MiB = 1024 * 1024;
  const mid = Math.floor(size / 2);
  const ranges: Array<[string, number, number | undefined]> = [
    ['first MiB', 0, Math.min(MiB, size) - 1],
    ['middle, unaligned', Math.max(mid - 12_345, 0), Math.min(mid + MiB + 17, size - 1)],
    ['last MiB to end', Math.max(size - MiB - 3, 0), undefined],
    ['last byte', size - 1, size - 1],
  ];
  for (const [label, start, end] of ranges) {
    const e = end ?? size - 1;
    t.same(await hashRead(adapter, 'big/big.bin', { start, end }), { hash: src.sha256(start, e), bytes: e - start + 1 }, `big file ${label}`);
  }

  // Backpressure: a consumer that stops reading must not make the adapter buffer the file.
  const before = process.memoryUsage();
  const slow = await adapter.createReadStream('big/big.bin', { highWaterMark: 64 * 1024 });
  await firstChunk(slow);
  await sleep(400);
  const bound = Math.min(size / 2, 16 * MiB);
  t.ok(slow.readableLength <= bound, `paused stream holds ${slow.readableLength} bytes (bound ${bound})`);
  if (size >= 64 * MiB) {
    const after = process.memoryUsage();
    const grown = after.arrayBuffers + after.external - before.arrayBuffers - before.external;
    t.ok(grown < 64 * MiB, `memory grew ${(grown / MiB).toFixed(1)} MiB while paused on a ${(size / MiB).toFixed(0)} MiB file`);
  }
  slow.destroy();
  await closed(slow, 2000);

  // Abort mid-stream: the stream is destroyed promptly.
  const ac = new AbortController();
  const s = await adapter.createReadStream('big/big.bin', { signal: ac.signal, highWaterMark: 64 * 1024 });
  await firstChunk(s);
  const t0 = Date.now();
  ac.abort();
  await closed(s, 1500);
  t.ok(s.destroyed, `aborted stream destroyed in ${Date.now() - t0} ms`);
  const aborted = AbortSignal.abort();
  await expectAbort(t, () => readAll(adapter, 'big/big.bin', { signal: aborted }), 'already-aborted signal');
}

function firstChunk(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.once('data', () => {
      stream.pause();
      resolve();
    });
  });
}
