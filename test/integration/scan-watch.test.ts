/**
 * WatchService: a real local watcher picks up a new file within seconds (items.added);
 * bursts of changes are debounced into one per-directory scan; stop() removes watchers.
 */
import t from 'tap';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalAdapter } from '../../storage-adapters/local/local.adapter.js';
import { MemoryAdapter } from '../../storage-adapters/memory/memory.adapter.js';
import { WatchService } from '../../daemon/scanner/watch.service.js';
import { silentLogger } from '../../daemon/log/logger.js';
import type { ServerEvent } from '../../daemon/domain/ports.js';
import { makeScanEnv, type ScanEnv } from './scan-harness.js';

function waitFor(env: ScanEnv, pred: (e: ServerEvent) => boolean, ms: number): Promise<ServerEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no matching event within ${ms} ms`)); }, ms);
    const off = env.events.on((e) => { if (pred(e)) { clearTimeout(timer); off(); resolve(e); } });
  });
}

async function writeVia(adapter: MemoryAdapter, path: string, body: string): Promise<void> {
  const ws = await adapter.createWriteStream(path);
  await new Promise<void>((resolve, reject) => { ws.on('error', reject); ws.end(body, () => resolve()); });
}

t.test('local watcher: a new file is indexed within a few seconds', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'alcove-scan-watch-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'Shows/S01'), { recursive: true });
  await writeFile(join(root, 'Shows/S01/e01.mkv'), 'e1');
  const adapter = new LocalAdapter(root);
  const env = await makeScanEnv(t, { adapter, url: `file://${root}` });
  await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'startup' });
  const sut = new WatchService({
    index: env.index, scanner: env.sut, getAdapter: env.getAdapter, events: env.events, logger: silentLogger(),
    options: { debounceMs: 300, periodic: false },
  });
  await sut.start();
  t.teardown(() => sut.stop());
  t.equal(sut.watcherCount, 1, 'one watcher for the one location');
  await new Promise((r) => setTimeout(r, 200)); // the inotify tree is added asynchronously

  const added = waitFor(env, (e) => e.type === 'items.added', 8000);
  const t0 = Date.now();
  await writeFile(join(root, 'Shows/S01/e02.mkv'), 'e2');
  const event = await added;
  const elapsed = Date.now() - t0;
  await env.sut.runningScan(env.library.id); // the record is finished after the last batch
  const item = env.tree().get('Shows/S01/e02.mkv');
  t.ok(item, 'new file indexed');
  t.same(event.type === 'items.added' ? event.ids : [], [item?.id], 'items.added names it');
  t.ok(elapsed < 8000, `picked up in ${elapsed} ms`);
  const scan = env.store.scans.list(env.library.id)[0];
  t.match(scan, { trigger: 'watch', kind: 'incremental', added: 1, removed: 0 });

  await sut.stop();
  t.equal(sut.watcherCount, 0, 'stop removes the watchers');
  const scans = env.store.scans.list(env.library.id).length;
  await writeFile(join(root, 'Shows/S01/e03.mkv'), 'e3');
  await new Promise((r) => setTimeout(r, 800));
  t.equal(env.store.scans.list(env.library.id).length, scans, 'no scan after stop');
});

t.test('bursts are debounced into one scan of the changed directories', async (t) => {
  const mem = new MemoryAdapter();
  mem.seed('a/x.mp4', 'x');
  mem.seed('b/y.mp4', 'y');
  mem.seed('c/z.mp4', 'z');
  const env = await makeScanEnv(t, { adapter: mem });
  await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'startup' });
  const sut = new WatchService({
    index: env.index, scanner: env.sut, getAdapter: env.getAdapter, events: env.events, logger: silentLogger(),
    options: { debounceMs: 150, periodic: false },
  });
  await sut.start();
  t.teardown(() => sut.stop());
  const done = waitFor(env, (e) => e.type === 'scan.finished' && e.scanId !== 1, 5000);
  await writeVia(mem, 'a/one.mp4', '1');
  await writeVia(mem, 'a/two.mp4', '22');
  await mem.mkdir('b/new');
  await writeVia(mem, 'b/new/three.jpg', '333');
  const finished = await done;
  t.match(finished, { type: 'scan.finished', added: 4, removed: 0 });
  await new Promise((r) => setTimeout(r, 400));
  const watchScans = env.store.scans.list(env.library.id).filter((s) => s.trigger === 'watch');
  t.equal(watchScans.length, 1, 'one scan for the burst');
  t.ok(env.tree().get('b/new/three.jpg'), 'file in a new folder indexed');
});

t.test('dirs scan touches only the named directories', async (t) => {
  const mem = new MemoryAdapter();
  mem.seed('a/x.mp4', 'x');
  mem.seed('b/y.mp4', 'y');
  const env = await makeScanEnv(t, { adapter: mem });
  await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'startup' });
  mem.seed('a/new.mp4', 'n');
  mem.seed('b/other.mp4', 'o');
  const rec = await env.sut.scanLibrary(env.library.id, { kind: 'incremental', trigger: 'watch', dirs: ['a'] });
  t.equal(rec.added, 1, 'only a/ was looked at');
  t.ok(env.tree().get('a/new.mp4'));
  t.notOk(env.tree().get('b/other.mp4'), 'b/ untouched until its own change');
  const fallback = await env.sut.scanLibrary(env.library.id, { kind: 'incremental', trigger: 'watch', dirs: ['b/not-indexed/deeper'] });
  t.equal(fallback.added, 1, 'an unknown path falls back to its nearest indexed ancestor');
  t.ok(env.tree().get('b/other.mp4'));
});
