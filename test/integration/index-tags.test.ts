/**
 * Tags and favorites in the LMDB index: links both ways, counts in step, case-insensitive
 * names, and cleanup in the same transaction when items (applyBatch subtree removal,
 * library purge) or users go away. verifyIndexConsistency checks the new indexes.
 */
import t, { type Test } from 'tap';
import { writeTxn } from '../../daemon/index/env.js';
import { itemTagKey, tagItemKey } from '../../daemon/index/keys.js';
import { MAX_TAG_NAME } from '../../daemon/index/tag.repo.js';
import { verifyIndexConsistency } from '../../daemon/index/verify.js';
import { dirUpsert, fileUpsert, makeLibrary, tempStore } from './fixtures/index-tree.js';

async function setup(t: Test) {
  let now = 1_000;
  const { store, cleanup } = await tempStore({ now: () => now++ });
  t.teardown(cleanup);
  const { lib } = await makeLibrary(store, 'Photos');
  const r = await store.items.applyBatch({
    upserts: [dirUpsert(lib, 'trip'), fileUpsert(lib, 'trip/a.jpg'), fileUpsert(lib, 'trip/b.jpg'), fileUpsert(lib, 'c.mkv')],
  });
  const id = (rel: string) => (r.added.find((i) => i.relPath === rel) ?? { id: -1 }).id;
  return { store, lib, trip: id('trip'), a: id('trip/a.jpg'), b: id('trip/b.jpg'), c: id('c.mkv') };
}

t.test('tags: create on demand, case-insensitive reuse, counts and both directions', async (t) => {
  const { store, a, b, c } = await setup(t);
  const sut = store.tags;
  const first = await sut.add([a, b], '  Beach ');
  t.match(first, { added: 2, missing: [], tag: { name: 'Beach', key: 'beach', itemCount: 2 } });
  const again = await sut.add([a, c, 999_999], 'BEACH');
  t.equal(again.tag.id, first.tag.id, 'same tag for another case');
  t.equal(again.tag.name, 'Beach', 'first spelling kept for display');
  t.same(again.missing, [999_999]);
  t.equal(again.added, 1, 'duplicate link ignored');
  t.equal(sut.get(first.tag.id)?.itemCount, 3);
  await sut.add([a], 'sunset');
  t.same(sut.tagsOf(a).map((x) => x.name), ['Beach', 'sunset']);
  t.same(sut.itemIdsOf(first.tag.id), [a, b, c].sort((x, y) => x - y));
  t.same(sut.itemIdsOf(first.tag.id, a, 1), [b], 'paged by id');
  t.ok(sut.hasTag(c, first.tag.id));
  t.equal(sut.getByName('bEaCh')?.id, first.tag.id);
  t.equal(sut.count(), 2);
  t.same(sut.list().map((x) => x.name), ['Beach', 'sunset']);

  t.equal(await sut.remove([a, b], 'beach'), 2);
  t.equal(await sut.remove([a], 'nope'), 0, 'unknown tag: nothing');
  t.equal(sut.get(first.tag.id)?.itemCount, 1);
  t.notOk(sut.hasTag(a, first.tag.id));

  await t.rejects(sut.add([a], '   '), { code: 'VALIDATION' });
  await t.rejects(sut.add([a], 'x'.repeat(MAX_TAG_NAME + 1)), { code: 'VALIDATION' });
  t.resolves(sut.add([a], 'é'.repeat(MAX_TAG_NAME)), 'limit counts characters');

  const set = await sut.setTags(b, ['one', 'Two', 'two', 'sunset']);
  t.same(set.map((x) => x.name), ['one', 'sunset', 'Two']);
  t.equal(sut.getByName('sunset')?.itemCount, 2);
  await sut.setTags(b, ['one']);
  t.equal(sut.getByName('sunset')?.itemCount, 1);
  t.equal(sut.getByName('two')?.itemCount, 0, 'unused tags stay');
  await t.rejects(sut.setTags(424_242, ['x']), { code: 'NOT_FOUND' });
  t.same(verifyIndexConsistency(store), []);
});

t.test('tags: rename, recolor, conflicts, delete', async (t) => {
  const { store, a, b } = await setup(t);
  const sut = store.tags;
  const { tag } = await sut.add([a, b], 'holiday');
  await sut.add([a], 'work');
  const renamed = await sut.update(tag.id, { name: 'Holidays', color: '#ff0000' });
  t.match(renamed, { name: 'Holidays', key: 'holidays', color: '#ff0000', itemCount: 2 });
  t.equal(sut.getByName('holiday'), undefined);
  t.equal(sut.getByName('HOLIDAYS')?.id, tag.id);
  t.match(await sut.update(tag.id, { name: 'HOLIDAYS' }), { name: 'HOLIDAYS' }, 'case-only rename');
  await t.rejects(sut.update(tag.id, { name: 'Work' }), { code: 'CONFLICT' });
  await t.rejects(sut.update(tag.id, { color: 'not a color!' }), { code: 'VALIDATION' });
  t.equal((await sut.update(tag.id, { color: null })).color, undefined);
  await t.rejects(sut.update(999, { name: 'x' }), { code: 'NOT_FOUND' });
  t.equal(await sut.delete(tag.id), 2);
  t.equal(sut.get(tag.id), undefined);
  t.same(sut.tagsOf(a).map((x) => x.name), ['work']);
  await t.rejects(sut.delete(tag.id), { code: 'NOT_FOUND' });
  t.same(verifyIndexConsistency(store), []);
});

t.test('favorites: per user, newest first, both directions', async (t) => {
  const { store, a, b, c } = await setup(t);
  const u1 = await store.users.create({ username: 'one', passwordHash: 'x', role: 'user', locked: false });
  const u2 = await store.users.create({ username: 'two', passwordHash: 'x', role: 'user', locked: false });
  const sut = store.favorites;
  t.same(await sut.add(u1.id, [a]), { added: 1, missing: [] });
  t.same(await sut.add(u1.id, [b, a, 777_777]), { added: 1, missing: [777_777] });
  await sut.add(u2.id, [c]);
  t.same(sut.list(u1.id).map((f) => f.itemId), [b, a], 'newest first');
  t.ok(sut.has(u1.id, a));
  t.notOk(sut.has(u2.id, a), 'per user');
  t.equal(sut.count(u1.id), 2);
  t.equal(sut.count(), 3);
  t.equal(await sut.remove(u1.id, [a, c]), 1);
  t.same(sut.list(u1.id).map((f) => f.itemId), [b]);
  t.same(verifyIndexConsistency(store), []);

  await store.users.remove(u2.id);
  t.equal(sut.count(u2.id), 0, 'user removal takes their favorites');
  t.equal(sut.count(), 1);
  t.same(verifyIndexConsistency(store), []);
});

t.test('item removal (subtree, library purge) takes links and favorites in the same transaction', async (t) => {
  const { store, lib, trip, a, b, c } = await setup(t);
  const user = await store.users.create({ username: 'u', passwordHash: 'x', role: 'user', locked: false });
  const beach = (await store.tags.add([a, b, c, trip], 'beach')).tag;
  await store.favorites.add(user.id, [a, trip, c]);
  await store.items.applyBatch({ removeIds: [trip] });
  t.equal(store.tags.get(beach.id)?.itemCount, 1, 'count dropped for every removed item');
  t.same(store.tags.itemIdsOf(beach.id), [c]);
  t.same(store.tags.tagsOf(a), []);
  t.same(store.favorites.list(user.id).map((f) => f.itemId), [c]);
  t.same(verifyIndexConsistency(store), []);

  // A file replaced by a folder at the same path is a new item: old user data goes.
  await store.items.applyBatch({ upserts: [dirUpsert(lib, 'c.mkv')] });
  t.equal(store.tags.get(beach.id)?.itemCount, 0);
  t.equal(store.favorites.count(user.id), 0);
  t.same(verifyIndexConsistency(store), []);

  const other = await makeLibrary(store, 'Other');
  const r = await store.items.applyBatch({ upserts: [fileUpsert(other.lib, 'x.jpg')] });
  const x = r.added[0].id;
  await store.tags.add([x], 'beach');
  await store.favorites.add(user.id, [x]);
  await store.libraries.remove(other.lib.id);
  t.equal(store.tags.get(beach.id)?.itemCount, 0, 'purge unlinks');
  t.equal(store.favorites.count(), 0);
  t.same(verifyIndexConsistency(store), []);
});

t.test('verify reports damaged tag and favorite indexes', async (t) => {
  const { store, a, b } = await setup(t);
  const user = await store.users.create({ username: 'u', passwordHash: 'x', role: 'user', locked: false });
  const { tag } = await store.tags.add([a, b], 'beach');
  await store.favorites.add(user.id, [a]);
  writeTxn(store.dbs, () => {
    store.dbs.itemTags.remove(itemTagKey(a, tag.id));
    store.dbs.tagItems.put(tagItemKey(tag.id, 555_555), null);
    store.dbs.favoriteByItem.remove([a, user.id]);
  });
  const problems = verifyIndexConsistency(store).join('\n');
  t.match(problems, /missing reverse link/);
  t.match(problems, /missing item/);
  t.match(problems, /itemCount 2, actual links 3/);
  t.match(problems, /favorite-by-item: missing reverse/);
});

t.test('tags and favorites persist across reopen', async (t) => {
  const { openIndexStore } = await import('../../daemon/index/lmdb-store.js');
  const { store, a } = await setup(t);
  const user = await store.users.create({ username: 'u', passwordHash: 'x', role: 'user', locked: false });
  await store.tags.add([a], 'Keep');
  await store.favorites.add(user.id, [a]);
  const path = store.path;
  await store.close();
  const reopened = await openIndexStore({ path });
  t.teardown(() => reopened.close());
  t.equal(reopened.tags.getByName('keep')?.itemCount, 1);
  t.ok(reopened.favorites.has(user.id, a));
  t.same(verifyIndexConsistency(reopened), []);
});
