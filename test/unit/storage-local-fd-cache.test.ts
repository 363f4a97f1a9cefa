/**
 * LocalAdapter.openFile and its descriptor cache (storage-adapters/local/fd-cache.ts):
 * a replaced, rewritten, truncated or deleted file is never served from an old descriptor,
 * symlinks re-pointed outside the root are refused, the count of open descriptors stays
 * bounded, and idle or released descriptors are closed.
 */
import t, { type Test } from 'tap';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalAdapter } from '../../storage-adapters/local/local.adapter.js';
import type { OpenedFile } from '../../storage-adapters/types.js';
import { expectCode } from '../../storage-adapters/contract/helpers.js';
import { fsTypeOf, isLocalDiskFs } from '../../storage-adapters/local/disk-fs.js';

async function tree(t: Test): Promise<{ root: string; outside: string }> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'alcove-fdcache-'));
  t.teardown(() => fs.rm(base, { recursive: true, force: true }));
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  await fs.mkdir(root);
  await fs.mkdir(outside);
  return { root, outside };
}

async function readAll(f: OpenedFile): Promise<string> {
  const buf = Buffer.alloc(f.size);
  let got = 0;
  while (got < f.size) {
    const n = await f.read(buf, got, f.size - got, got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got).toString();
}

/** A tree holding one file `name` with `text`, served by an adapter with these inline checks. */
async function oneFile(t: Test, name: string, text: string, inlineChecks?: 'auto' | 'never' | 'always') {
  const { root } = await tree(t);
  const file = path.join(root, name);
  await fs.writeFile(file, text);
  const sut = new LocalAdapter(root, inlineChecks ? { fdCache: { inlineChecks } } : {});
  t.teardown(() => sut.close());
  return { root, file, sut };
}

/** Replace `file` the way downloaders and editors do: a new file beside it, renamed over it. */
async function replaceByRename(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), '.replacement');
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, file);
}

/** openFile + read + release: what one HTTP answer does. */
async function serve(sut: LocalAdapter, rel: string): Promise<string> {
  const f = await sut.openFile(rel);
  try { return await readAll(f); } finally { f.release(); }
}

// Every check outcome, through the threadpool stat ('never') and the synchronous one ('always').
for (const inlineChecks of ['never', 'always'] as const) {
  t.test(`a file replaced by rename, rewritten or truncated is served fresh (${inlineChecks} inline checks)`, async (t) => {
    const { file, sut } = await oneFile(t, 'a.txt', 'first version', inlineChecks);
    t.equal(await serve(sut, 'a.txt'), 'first version');
    t.equal(await serve(sut, 'a.txt'), 'first version', 'second answer from the cached descriptor');
    t.equal(sut.fds.size, 1);

    await replaceByRename(file, 'second, longer version');
    t.equal(await serve(sut, 'a.txt'), 'second, longer version', 'replaced by rename');
    t.equal(sut.fds.openCount, 1, 'the old descriptor was closed');

    await fs.writeFile(file, 'third, longer version!'); // same inode, same size as before
    const f = await sut.openFile('a.txt');
    t.equal(await readAll(f), 'third, longer version!', 'rewritten in place');
    f.release();

    await fs.truncate(file, 5);
    const g = await sut.openFile('a.txt');
    t.equal(g.size, 5, 'size after truncation');
    t.equal(await readAll(g), 'third');
    g.release();
  });

  t.test(`a deleted file is NOT_FOUND, never its old bytes; a lease held across the delete still reads (${inlineChecks} inline checks)`, async (t) => {
    const { file, sut } = await oneFile(t, 'gone.bin', 'old bytes', inlineChecks);
    const held = await sut.openFile('gone.bin');
    t.equal(await serve(sut, 'gone.bin'), 'old bytes');
    await fs.unlink(file);
    await expectCode(t, () => sut.openFile('gone.bin'), 'NOT_FOUND', 'deleted');
    t.equal(sut.fds.size, 0, 'entry dropped');
    t.equal(await readAll(held), 'old bytes', 'the answer already in progress finishes with the file it opened');
    t.equal(sut.fds.openCount, 1, 'its descriptor stays open while in use');
    held.release();
    t.equal(sut.fds.openCount, 0, 'and is closed on release');
  });

  t.test(`symlinks: inside followed, outside refused, a link re-pointed outside is refused at once (${inlineChecks} inline checks)`, async (t) => {
    const { root, outside } = await tree(t);
    await fs.writeFile(path.join(root, 'real.txt'), 'inside');
    await fs.writeFile(path.join(outside, 'secret.txt'), 'secret');
    await fs.symlink(path.join(root, 'real.txt'), path.join(root, 'link.txt'));
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(root, 'out.txt'));
    const sut = new LocalAdapter(root, { fdCache: { inlineChecks } });
    t.teardown(() => sut.close());
    t.equal(await serve(sut, 'link.txt'), 'inside');
    await expectCode(t, () => sut.openFile('out.txt'), 'ESCAPE', 'escaping link');
    await fs.unlink(path.join(root, 'link.txt'));
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(root, 'link.txt'));
    await expectCode(t, () => sut.openFile('link.txt'), 'ESCAPE', 'cached link re-pointed outside');
    await expectCode(t, () => sut.openFile('../outside/secret.txt'), 'ESCAPE', 'traversal');
  });
}

t.test('directories and other non-regular files are IS_DIR (a FIFO is never opened)', async (t) => {
  const { root } = await tree(t);
  await fs.mkdir(path.join(root, 'dir'));
  const { execFileSync } = await import('node:child_process');
  execFileSync('mkfifo', [path.join(root, 'pipe')]);
  const sut = new LocalAdapter(root);
  t.teardown(() => sut.close());
  await expectCode(t, () => sut.openFile('dir'), 'IS_DIR', 'directory');
  await expectCode(t, () => sut.openFile(''), 'IS_DIR', 'root');
  await expectCode(t, () => sut.openFile('pipe'), 'IS_DIR', 'fifo');
  t.equal(sut.fds.openCount, 0);
});

t.test('the count is bounded: LRU eviction, uncached overflow when all are in use', async (t) => {
  const { root } = await tree(t);
  for (let i = 0; i < 10; i++) await fs.writeFile(path.join(root, `f${i}`), `file ${i}`);
  const sut = new LocalAdapter(root, { fdCache: { maxEntries: 3 } });
  t.teardown(() => sut.close());
  for (let i = 0; i < 10; i++) t.equal(await serve(sut, `f${i}`), `file ${i}`);
  t.equal(sut.fds.size, 3, 'three cached');
  t.equal(sut.fds.openCount, 3, 'the evicted ones were closed');

  const held = [];
  for (let i = 0; i < 6; i++) held.push(await sut.openFile(`f${i}`));
  t.equal(sut.fds.size, 3, 'still three cached');
  t.equal(sut.fds.openCount, 6, 'three more open, uncached, while in use');
  t.same(await Promise.all(held.map(readAll)), [0, 1, 2, 3, 4, 5].map((i) => `file ${i}`));
  for (const f of held) f.release();
  t.equal(sut.fds.openCount, 3, 'the uncached ones closed on release');
  const again = await sut.openFile('f0');
  again.release();
  again.release(); // a second release is ignored
  t.equal(sut.fds.openCount, 3, 'a double release closes nothing extra');
});

t.test('idle descriptors are closed by the sweep; close() closes the rest', async (t) => {
  const { root } = await tree(t);
  await fs.writeFile(path.join(root, 'a'), 'a');
  await fs.writeFile(path.join(root, 'b'), 'b');
  let now = 1_000_000;
  const sut = new LocalAdapter(root, { fdCache: { idleMs: 10_000, now: () => now } });
  await serve(sut, 'a');
  const held = await sut.openFile('b');
  now += 10_001;
  sut.fds.sweep();
  t.equal(sut.fds.size, 1, 'the idle one closed, the one in use kept');
  t.equal(sut.fds.openCount, 1);
  held.release();
  await sut.close();
  t.equal(sut.fds.openCount, 0, 'close() closed the rest');
});

t.test('an aborted signal rejects openFile and returns the descriptor', async (t) => {
  const { root } = await tree(t);
  await fs.writeFile(path.join(root, 'a'), 'a');
  const sut = new LocalAdapter(root);
  t.teardown(() => sut.close());
  const ac = new AbortController();
  const pending = sut.openFile('a', ac.signal);
  ac.abort();
  await t.rejects(pending, { name: 'AbortError' });
  t.equal(sut.fds.size, 1, 'the descriptor stays cached for the next answer');
  t.equal(await serve(sut, 'a'), 'a');
  const aborted = new AbortController();
  aborted.abort();
  await t.rejects(sut.openFile('a', aborted.signal), { name: 'AbortError' });
  await sut.close();
  t.equal(sut.fds.openCount, 0, 'nothing left open');
});

t.test('early open off local disks: a cached descriptor at once, its check in `current`', async (t) => {
  const { file, sut } = await oneFile(t, 'e.txt', 'first', 'never');
  const miss = await sut.openFile('e.txt', undefined, { early: true });
  t.equal(miss.current, undefined, 'a cache miss is checked before it is handed out');
  miss.release();

  const same = await sut.openFile('e.txt', undefined, { early: true });
  t.equal(await same.current, undefined, 'unchanged: still current');
  t.equal(await readAll(same), 'first');
  same.release();

  await replaceByRename(file, 'second version');
  const stale = await sut.openFile('e.txt', undefined, { early: true });
  t.equal(stale.size, 5, 'handed out with the cached size');
  const fresh = await stale.current;
  t.ok(fresh, 'replaced: the check names the current file');
  stale.release();
  t.equal(fresh!.size, 14);
  t.equal(await readAll(fresh!), 'second version');
  fresh!.release();
  t.equal(sut.fds.openCount, 1, 'the replaced file was closed');

  await fs.unlink(file);
  const doomed = await sut.openFile('e.txt', undefined, { early: true }); // still in the cache
  await expectCode(t, () => doomed.current!, 'NOT_FOUND', 'deleted: the check rejects');
  doomed.release();
  t.equal(sut.fds.openCount, 0, 'nothing left open');
});

t.test('early open on a local disk: a hit is checked inline, so it comes back already checked', async (t) => {
  const { file, sut } = await oneFile(t, 'i.txt', 'first', 'always');
  (await sut.openFile('i.txt', undefined, { early: true })).release();
  const hit = await sut.openFile('i.txt', undefined, { early: true });
  t.equal(hit.current, undefined, 'no check left to await');
  t.equal(await readAll(hit), 'first');
  hit.release();

  await replaceByRename(file, 'second version');
  const fresh = await sut.openFile('i.txt', undefined, { early: true });
  t.equal(fresh.current, undefined);
  t.equal(fresh.size, 14, 'replaced: the current file, never the cached one');
  t.equal(await readAll(fresh), 'second version');
  fresh.release();
  t.equal(sut.fds.openCount, 1, 'the replaced descriptor was closed');

  await fs.unlink(file);
  await fs.mkdir(file);
  await expectCode(t, () => sut.openFile('i.txt', undefined, { early: true }), 'IS_DIR', 'now a directory');
  await fs.rmdir(file);
  await expectCode(t, () => sut.openFile('i.txt', undefined, { early: true }), 'NOT_FOUND', 'deleted');
  t.equal(sut.fds.openCount, 0, 'nothing left open');
});

t.test('inline checks by default only where the file lives on a local disk filesystem', async (t) => {
  const table: Array<[string, number, boolean]> = [
    ['ext4', 0xef53, true], ['xfs', 0x58465342, true], ['btrfs', 0x9123683e, true], ['zfs', 0x2fc12fc1, true],
    ['tmpfs', 0x01021994, true], ['overlayfs', 0x794c7630, true], ['exfat', 0x2011bab0, true],
    ['nfs', 0x6969, false], ['cifs', 0xff534d42, false], ['smb2', 0xfe534d42, false],
    ['fuse (sshfs, rclone, ntfs-3g)', 0x65735546, false], ['9p', 0x01021997, false], ['ceph', 0x00c36400, false],
  ];
  for (const [name, type, local] of table) t.equal(isLocalDiskFs(type), local, name);

  const { root, sut } = await oneFile(t, 'a.txt', 'a');
  (await sut.openFile('a.txt', undefined, { early: true })).release();
  const hit = await sut.openFile('a.txt', undefined, { early: true });
  const type = await fsTypeOf(root);
  t.ok(type !== undefined, 'statfs names the test directory\'s filesystem');
  t.equal(hit.current === undefined, isLocalDiskFs(type!), `auto: checked inline exactly when 0x${type!.toString(16)} is a local disk`);
  await hit.current;
  hit.release();
});
