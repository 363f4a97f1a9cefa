/**
 * Libraries, roots, users, sessions, scans, kv, migrations and reopen persistence,
 * against a real LMDB in a temp dir.
 */
import t from 'tap';
import { open } from 'lmdb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Session } from '../../daemon/domain/types.js';
import { writeTxn } from '../../daemon/index/env.js';
import { DB, deletingLibraryKey, libraryNameKey, META_SCHEMA_VERSION } from '../../daemon/index/keys.js';
import { openIndexStore } from '../../daemon/index/lmdb-store.js';
import { CURRENT_SCHEMA_VERSION, IndexSchemaTooNewError, runMigrations, type MigrationStep } from '../../daemon/index/migrations.js';
import { verifyIndexConsistency } from '../../daemon/index/verify.js';
import { dirUpsert, fileUpsert, makeLibrary, tempStore } from './fixtures/index-tree.js';

t.test('libraries: create with root items, lookups, rename, locations, remove', async (t) => {
  const { store: sut, cleanup } = await tempStore({ now: () => 5_000 });
  t.teardown(cleanup);
  const lib = await sut.libraries.create({ name: 'Films', type: 'movie', locations: [{ rootId: 1, path: 'a' }, { rootId: 2, path: 'b' }], settings: { x: 1 } });
  t.equal(lib.locations.length, 2);
  t.not(lib.locations[0].id, lib.locations[1].id);
  t.match(lib.uuid, /^[0-9a-f-]{36}$/);
  t.equal(lib.purpose, 'library');
  for (const loc of lib.locations) {
    const root = sut.items.get(loc.rootItemId);
    t.match(root, { kind: 'dir', mediaType: 'folder', relPath: '', parentId: 0, name: 'Films', libraryId: lib.id, locationId: loc.id, childCount: 0 });
    t.equal(sut.items.getByPath(loc.id, '')?.id, loc.rootItemId);
  }
  t.equal(sut.libraries.getByName('fílms')?.id, lib.id, 'case and accent insensitive');
  t.equal(sut.libraries.getByUuid(lib.uuid)?.id, lib.id);
  t.equal(sut.libraries.get(424242), undefined);
  await t.rejects(sut.libraries.create({ name: 'FILMS', type: 'movie', locations: [] }), { code: 'CONFLICT' });
  await t.rejects(sut.libraries.create({ name: '  ', type: 'movie', locations: [] }), { code: 'VALIDATION' });
  const review = await sut.libraries.create({ name: 'Inbox', type: 'mixed', purpose: 'review', locations: [{ rootId: 1, path: 'in' }] });
  t.same(sut.libraries.list().map((l) => l.name), ['Films', 'Inbox']);
  t.equal(review.purpose, 'review');

  const renamed = await sut.libraries.update(lib.id, { name: 'Movies', settings: { y: 2 } });
  t.equal(renamed.name, 'Movies');
  t.equal(sut.libraries.getByName('films'), undefined);
  t.equal(sut.libraries.getByName('MOVIES')?.id, lib.id);
  t.equal(sut.items.get(lib.locations[0].rootItemId)?.name, 'Movies', 'root items follow the name');
  await t.rejects(sut.libraries.update(lib.id, { name: 'inbox' }), { code: 'CONFLICT' });
  await t.rejects(sut.libraries.update(999, { name: 'x' }), { code: 'NOT_FOUND' });

  await sut.libraries.updateLocation(lib.id, lib.locations[1].id, { online: false, lastError: 'EHOSTDOWN', lastScanAt: 7 });
  t.match(sut.libraries.get(lib.id)?.locations[1], { online: false, lastError: 'EHOSTDOWN', lastScanAt: 7 });
  await sut.libraries.updateLocation(lib.id, lib.locations[1].id, { online: true, lastError: undefined });
  t.equal(sut.libraries.get(lib.id)?.locations[1].lastError, undefined);
  await t.rejects(sut.libraries.updateLocation(lib.id, 999, { online: true }), { code: 'NOT_FOUND' });

  const l = sut.libraries.get(lib.id);
  if (!l) throw new Error('library vanished');
  const upserts = [dirUpsert(l, 'd')];
  for (let i = 0; i < 4_500; i++) upserts.push(fileUpsert(l, `d/${i}.mkv`, 10));
  await sut.items.applyBatch({ upserts });
  await sut.items.applyBatch({ upserts: [{ ...fileUpsert(review, 'keep.mkv', 3) }] });
  await sut.libraries.remove(lib.id);
  t.equal(sut.libraries.get(lib.id), undefined);
  t.equal(sut.libraries.getByName('movies'), undefined);
  t.equal([...sut.items.iterateLibrary(lib.id)].length, 0);
  const c = sut.items.counters();
  t.same({ items: c.items, files: c.files, bytes: c.bytes }, { items: 2, files: 1, bytes: 3 }, 'only the review library is left');
  t.same(sut.items.searchByName('mkv').items.map((i) => i.name), ['keep.mkv']);
  await t.rejects(sut.libraries.remove(lib.id), { code: 'NOT_FOUND' });
  t.same(verifyIndexConsistency(sut), []);
});

t.test('an interrupted library removal finishes at the next open', async (t) => {
  const { store, dir, cleanup } = await tempStore();
  t.teardown(cleanup);
  const { lib } = await makeLibrary(store, 'Doomed');
  const upserts = [dirUpsert(lib, 'x')];
  for (let i = 0; i < 2_500; i++) upserts.push(fileUpsert(lib, `x/${i}.jpg`));
  await store.items.applyBatch({ upserts });
  // Phase one of remove() only, as if the process died right after it.
  writeTxn(store.dbs, () => {
    store.dbs.libraries.remove(lib.id);
    store.dbs.libraryByName.remove(libraryNameKey(lib.name));
    store.dbs.libraryByUuid.remove(lib.uuid);
    store.dbs.meta.put(deletingLibraryKey(lib.id), 1);
  });
  t.same(verifyIndexConsistency(store), [], 'consistent between the phases');
  await store.close();
  const sut = await openIndexStore({ path: join(dir, 'index') });
  t.teardown(() => sut.close());
  t.equal(sut.items.counters().items, 0);
  t.equal([...sut.items.iterateLibrary(lib.id)].length, 0);
  t.same(verifyIndexConsistency(sut), []);
});

t.test('roots', async (t) => {
  const { store: sut, cleanup } = await tempStore();
  t.teardown(cleanup);
  const root = await sut.roots.create({ url: 'file:///srv/media', scheme: 'file', name: 'Media', status: 'online' });
  const smb = await sut.roots.create({ url: 'smb://nas/share', scheme: 'smb', name: 'NAS', status: 'offline', secret: 'enc' });
  t.equal(smb.id, root.id + 1);
  t.equal(sut.roots.getByUrl('smb://nas/share')?.id, smb.id);
  await t.rejects(sut.roots.create({ url: 'file:///srv/media', scheme: 'file', name: 'dup', status: 'online' }), { code: 'CONFLICT' });
  const moved = await sut.roots.update(smb.id, { url: 'smb://nas2/share', status: 'online' });
  t.equal(moved.status, 'online');
  t.equal(sut.roots.getByUrl('smb://nas/share'), undefined);
  t.equal(sut.roots.getByUrl('smb://nas2/share')?.id, smb.id);
  await t.rejects(sut.roots.update(smb.id, { url: 'file:///srv/media' }), { code: 'CONFLICT' });
  await sut.roots.remove(root.id);
  t.same(sut.roots.list().map((r) => r.id), [smb.id]);
  t.equal(sut.roots.getByUrl('file:///srv/media'), undefined);
  await t.rejects(sut.roots.remove(root.id), { code: 'NOT_FOUND' });
});

t.test('users and sessions', async (t) => {
  const { store: sut, cleanup } = await tempStore({ now: () => 100 });
  t.teardown(cleanup);
  const admin = await sut.users.create({ username: 'Admin', passwordHash: 'h', role: 'admin', locked: false });
  const bob = await sut.users.create({ username: 'bob', passwordHash: 'h', role: 'user', locked: false });
  t.equal(admin.createdAt, 100);
  t.equal(sut.users.getByUsername('ADMIN')?.id, admin.id);
  await t.rejects(sut.users.create({ username: 'BOB', passwordHash: 'h', role: 'user', locked: false }), { code: 'CONFLICT' });
  t.equal(sut.users.count(), 2);
  t.equal(sut.users.countAdmins(), 1);
  await sut.users.update(bob.id, { role: 'admin', username: 'Robert' });
  t.equal(sut.users.countAdmins(), 2);
  t.equal(sut.users.getByUsername('bob'), undefined);
  t.equal(sut.users.getByUsername('robert')?.id, bob.id);
  await t.rejects(sut.users.update(bob.id, { username: 'admin' }), { code: 'CONFLICT' });

  const session = (id: string, userId: number, expiresAt: number): Session =>
    ({ id, userId, createdAt: 1, expiresAt, lastSeenAt: 1, kind: 'web' });
  await sut.sessions.create(session('s1', bob.id, 1_000));
  await sut.sessions.create(session('s2', bob.id, 2_000));
  await sut.sessions.create(session('s3', bob.id, 3_000));
  await sut.sessions.create(session('a1', admin.id, 500));
  t.equal(sut.sessions.count(), 4);
  t.same(sut.sessions.listForUser(bob.id).map((s) => s.id).sort(), ['s1', 's2', 's3']);
  await sut.sessions.touch('s1', 50, 10_000);
  t.match(sut.sessions.get('s1'), { lastSeenAt: 50, expiresAt: 10_000 });
  await t.rejects(sut.sessions.touch('nope', 1, 1), { code: 'NOT_FOUND' });
  t.equal(await sut.sessions.purgeExpired(2_000), 2, 'a1 (500) and s2 (2000) die; s1 was extended');
  t.same(sut.sessions.listForUser(bob.id).map((s) => s.id).sort(), ['s1', 's3']);
  t.equal(await sut.sessions.removeForUser(bob.id, 's3'), 1);
  t.same(sut.sessions.listForUser(bob.id).map((s) => s.id), ['s3']);
  await sut.sessions.remove('s3');
  t.equal(sut.sessions.get('s3'), undefined);
  await sut.sessions.create(session('b1', bob.id, 9_000));
  await sut.sessions.create(session('b2', bob.id, 9_000));
  await sut.users.remove(bob.id);
  t.equal(sut.users.get(bob.id), undefined);
  t.equal(sut.users.getByUsername('robert'), undefined);
  t.equal(sut.sessions.count(), 0, "the user's sessions went with them");
  t.equal(await sut.sessions.purgeExpired(1e12), 0, 'no stale expiry entries left');
  await t.rejects(sut.users.remove(bob.id), { code: 'NOT_FOUND' });
});

t.test('scans and kv', async (t) => {
  const { store: sut, cleanup } = await tempStore();
  t.teardown(cleanup);
  const base = { kind: 'full', trigger: 'manual', status: 'running', added: 0, changed: 0, removed: 0, unchanged: 0, offlineLocations: 0, errors: 0 } as const;
  const a = await sut.scans.start({ ...base, libraryId: 1, startedAt: 1 });
  const b = await sut.scans.start({ ...base, libraryId: 2, startedAt: 2 });
  const c = await sut.scans.start({ ...base, libraryId: 1, startedAt: 3 });
  await sut.scans.finish(a.id, { status: 'done', finishedAt: 9, added: 5, libraryId: 2 });
  t.same(sut.scans.list().map((s) => s.id), [c.id, b.id, a.id]);
  t.same(sut.scans.list(1).map((s) => s.id), [c.id, a.id]);
  t.same(sut.scans.list(1, 1).map((s) => s.id), [c.id]);
  t.match(sut.scans.list(1)[1], { status: 'done', finishedAt: 9, added: 5, libraryId: 1 });
  await t.rejects(sut.scans.finish(999, {}), { code: 'NOT_FOUND' });

  t.equal(sut.kv.get('missing'), undefined);
  await sut.kv.put('settings', { theme: 'dark', n: [1, 2], skip: undefined });
  t.same(sut.kv.get('settings'), { theme: 'dark', n: [1, 2] });
  await sut.kv.put('flag', false);
  t.equal(sut.kv.get<boolean>('flag'), false);
  await sut.kv.remove('flag');
  t.equal(sut.kv.get('flag'), undefined);
  await t.rejects(sut.kv.put('bad', undefined), TypeError);
});

t.test('reopen keeps everything and ids keep counting', async (t) => {
  const { store, dir, cleanup } = await tempStore();
  t.teardown(cleanup);
  const { lib, locationId } = await makeLibrary(store);
  const { added } = await store.items.applyBatch({ upserts: [dirUpsert(lib, 'a'), fileUpsert(lib, 'a/b.mkv', 77)] });
  await store.users.create({ username: 'u', passwordHash: 'h', role: 'admin', locked: false });
  await store.kv.put('k', 1);
  const counters = store.items.counters();
  await store.close();
  await store.close(); // idempotent
  const sut = await openIndexStore({ path: join(dir, 'index') });
  t.teardown(() => sut.close());
  t.equal(sut.schemaVersion, CURRENT_SCHEMA_VERSION);
  t.same(sut.items.counters(), counters);
  t.equal(sut.items.getByPath(locationId, 'a/b.mkv')?.size, 77);
  t.equal(sut.libraries.getByName('movies')?.id, lib.id);
  t.equal(sut.users.count(), 1);
  t.equal(sut.kv.get('k'), 1);
  const more = await sut.items.applyBatch({ upserts: [fileUpsert(lib, 'a/c.mkv')] });
  t.equal(more.added[0].id, Math.max(...added.map((i) => i.id)) + 1);
  const lib2 = await sut.libraries.create({ name: 'Second', type: 'music', locations: [{ rootId: 1, path: 'm' }] });
  t.equal(lib2.id, lib.id + 1);
  t.equal(lib2.locations[0].id, locationId + 1);
  t.same(verifyIndexConsistency(sut), []);
});

t.test('migrations: older versions are migrated, newer ones refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-migr-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'index');
  // An environment written before versioning: a meta db with schemaVersion 0, no counters.
  const raw = open({ path, maxDbs: 32 });
  const meta = raw.openDB({ name: DB.meta });
  await meta.put(META_SCHEMA_VERSION, 0);
  await raw.close();
  const migrated = await openIndexStore({ path });
  t.equal(migrated.schemaVersion, CURRENT_SCHEMA_VERSION);
  t.same(migrated.items.counters().items, 0);
  t.same(verifyIndexConsistency(migrated), []);

  const ran: number[] = [];
  const v = CURRENT_SCHEMA_VERSION;
  const steps: MigrationStep[] = [
    { version: v + 2, description: 'three', up: () => { ran.push(v + 2); } },
    { version: v + 1, description: 'two', up: (dbs) => { ran.push(v + 1); dbs.kv.put('v2', JSON.stringify('yes')); } },
    { version: v, description: 'one', up: () => { ran.push(v); } },
  ];
  t.same(runMigrations(migrated.dbs, { steps }), { from: v, to: v + 2 });
  t.same(ran, [v + 1, v + 2], 'only newer steps, in order');
  t.equal(migrated.kv.get('v2'), 'yes', 'a step writes in its transaction');
  const failing: MigrationStep[] = [...steps, { version: v + 3, description: 'four', up: (dbs) => { dbs.kv.put('v4', 'x'); throw new Error('boom'); } }];
  t.throws(() => runMigrations(migrated.dbs, { steps: failing }), /boom/);
  t.equal(migrated.dbs.kv.get('v4'), undefined, 'a failed step is rolled back');
  t.equal(migrated.dbs.meta.get(META_SCHEMA_VERSION), v + 2, 'and the version stays');
  await migrated.close();

  const err = await openIndexStore({ path }).then(() => undefined, (e: unknown) => e);
  t.type(err, IndexSchemaTooNewError);
  t.match((err as Error).message, `schema version ${v + 2}, newer than this Alcove supports (${v})`);
  t.match((err as Error).message, path);
});

t.test('verifyIndexConsistency reports damage; very long paths are hashed into keys', async (t) => {
  const { store: sut, cleanup } = await tempStore();
  t.teardown(cleanup);
  const { lib, locationId, rootItemId } = await makeLibrary(sut);
  const longDir = 'd'.repeat(700) + '/' + 'é'.repeat(300);
  await sut.items.applyBatch({ upserts: [dirUpsert(lib, 'd'.repeat(700)), dirUpsert(lib, longDir), fileUpsert(lib, `${longDir}/x.mkv`, 9)] });
  t.equal(sut.items.getByPath(locationId, `${longDir}/x.mkv`)?.size, 9, 'a 1.3 KB path still resolves');
  t.same(verifyIndexConsistency(sut), []);
  const file = sut.items.getByPath(locationId, `${longDir}/x.mkv`);
  if (!file) throw new Error('file missing');
  writeTxn(sut.dbs, () => {
    sut.dbs.itemChildren.remove(['n', file.parentId, 1, 'x.mkv', file.id]);
    sut.dbs.itemTokens.put(['ghost', 999_999, lib.id * 256 + 18], 'ghost');
    const root = sut.dbs.items.get(rootItemId);
    if (root) sut.dbs.items.put(rootItemId, { ...root, childCount: 5 });
    sut.dbs.meta.put('counters', { ...sut.items.counters(), files: 40 });
  });
  const problems = verifyIndexConsistency(sut);
  t.ok(problems.some((p) => p.startsWith('itemChildren: missing entry')), 'missing children entry');
  t.ok(problems.some((p) => p.startsWith('itemTokens: stale entry') && p.includes('ghost')), 'stale token');
  t.ok(problems.some((p) => p === `item ${rootItemId}: childCount 5, actual children 1`), 'childCount');
  t.ok(problems.some((p) => p === 'counters.files: stored 40, actual 1'), 'counters');
  t.equal(problems.length, 4);
});
