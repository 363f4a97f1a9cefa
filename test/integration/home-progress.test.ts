/**
 * Home surface per-user data over a real LMDB index: the write-behind progress buffer
 * (read-your-writes, one transaction per flush, flush on stop, watched threshold and resume
 * point), the recency index behind continue watching, watchlist, invites (atomic consume),
 * and cleanup in the same transaction when an item or a user is removed (verify agrees).
 */
import t, { type Test } from 'tap';
import type { Item } from '../../daemon/domain/types.js';
import { verifyIndexConsistency } from '../../daemon/index/verify.js';
import { ItemTree } from '../../daemon/services/home/item-tree.js';
import { ProgressService } from '../../daemon/services/home/progress.service.js';
import { AccessService } from '../../daemon/services/access/access.service.js';
import { ratingRank } from '../../daemon/services/access/content-rating.js';
import { fileUpsert, makeLibrary, tempStore } from './fixtures/index-tree.js';

const DURATION = 100_000;

async function setup(t: Test) {
  let now = 1_700_000_000_000;
  const clock = { now: () => now };
  const { store, cleanup } = await tempStore(clock);
  const { lib } = await makeLibrary(store, 'Movies');
  const r = await store.items.applyBatch({ upserts: [fileUpsert(lib, 'a.mkv'), fileUpsert(lib, 'b.mkv'), fileUpsert(lib, 'c.mkv')] });
  const [a, b, c] = ['a.mkv', 'b.mkv', 'c.mkv'].map((n) => r.added.find((i) => i.relPath === n) as Item);
  const u1 = await store.users.create({ username: 'one', passwordHash: 'x', role: 'user', locked: false });
  const u2 = await store.users.create({ username: 'two', passwordHash: 'x', role: 'user', locked: false });
  const sut = new ProgressService(store, () => DURATION, { flushIntervalMs: 20, clock });
  t.teardown(async () => { await sut.stop(); await cleanup(); });
  return { store, lib, a, b, c, u1: u1.id, u2: u2.id, sut, tick: (ms: number) => { now += ms; } };
}

t.test('write-behind: buffered reports are readable at once and written in one flush', async (t) => {
  const { store, a, b, u1, u2, sut, tick } = await setup(t);
  t.match(sut.report(u1, a, 10_000), { viewOffset: 10_000, duration: DURATION, watched: false, viewCount: 0 });
  tick(5); sut.report(u1, a, 12_000);
  tick(5); sut.report(u1, b, 5_000);
  tick(5); sut.report(u2, a, 50_000);
  t.equal(store.progress.count(), 0, 'nothing written yet');
  t.equal(sut.get(u1, a.id)?.offsetMs, 12_000, 'read your writes');
  t.equal(sut.pendingCount, 3, 'repeated reports of one key coalesce');
  t.equal(await sut.flush(), 3);
  t.equal(sut.stats.flushes, 1);
  t.equal(store.progress.get(u1, a.id)?.offsetMs, 12_000);
  t.equal(store.progress.get(u2, a.id)?.offsetMs, 50_000, 'per user');
  t.same([...store.progress.recent(u1)].map((p) => p.itemId), [b.id, a.id], 'most recent first');
  tick(5); sut.report(u1, a, 13_000);
  await sut.flush();
  t.same([...store.progress.recent(u1)].map((p) => p.itemId), [a.id, b.id], 'recency index moves with updates');
  sut.start();
  sut.report(u1, b, 6_000);
  await new Promise((r) => setTimeout(r, 100));
  t.equal(store.progress.get(u1, b.id)?.offsetMs, 6_000, 'the timer flushes');
  sut.report(u2, b, 7_000);
  await sut.stop();
  t.equal(store.progress.get(u2, b.id)?.offsetMs, 7_000, 'stop flushes what is left');
  t.same(verifyIndexConsistency(store), []);
});

t.test('watched threshold, resume point, mark watched / unwatched', async (t) => {
  const { store, a, u1, sut } = await setup(t);
  t.match(sut.report(u1, a, DURATION * 0.89), { watched: false, viewOffset: DURATION * 0.89 });
  t.match(sut.report(u1, a, DURATION * 0.9), { watched: true, viewOffset: 0, viewCount: 1 });
  t.match(sut.report(u1, a, DURATION * 0.95), { viewCount: 1 }, 'a repeated final report is not a second view');
  t.match(sut.report(u1, a, 20_000), { watched: true, viewOffset: 20_000, viewCount: 1 }, 'rewatching keeps watched, records a resume point');
  t.match(sut.report(u1, a, DURATION), { viewCount: 2, viewOffset: 0 });
  t.match(sut.report(u1, a, 1_000, 1_000), { watched: true, duration: 1_000 }, 'client duration wins');
  await sut.markUnwatched(u1, [a]);
  t.equal(sut.get(u1, a.id), undefined, 'unwatched drops the buffered report too');
  await sut.flush();
  t.equal(store.progress.get(u1, a.id), undefined);
  t.equal(await sut.markWatched(u1, [a]), 1);
  t.match(store.progress.get(u1, a.id), { watched: true, viewCount: 1, offsetMs: 0 });
  t.equal(await sut.markWatched(u1, [a]), 1);
  t.equal(store.progress.get(u1, a.id)?.viewCount, 1, 'marking twice counts once');
});

t.test('progress and watchlist go with their item and their user, in the same transaction', async (t) => {
  const { store, a, b, c, u1, u2, sut } = await setup(t);
  sut.report(u1, a, 1); sut.report(u1, b, 1); sut.report(u2, a, 1);
  await sut.flush();
  await store.watchlist.add(u1, a.id); await store.watchlist.add(u2, a.id); await store.watchlist.add(u1, c.id);
  t.same(store.watchlist.list(u1).map((e) => e.itemId).sort(), [a.id, c.id].sort());
  t.equal(await store.watchlist.add(u1, a.id), false, 'already listed');
  await t.rejects(store.watchlist.add(u1, 999_999), { code: 'NOT_FOUND' });
  await store.items.applyBatch({ removeIds: [a.id] });
  t.equal(store.progress.get(u1, a.id), undefined);
  t.equal(store.progress.get(u2, a.id), undefined);
  t.equal(store.watchlist.has(u2, a.id), false);
  t.same(verifyIndexConsistency(store), []);
  await store.users.remove(u1);
  t.equal(store.progress.count(u1), 0);
  t.equal(store.watchlist.count(u1), 0);
  t.equal(store.progress.count(), 0);
  t.same(verifyIndexConsistency(store), []);
  // A report buffered for a user removed before the flush is dropped, not written.
  sut.report(u2, b, 5);
  await store.users.remove(u2);
  t.equal(await sut.flush(), 0);
  t.same(verifyIndexConsistency(store), []);
});

t.test('invites: one transaction takes each use; refusals are typed', async (t) => {
  const { store } = await setup(t);
  const inv = await store.invites.create({ id: '0123456789abcdef', tokenHash: 'h1', createdBy: 1, createdAt: 1, maxUses: 2, uses: 0, role: 'user', usedBy: [], expiresAt: 10_000 });
  t.equal(store.invites.getByTokenHash('h1')?.id, inv.id);
  const results = await Promise.allSettled([1, 2, 3].map((u) => store.invites.consume(inv.id, u, 5_000)));
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 2, 'never more uses than allowed');
  t.match(results.find((r) => r.status === 'rejected'), { reason: { publicCode: 'INVITE_USED_UP' } });
  const other = await store.invites.create({ id: 'fedcba9876543210', tokenHash: 'h2', createdBy: 1, createdAt: 2, maxUses: 0, uses: 0, role: 'user', usedBy: [], expiresAt: 10_000 });
  await t.rejects(store.invites.consume(other.id, 1, 10_000), { message: 'This invite has expired' });
  await store.invites.revoke(other.id, 3);
  await t.rejects(store.invites.consume(other.id, 1, 5), { message: 'This invite was revoked' });
  t.same(store.invites.list().map((i) => i.id), [other.id, inv.id], 'newest first');
  t.ok(await store.invites.remove(inv.id));
  t.equal(store.invites.getByTokenHash('h1'), undefined);
  t.same(verifyIndexConsistency(store), []);
});

t.test('access: content rating ladder and inherited restrictions', async (t) => {
  const table: [string, number | undefined][] = [['G', 0], ['PG', 1], ['pg-13', 2], ['Rated R', 3], ['US:TV-MA', 3], ['NC-17', 4], ['FSK 12', 2], ['de/16', 3], ['18', 4], ['6', 0], ['unknown', undefined]];
  for (const [raw, rank] of table) t.equal(ratingRank(raw), rank, raw);
  const { store, lib, a, b } = await setup(t);
  const movie = await store.items.createVirtual({ kind: 'movie', libraryId: lib.id, locationId: 0, parentId: 0, name: 'M', relPath: '', mediaType: 'video', size: 0, mtimeMs: 0, offline: false, meta: { contentRating: 'R', fileIds: [a.id] } });
  await store.items.updateMeta(a.id, { virtualId: movie.id });
  await store.items.updateMeta(b.id, { labels: ['Scary'] });
  const sut = new AccessService(store);
  const scope = sut.scopeFor(5, false, { maxContentRating: 'PG-13', excludedLabels: ['scary'] });
  t.equal(scope.allows(store.items.get(movie.id)!), false);
  t.equal(scope.allows(store.items.get(a.id)!), false, 'a file inherits its movie rating');
  t.equal(scope.allows(store.items.get(b.id)!), false, 'labels compare case-insensitively');
  t.equal(sut.scopeFor(5, false, { maxContentRating: 'R' }).allows(store.items.get(a.id)!), true);
  t.equal(sut.scopeFor(5, false, { libraryIds: [lib.id + 1] }).allows(store.items.get(b.id)!), false);
  t.equal(sut.scopeFor(5, true, { libraryIds: [lib.id + 1], maxContentRating: 'G' }).allows(store.items.get(a.id)!), true, 'admins pass');
  const tree = new ItemTree(store);
  t.equal(tree.canonical(store.items.get(a.id)!).id, movie.id);
  t.same(tree.leaves(store.items.get(movie.id)!).map((i) => i.id), [movie.id]);
});
