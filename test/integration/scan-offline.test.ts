/**
 * Offline locations keep their items; an unreadable directory keeps its items; the scan
 * goes on. Memory adapter (fault injection) plus a real local folder that disappears.
 */
import t from 'tap';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryAdapter } from '../../storage-adapters/memory/memory.adapter.js';
import { LocalAdapter } from '../../storage-adapters/local/local.adapter.js';
import { StorageError, type StorageAdapter } from '../../storage-adapters/types.js';
import { makeScanEnv, eventsOf } from './scan-harness.js';

function seeded(): MemoryAdapter {
  const sut = new MemoryAdapter();
  const t0 = Date.now() - 60_000;
  sut.seed('A/one.mp4', 'one', t0);
  sut.seed('A/two.jpg', 'two', t0);
  sut.seed('B/deep/three.flac', 'three', t0);
  sut.seed('B/four.mkv', 'four', t0);
  sut.seed('top.mp3', 'top', t0);
  return sut;
}

/** The memory adapter, with list() of chosen directories failing with PERMISSION. */
function withListFault(inner: MemoryAdapter, failing: Set<string>): StorageAdapter {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'list') {
        return async (path: string, signal?: AbortSignal) => {
          if (failing.has(path)) throw new StorageError('PERMISSION', `list ${path}: permission denied`);
          return target.list(path, signal);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

t.test('memory location offline: items kept and flagged, then back online without duplicates', async (t) => {
  const mem = seeded();
  const env = await makeScanEnv(t, { adapter: mem });
  const first = await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  t.equal(first.added, 8, '3 dirs and 5 files');
  const before = env.tree();

  mem.setOffline(true);
  const off = await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'schedule' });
  t.equal(off.status, 'done');
  t.equal(off.offlineLocations, 1);
  t.equal(off.removed, 0, 'nothing removed');
  const during = env.tree();
  t.equal(during.size, before.size, 'items kept');
  t.ok([...during.values()].every((i) => i.offline), 'every item flagged offline');
  t.equal(env.store.items.get(env.library.locations[0].rootItemId)?.offline, true, 'location root flagged');
  const loc = env.lib().locations[0];
  t.equal(loc.online, false, 'location marked offline');
  t.match(loc.lastError, /offline/i, 'last error recorded');
  t.equal(eventsOf(env.seen, 'library.offline').length, 1, 'library.offline emitted');

  await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'schedule' });
  t.equal(eventsOf(env.seen, 'library.offline').length, 1, 'no repeated offline event while still offline');

  mem.setOffline(false);
  mem.seed('A/new.mp4', 'new');
  const on = await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'schedule' });
  t.equal(on.offlineLocations, 0);
  t.equal(on.added, 1, 'only the new file is added');
  t.equal(on.removed, 0);
  const after = env.tree();
  t.equal(after.size, before.size + 1, 'no duplicates');
  for (const [path, item] of before) t.equal(after.get(path)?.id, item.id, `${path} keeps its id`);
  t.ok([...after.values()].every((i) => !i.offline), 'every item online again');
  t.equal(env.lib().locations[0].online, true);
  t.equal(env.lib().locations[0].lastError, undefined, 'error cleared');
  t.equal(eventsOf(env.seen, 'library.online').length, 1, 'library.online emitted');
});

t.test('local location whose folder disappears goes offline and comes back', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'alcove-scan-off-'));
  t.teardown(() => rm(base, { recursive: true, force: true }));
  await mkdir(join(base, 'media/sub'), { recursive: true });
  await writeFile(join(base, 'media/sub/a.mp4'), 'a');
  await writeFile(join(base, 'media/b.jpg'), 'b');
  const env = await makeScanEnv(t, { adapter: new LocalAdapter(base), url: `file://${base}`, locationPath: 'media' });
  await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  const before = env.tree();
  t.same([...before.keys()].sort(), ['b.jpg', 'sub', 'sub/a.mp4'], 'relPaths are relative to the location');

  await rename(join(base, 'media'), join(base, 'media-away'));
  const off = await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  t.equal(off.offlineLocations, 1);
  t.equal(env.tree().size, 3, 'items kept');
  t.ok([...env.tree().values()].every((i) => i.offline), 'flagged offline');
  t.equal(env.lib().locations[0].online, false);

  await rename(join(base, 'media-away'), join(base, 'media'));
  const on = await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  t.equal(on.added + on.removed, 0, 'nothing added or removed');
  t.same([...env.tree().entries()].map(([p, i]) => [p, i.id, i.offline]).sort(),
    [...before.entries()].map(([p, i]) => [p, i.id, false]).sort(), 'same items, online');
  t.equal(env.lib().locations[0].online, true);
});

t.test('a directory that cannot be listed keeps its items and the scan goes on', async (t) => {
  const mem = seeded();
  const failing = new Set<string>();
  const env = await makeScanEnv(t, { adapter: withListFault(mem, failing) });
  await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  const before = env.tree();

  failing.add('B');
  mem.seed('A/added.mp4', 'added');
  await mem.delete('B/four.mkv');
  const rec = await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  t.equal(rec.status, 'done', 'scan completes');
  t.equal(rec.errors, 1, 'the failure is counted');
  t.equal(rec.added, 1, 'changes elsewhere are applied');
  t.equal(rec.removed, 0, 'nothing under the unreadable directory is removed');
  const during = env.tree();
  for (const p of ['B', 'B/deep', 'B/deep/three.flac', 'B/four.mkv']) t.equal(during.get(p)?.id, before.get(p)?.id, `${p} kept`);
  t.ok(during.get('A/added.mp4'));

  failing.clear();
  const healed = await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  t.equal(healed.errors, 0);
  t.equal(healed.removed, 1, 'once readable, the deleted file is removed');
  t.notOk(env.tree().get('B/four.mkv'));
});

t.test('closeInterrupted closes scans left running by a crash', async (t) => {
  const env = await makeScanEnv(t, { adapter: seeded() });
  await env.store.scans.start({
    libraryId: env.library.id, kind: 'full', trigger: 'startup', startedAt: Date.now(), status: 'running',
    added: 0, changed: 0, removed: 0, unchanged: 0, offlineLocations: 0, errors: 0,
  });
  t.equal(await env.sut.closeInterrupted(), 1);
  t.match(env.store.scans.list(env.library.id)[0], { status: 'failed', error: 'interrupted' });
});
