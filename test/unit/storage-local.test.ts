import t, { type Test } from 'tap';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalAdapter } from '../../storage-adapters/local/local.adapter.js';
import { mapFsError } from '../../storage-adapters/local/fs-errors.js';
import { StorageError } from '../../storage-adapters/types.js';
import { eventually, expectCode, readAll, sleep, writeAll } from '../../storage-adapters/contract/helpers.js';

async function tempTree(t: Test): Promise<{ base: string; root: string; outside: string }> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'alcove-local-unit-'));
  t.teardown(() => fs.rm(base, { recursive: true, force: true }));
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  await fs.mkdir(path.join(root, 'inside'), { recursive: true });
  await fs.mkdir(outside);
  await fs.writeFile(path.join(outside, 'secret.txt'), 'secret');
  await fs.writeFile(path.join(root, 'inside', 'film.mkv'), 'film');
  return { base, root, outside };
}

t.test('symlinks leading outside the root are refused, inside ones followed', async (t) => {
  const { root, outside } = await tempTree(t);
  await fs.symlink(outside, path.join(root, 'out-dir'));
  await fs.symlink(path.join(outside, 'secret.txt'), path.join(root, 'out-file'));
  await fs.symlink('../../outside', path.join(root, 'inside', 'rel-out'));
  await fs.symlink('inside', path.join(root, 'in-link'));
  await fs.symlink(path.join(root, 'nowhere'), path.join(root, 'dangling'));
  const sut = new LocalAdapter(root);
  t.teardown(() => sut.close());

  await expectCode(t, () => sut.stat('out-dir'), 'ESCAPE', 'stat of an escaping dir link');
  await expectCode(t, () => sut.stat('out-dir/secret.txt'), 'ESCAPE', 'stat through an escaping link');
  await expectCode(t, () => sut.stat('inside/rel-out/secret.txt'), 'ESCAPE', 'relative escaping link');
  await expectCode(t, () => readAll(sut, 'out-file'), 'ESCAPE', 'read of an escaping file link');
  await expectCode(t, () => sut.list('out-dir'), 'ESCAPE', 'list of an escaping link');
  await expectCode(t, () => writeAll(sut, 'out-dir/new.txt', 'x'), 'ESCAPE', 'write through an escaping link');
  await expectCode(t, () => sut.mkdir('out-dir/a/b', { recursive: true }), 'ESCAPE', 'mkdir through an escaping link');
  await expectCode(t, () => sut.setMtime('out-file', 0), 'ESCAPE', 'setMtime through an escaping link');

  const names = (await sut.list('')).map((e) => `${e.name}:${e.type}`).sort();
  t.same(names, ['in-link:dir', 'inside:dir'], 'list omits escaping and dangling links, follows inside ones');
  t.same((await sut.list('in-link')).map((e) => e.name).sort(), ['film.mkv'], 'inside dir link is listed through');
  t.equal((await readAll(sut, 'in-link/film.mkv')).toString(), 'film', 'read through an inside link');

  // Replacing or removing an escaping link acts on the link, never on its target.
  await writeAll(sut, 'out-file', 'replaced', { overwrite: true });
  t.equal(await fs.readFile(path.join(outside, 'secret.txt'), 'utf8'), 'secret', 'overwrite replaced the link, not the target');
  t.equal((await readAll(sut, 'out-file')).toString(), 'replaced', 'now a plain file inside');
  await sut.delete('out-dir');
  t.equal(await fs.readFile(path.join(outside, 'secret.txt'), 'utf8'), 'secret', 'delete removed the link only');
  await expectCode(t, () => sut.stat('out-dir'), 'NOT_FOUND', 'link gone');
});

t.test('a root that is itself a symlink works', async (t) => {
  const { base, root } = await tempTree(t);
  const linkRoot = path.join(base, 'root-link');
  await fs.symlink(root, linkRoot);
  const sut = new LocalAdapter(linkRoot);
  t.same((await sut.list('inside')).map((e) => e.path), ['inside/film.mkv'], 'list through a symlinked root');
  t.equal(sut.localPath('inside/film.mkv'), path.join(linkRoot, 'inside', 'film.mkv'), 'localPath is under the configured root');
  t.throws(() => sut.localPath('../x'), { name: 'StorageError', code: 'ESCAPE' }, 'localPath refuses traversal');
});

t.test('errno mapping and messages with relative paths only', async (t) => {
  const table: Array<[string, string]> = [
    ['ENOENT', 'NOT_FOUND'], ['ENOTDIR', 'NOT_DIR'], ['EISDIR', 'IS_DIR'], ['EEXIST', 'EXISTS'],
    ['EACCES', 'PERMISSION'], ['EPERM', 'PERMISSION'], ['EIO', 'IO'], ['ENOSPC', 'IO'], ['ENOTEMPTY', 'IO'],
  ];
  for (const [errno, code] of table) {
    const sysErr = Object.assign(new Error(`${errno}: failed, open '/very/secret/abs/a/b.txt'`), { code: errno });
    const mapped = mapFsError(sysErr, 'read', 'a/b.txt') as StorageError;
    t.equal(mapped.code, code, `${errno} -> ${code}`);
    t.match(mapped.message, /^read a\/b\.txt: /, `${errno} message names the relative path`);
    t.notMatch(mapped.message, /very\/secret/, `${errno} message has no absolute path`);
  }
  const { root } = await tempTree(t);
  const sut = new LocalAdapter(root);
  await expectCode(t, () => sut.stat('inside/film.mkv/x'), 'NOT_DIR', 'a file used as a directory');
  await expectCode(t, () => sut.list('inside/film.mkv'), 'NOT_DIR', 'list of a file');
  await expectCode(t, () => sut.delete('inside'), 'IO', 'delete of a non-empty dir');
  await expectCode(t, () => sut.delete(''), 'PERMISSION', 'the root cannot be deleted');
  const stream = await sut.createReadStream('inside/film.mkv');
  const failed = new Promise<Error>((resolve) => stream.once('error', resolve));
  stream.destroy(Object.assign(new Error("EIO: i/o error, read '/abs/secret/root/inside/film.mkv'"), { code: 'EIO' }));
  const midStream = (await failed) as StorageError;
  t.same({ name: midStream.name, code: midStream.code }, { name: 'StorageError', code: 'IO' }, 'mid-stream read errors become StorageErrors');
  t.notMatch(midStream.message, /abs\/secret/, 'without the absolute path');
  try {
    await sut.stat('inside/missing.txt');
  } catch (err) {
    t.equal((err as Error).message, 'stat inside/missing.txt: not found', 'message is relative');
    t.notMatch((err as Error).message, root, 'message does not contain the root');
  }
});

t.test('ping: missing root and file root are OFFLINE with a clear message', async (t) => {
  const { base, root } = await tempTree(t);
  await new LocalAdapter(root).ping();
  const missing = new LocalAdapter(path.join(base, 'unplugged'));
  await expectCode(t, () => missing.ping(), 'OFFLINE', 'missing root');
  await missing.ping().catch((err: Error) => t.match(err.message, /unplugged.*does not exist/, err.message));
  await expectCode(t, () => missing.list(''), 'OFFLINE', 'operations on a missing root');
  await fs.writeFile(path.join(base, 'plain'), 'x');
  const fileRoot = new LocalAdapter(path.join(base, 'plain'));
  await expectCode(t, () => fileRoot.ping(), 'OFFLINE', 'root is a file');
  t.throws(() => new LocalAdapter('relative/dir'), { name: 'StorageError' }, 'relative root refused');
});

t.test('in-progress temporary files are hidden from list', async (t) => {
  const { root } = await tempTree(t);
  const sut = new LocalAdapter(root);
  const ws = await sut.createWriteStream('inside/new.mkv');
  await new Promise<void>((r) => ws.write('partial', () => r()));
  const onDisk = await fs.readdir(path.join(root, 'inside'));
  t.ok(onDisk.some((n) => n.startsWith('.new.mkv.alcove-tmp-')), `temp file exists on disk (${onDisk.join(', ')})`);
  t.same((await sut.list('inside')).map((e) => e.name), ['film.mkv'], 'but not in list()');
  ws.end();
  await new Promise((r) => ws.once('finish', r));
  t.same((await sut.list('inside')).map((e) => e.name).sort(), ['film.mkv', 'new.mkv'], 'visible after finish');
  t.same((await fs.readdir(path.join(root, 'inside'))).sort(), ['film.mkv', 'new.mkv'], 'temp file gone after finish');
});

t.test('watch reports changed directories, including ones made after it started', async (t) => {
  const { root } = await tempTree(t);
  const sut = new LocalAdapter(root);
  t.teardown(() => sut.close());
  const seen: string[] = [];
  const errors: Error[] = [];
  const stop = sut.watch('', (dir) => seen.push(dir), (err) => errors.push(err));
  await sleep(100);
  await fs.writeFile(path.join(root, 'top.txt'), 'x');
  t.ok(await eventually(() => seen.includes(''), 2000), 'root change reported as ""');
  await fs.writeFile(path.join(root, 'inside', 'b.txt'), 'x');
  t.ok(await eventually(() => seen.includes('inside'), 2000), 'subdirectory change reported');
  await fs.mkdir(path.join(root, 'inside', 'new', 'deep'), { recursive: true });
  await sleep(150);
  await fs.writeFile(path.join(root, 'inside', 'new', 'deep', 'c.txt'), 'x');
  t.ok(await eventually(() => seen.includes('inside/new/deep'), 2000), `new nested directory watched (${[...new Set(seen)].join(', ')})`);
  await fs.rename(path.join(root, 'inside', 'new'), path.join(root, 'moved'));
  await sleep(150);
  seen.length = 0;
  await fs.writeFile(path.join(root, 'moved', 'deep', 'd.txt'), 'x');
  t.ok(await eventually(() => seen.includes('moved/deep'), 2000), 'a moved-in directory is watched under its new name');
  const sub = sut.watch('moved', (dir) => seen.push(`sub:${dir}`));
  await sleep(100);
  await fs.writeFile(path.join(root, 'moved', 'e.txt'), 'x');
  t.ok(await eventually(() => seen.includes('sub:moved'), 2000), 'watching a subdirectory reports root-relative paths');
  sub();
  stop();
  seen.length = 0;
  await fs.writeFile(path.join(root, 'after.txt'), 'x');
  await sleep(200);
  t.same(seen, [], 'nothing after stop');
  t.same(errors, [], 'no watch errors');
});
