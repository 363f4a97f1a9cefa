/**
 * The index write generation (daemon/index/write-generation.ts) over a real LMDB index:
 * it moves after every write transaction (every repo write but the Catalogizer's
 * asynchronous hash records) and stays put while only reads happen. Caches rely on that.
 */
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openIndexStore } from '../../daemon/index/lmdb-store.js';
import { withWriteGeneration } from '../../daemon/index/write-generation.js';

async function setup(t: { teardown(fn: () => unknown): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-gen-'));
  const sut = withWriteGeneration(await openIndexStore({ path: join(dir, 'index') }));
  t.teardown(async () => { await sut.close(); await rm(dir, { recursive: true, force: true }); });
  return sut;
}

const tick = () => new Promise((r) => setImmediate(r));

t.test('reads leave the generation alone; every write moves it', async (t) => {
  const sut = await setup(t);
  await tick();
  const g0 = sut.writeGeneration();
  sut.kv.get('nothing');
  sut.users.list();
  sut.tags.list();
  await tick();
  t.equal(sut.writeGeneration(), g0, 'reads only');

  await sut.kv.put('k', { a: 1 });
  const g1 = sut.writeGeneration();
  t.ok(g1 > g0, 'a writeTxn write moves it by the time the write resolves');
  t.same(sut.kv.get('k'), { a: 1 });
  await tick();
  const g2 = sut.writeGeneration();
  t.ok(g2 >= g1, 'never goes back');

  // An asynchronous lmdb-js put (outside writeTxn), as catalog.repo does for hashes: by
  // design it does not move the generation (nothing cached reads those records).
  await sut.dbs.meta.put('write-generation-test', 1);
  await tick();
  t.equal(sut.writeGeneration(), g2, 'catalog-style asynchronous puts leave it alone');
  await sut.tags.add([], 'x').catch(() => undefined);
  t.ok(sut.writeGeneration() > g2, 'a tag write moves it');
  await tick();
  const g3 = sut.writeGeneration();
  sut.kv.get('k');
  await tick();
  t.equal(sut.writeGeneration(), g3, 'quiet again');

  await sut.kv.remove('k');
  t.ok(sut.writeGeneration() > g3, 'removals too');
});

t.test('path resolution remembers libraries only until the next index write', async (t) => {
  const { VirtualPathService } = await import('../../daemon/services/browse/virtual-path.service.js');
  const sut = await setup(t);
  const paths = new VirtualPathService(sut);
  const lib = await sut.libraries.create({ name: 'Films', type: 'movie', locations: [{ rootId: 1, path: 'a' }] });
  const libraryOf = (path: string): { id: number; locations: Array<{ online: boolean }> } => {
    const r = paths.resolve(path);
    if (r.kind !== 'library') throw new Error(`${path}: resolved to ${r.kind}`);
    return r.library;
  };
  const first = libraryOf('Films');
  t.equal(first.id, lib.id);
  t.equal(libraryOf('Films'), first, 'answered from the memo while nothing was written');
  t.throws(() => paths.resolve('Shows'), { code: 'NOT_FOUND', message: 'File not found' }, 'an unknown name');

  await sut.libraries.update(lib.id, { name: 'Movies' });
  t.throws(() => paths.resolve('Films'), { code: 'NOT_FOUND', message: 'File not found' }, 'renamed: the old name is gone at once');
  t.equal(libraryOf('Movies').id, lib.id, 'and the new one resolves');

  await sut.libraries.create({ name: 'Shows', type: 'tv', locations: [{ rootId: 1, path: 'b' }] });
  t.equal(paths.resolve('Shows').kind, 'library', 'a name remembered as missing resolves once created');

  await sut.libraries.updateLocation(lib.id, lib.locations[0]!.id, { online: false });
  t.equal(libraryOf('Movies').locations[0]!.online, false, 'a location gone offline shows at once');

  await sut.libraries.remove(lib.id);
  t.throws(() => paths.resolve('Movies'), { code: 'NOT_FOUND', message: 'File not found' }, 'removed');
});
