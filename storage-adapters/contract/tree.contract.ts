/**
 * Contract: listing, stat, mkdir, rename, delete, path traversal and ping.
 */
import { mapLimit } from '../map-limit.js';
import type { StorageEntry } from '../types.js';
import { type ContractTest, type ContractFixture, expectCode, readAll, writeAll } from './helpers.js';

/** Names that break naive URL/path handling. NFC, as most servers store them. */
export const TRICKY_NAMES = [
  'a b.txt', 'Ünïcødé ñ.txt', 'emoji 🎬🍿.mkv', '日本語.srt', "quote's & (1).mp4", 'percent%20.txt', '#hash;semi.txt', 'plus+sign.txt',
];

export async function listAndStat(t: ContractTest, fx: ContractFixture, withMtime: boolean): Promise<void> {
  const { adapter } = fx;
  const mtime = Math.floor(Date.now() / 1000) * 1000 - 3 * 86_400_000;
  const seededAt = Date.now();
  for (const [i, name] of TRICKY_NAMES.entries()) await fx.seed(`dir/${name}`, 'x'.repeat(i + 1), mtime);
  await fx.seed('dir/sub/inner.txt', 'inner', mtime);

  const entries = await adapter.list('dir');
  const byName = new Map(entries.map((e) => [e.name, e]));
  t.same([...byName.keys()].sort(), [...TRICKY_NAMES, 'sub'].sort(), 'list returns every name, exactly as written');
  for (const [i, name] of TRICKY_NAMES.entries()) {
    const e = byName.get(name) as StorageEntry;
    t.same({ type: e?.type, size: e?.size, path: e?.path }, { type: 'file', size: i + 1, path: `dir/${name}` }, `entry ${name}`);
    const want = withMtime ? mtime : seededAt;
    t.ok(Math.abs((e?.mtimeMs ?? 0) - want) <= 2000, `mtime of ${name} within 2 s (${e?.mtimeMs} vs ${want})`);
  }
  t.equal(byName.get('sub')?.type, 'dir', 'subdirectory typed dir');
  t.ok((await adapter.list('')).some((e) => e.name === 'dir' && e.type === 'dir' && e.path === 'dir'), 'root lists dir');
  t.same((await adapter.list('dir/sub/')).map((e) => e.path), ['dir/sub/inner.txt'], 'trailing slash tolerated');

  const f = await adapter.stat(`dir/${TRICKY_NAMES[2]}`);
  t.same({ name: f.name, path: f.path, type: f.type, size: f.size }, { name: TRICKY_NAMES[2], path: `dir/${TRICKY_NAMES[2]}`, type: 'file', size: 3 }, 'stat file');
  const d = await adapter.stat('dir/sub');
  t.same({ name: d.name, type: d.type }, { name: 'sub', type: 'dir' }, 'stat dir');
  t.equal((await adapter.stat('')).type, 'dir', 'stat root is a dir');
  t.same((await readAll(adapter, `dir/${TRICKY_NAMES[6]}`)).toString(), 'x'.repeat(7), 'read a tricky name');

  await expectCode(t, () => adapter.stat('dir/missing.txt'), 'NOT_FOUND', 'stat missing');
  await expectCode(t, () => adapter.stat('nodir/missing.txt'), 'NOT_FOUND', 'stat under a missing dir');
  await expectCode(t, () => adapter.list('nope'), 'NOT_FOUND', 'list missing');
  await expectCode(t, () => adapter.list('dir/a b.txt'), 'NOT_DIR', 'list a file');
}

export async function manyEntries(t: ContractTest, fx: ContractFixture, count: number): Promise<void> {
  const names = Array.from({ length: count }, (_, i) => `file ${String(i).padStart(5, '0')}.jpg`);
  await mapLimit(names, 16, (n) => fx.seed(`many/${n}`, n));
  const started = Date.now();
  const entries = await fx.adapter.list('many');
  const ms = Date.now() - started;
  t.equal(entries.length, count, `list returns all ${count} entries (${ms} ms)`);
  t.same(entries.map((e) => e.name).sort(), names, 'no entry missing or repeated');
  t.ok(entries.every((e) => e.type === 'file' && e.size === e.name.length), 'types and sizes right');
}

export async function mkdirRenameDelete(t: ContractTest, fx: ContractFixture): Promise<void> {
  const { adapter } = fx;
  await adapter.mkdir('m');
  t.equal((await adapter.stat('m')).type, 'dir', 'mkdir');
  await expectCode(t, () => adapter.mkdir('m'), 'EXISTS', 'mkdir existing');
  await adapter.mkdir('m', { recursive: true });
  t.equal((await adapter.stat('m')).type, 'dir', 'mkdir recursive on an existing dir succeeds');
  await expectCode(t, () => adapter.mkdir('x/y/z'), 'NOT_FOUND', 'mkdir without parent, not recursive');
  await adapter.mkdir('m/a/b/c', { recursive: true });
  t.equal((await adapter.stat('m/a/b/c')).type, 'dir', 'mkdir recursive');

  await fx.seed('r/one.txt', 'one');
  await fx.seed('r/two.txt', 'two');
  await adapter.rename('r/one.txt', 'r/uno.txt');
  t.equal((await readAll(adapter, 'r/uno.txt')).toString(), 'one', 'rename moves the bytes');
  await expectCode(t, () => adapter.stat('r/one.txt'), 'NOT_FOUND', 'old name gone');
  await expectCode(t, () => adapter.rename('r/uno.txt', 'r/two.txt'), 'EXISTS', 'rename onto existing without overwrite');
  t.equal((await readAll(adapter, 'r/two.txt')).toString(), 'two', 'target untouched');
  await adapter.rename('r/uno.txt', 'r/two.txt', { overwrite: true });
  t.equal((await readAll(adapter, 'r/two.txt')).toString(), 'one', 'rename with overwrite replaces');
  await expectCode(t, () => adapter.rename('r/missing', 'r/x'), 'NOT_FOUND', 'rename missing');
  await adapter.rename('r/two.txt', 'm/a/moved.txt');
  t.equal((await adapter.stat('m/a/moved.txt')).size, 3, 'rename into another dir');
  await adapter.rename('m/a/b', 'm/bb');
  t.equal((await adapter.stat('m/bb/c')).type, 'dir', 'rename a directory');

  await adapter.delete('m/a/moved.txt');
  await expectCode(t, () => adapter.stat('m/a/moved.txt'), 'NOT_FOUND', 'delete file');
  await expectCode(t, () => adapter.delete('m/a/moved.txt'), 'NOT_FOUND', 'delete missing');
  await adapter.delete('m/bb/c');
  await expectCode(t, () => adapter.stat('m/bb/c'), 'NOT_FOUND', 'delete empty dir');
  await writeAll(adapter, 'm/bb/f.txt', 'f');
  let refused = false;
  await adapter.delete('m/bb').catch(() => { refused = true; });
  t.ok(refused, 'delete of a non-empty dir without recursive is refused');
  t.equal((await adapter.stat('m/bb/f.txt')).size, 1, 'and its content is intact');
  await adapter.delete('m', { recursive: true });
  await expectCode(t, () => adapter.stat('m'), 'NOT_FOUND', 'recursive delete');
}

export const ESCAPES = ['../x', 'a/../../x', '..', '/etc/passwd', 'a\0b', '..\\x', 'a\\..\\..\\x'];

export async function traversal(t: ContractTest, fx: ContractFixture): Promise<void> {
  const { adapter } = fx;
  await fx.seed('ok.txt', 'ok');
  for (const bad of ESCAPES) {
    const label = JSON.stringify(bad);
    await expectCode(t, () => adapter.stat(bad), 'ESCAPE', `stat ${label}`);
    await expectCode(t, () => adapter.list(bad), 'ESCAPE', `list ${label}`);
    await expectCode(t, () => readAll(adapter, bad), 'ESCAPE', `read ${label}`);
    await expectCode(t, () => writeAll(adapter, bad, 'x', { overwrite: true }), 'ESCAPE', `write ${label}`);
    await expectCode(t, () => adapter.delete(bad), 'ESCAPE', `delete ${label}`);
    await expectCode(t, () => adapter.mkdir(bad, { recursive: true }), 'ESCAPE', `mkdir ${label}`);
    await expectCode(t, () => adapter.rename('ok.txt', bad), 'ESCAPE', `rename to ${label}`);
    await expectCode(t, () => adapter.rename(bad, 'x.txt'), 'ESCAPE', `rename from ${label}`);
  }
  t.equal((await readAll(adapter, 'ok.txt')).toString(), 'ok', 'nothing was moved');
}

export async function pingAndClose(t: ContractTest, fx: ContractFixture): Promise<void> {
  await fx.adapter.ping();
  t.ok(fx.adapter.displayUrl.length > 0 && !/:[^/@]*@/.test(fx.adapter.displayUrl), 'displayUrl has no credentials');
  t.ok(fx.adapter.scheme.length > 0, 'scheme set');
}
