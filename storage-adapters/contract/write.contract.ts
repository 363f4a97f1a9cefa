/**
 * Contract: atomic write streams, setMtime and watch.
 */
import { type ContractTest, type ContractFixture, PatternData, closed, eventually, expectCode, readAll, sha256, sleep, writeAll } from './helpers.js';

export async function writes(t: ContractTest, fx: ContractFixture): Promise<void> {
  const { adapter } = fx;
  await adapter.mkdir('w');
  const data = Buffer.concat([...new PatternData(200_000, 5).chunks()]);

  const ws = await adapter.createWriteStream('w/a.bin');
  await new Promise<void>((r) => ws.write(data.subarray(0, 100_000), () => r()));
  await expectCode(t, () => adapter.stat('w/a.bin'), 'NOT_FOUND', 'file is not visible while being written');
  const finished = new Promise<void>((resolve, reject) => {
    ws.once('finish', resolve);
    ws.once('error', reject);
  });
  ws.end(data.subarray(100_000));
  await finished;
  const st = await adapter.stat('w/a.bin');
  t.equal(st.size, data.length, 'visible with full size at finish');
  t.equal(sha256(await readAll(adapter, 'w/a.bin')), sha256(data), 'bytes round-trip');

  await expectCode(t, () => writeAll(adapter, 'w/a.bin', 'other'), 'EXISTS', 'write onto existing without overwrite');
  t.equal(sha256(await readAll(adapter, 'w/a.bin')), sha256(data), 'existing file untouched');
  await writeAll(adapter, 'w/a.bin', 'replaced', { overwrite: true });
  t.equal((await readAll(adapter, 'w/a.bin')).toString(), 'replaced', 'overwrite replaces');
  await writeAll(adapter, 'w/empty.bin', Buffer.alloc(0));
  t.equal((await adapter.stat('w/empty.bin')).size, 0, 'empty write creates an empty file');
  await expectCode(t, () => writeAll(adapter, 'w/nodir/x.bin', 'x'), 'NOT_FOUND', 'write under a missing dir');
  await adapter.mkdir('w/sub');
  await expectCode(t, () => writeAll(adapter, 'w/sub', 'x', { overwrite: true }), 'IS_DIR', 'write onto a directory');

  // Aborted and failed writes leave nothing under the final name (or anywhere).
  const ac = new AbortController();
  const aborted = await adapter.createWriteStream('w/aborted.bin', { signal: ac.signal });
  await new Promise<void>((r) => aborted.write(data, () => r()));
  ac.abort();
  await closed(aborted, 2000);
  const failed = await adapter.createWriteStream('w/failed.bin');
  await new Promise<void>((r) => failed.write(data, () => r()));
  failed.destroy(new Error('producer failed'));
  await closed(failed, 2000);
  const failedOver = await adapter.createWriteStream('w/a.bin', { overwrite: true });
  await new Promise<void>((r) => failedOver.write(data, () => r()));
  failedOver.destroy(new Error('producer failed'));
  await closed(failedOver, 2000);

  await expectCode(t, () => adapter.stat('w/aborted.bin'), 'NOT_FOUND', 'aborted write leaves no file');
  await expectCode(t, () => adapter.stat('w/failed.bin'), 'NOT_FOUND', 'failed write leaves no file');
  t.equal((await readAll(adapter, 'w/a.bin')).toString(), 'replaced', 'failed overwrite leaves the old file intact');
  const want = ['a.bin', 'empty.bin', 'sub'];
  const clean = await eventually(async () => (await adapter.list('w')).map((e) => e.name).sort().join('|') === want.join('|'), 2000);
  t.ok(clean, `no temporary files left behind: ${(await adapter.list('w')).map((e) => e.name).join(', ')}`);
}

export async function mtimes(t: ContractTest, fx: ContractFixture): Promise<void> {
  const { adapter } = fx;
  const when = Date.UTC(2020, 0, 2, 3, 4, 5);
  await writeAll(adapter, 'mt.txt', 'x', { mtimeMs: when });
  t.ok(Math.abs((await adapter.stat('mt.txt')).mtimeMs - when) <= 2000, 'write with mtimeMs sets the mtime');
  const later = Date.UTC(2021, 5, 6, 7, 8, 9);
  if (!adapter.setMtime) return void t.fail('supportsSetMtime set but the adapter has no setMtime');
  await adapter.setMtime('mt.txt', later);
  t.ok(Math.abs((await adapter.stat('mt.txt')).mtimeMs - later) <= 2000, 'setMtime');
  await expectCode(t, () => adapter.setMtime!('missing.txt', later), 'NOT_FOUND', 'setMtime missing');
}

export async function watching(t: ContractTest, fx: ContractFixture): Promise<void> {
  const { adapter } = fx;
  if (!adapter.watch) return void t.fail('supportsWatch set but the adapter has no watch');
  await adapter.mkdir('wd/sub', { recursive: true });
  const seen = new Set<string>();
  const stop = adapter.watch('', (dir) => seen.add(dir), (err) => t.fail(`watch error: ${err.message}`));
  t.teardown(stop);
  await sleep(200); // let a walking watcher reach the tree
  await writeAll(adapter, 'wd/sub/new.txt', 'n');
  t.ok(await eventually(() => seen.has('wd/sub'), 3000), `change in wd/sub reported (${[...seen].join(', ')})`);
  await adapter.mkdir('wd/sub/deeper');
  await sleep(200);
  await writeAll(adapter, 'wd/sub/deeper/x.txt', 'x');
  t.ok(await eventually(() => seen.has('wd/sub/deeper'), 3000), 'change in a directory created after watch() reported');
  await adapter.delete('wd/sub/new.txt');
  seen.clear();
  await adapter.rename('wd/sub/deeper/x.txt', 'wd/y.txt');
  t.ok(await eventually(() => seen.has('wd') && seen.has('wd/sub/deeper'), 3000), 'rename reports both directories');
  stop();
  seen.clear();
  await writeAll(adapter, 'wd/after-stop.txt', 'z');
  await sleep(300);
  t.equal(seen.size, 0, 'no reports after stop');
}
