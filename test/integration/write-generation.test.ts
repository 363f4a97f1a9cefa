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
