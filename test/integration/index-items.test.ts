/**
 * ItemRepo over a real LMDB in a temp dir: listings (sorts, orders, filters, paging,
 * unicode), applyBatch (add/change/unchanged, moves, subtree removal, atomicity), offline,
 * probes, sidecars, virtual items, iteration. Every scenario ends with a full consistency check.
 */
import t from 'tap';
import type { Item } from '../../daemon/domain/types.js';
import { verifyIndexConsistency } from '../../daemon/index/verify.js';
import { dirUpsert, fileUpsert, makeLibrary, rng, tempStore } from './fixtures/index-tree.js';

const names = (items: Item[]) => items.map((i) => i.name);

t.test('listChildren: name order is case/accent-insensitive and natural, folders first', async (t) => {
  const { store: sut, cleanup } = await tempStore();
  t.teardown(cleanup);
  const { lib, rootItemId } = await makeLibrary(sut);
  await sut.items.applyBatch({
    upserts: [
      dirUpsert(lib, 'zeta'), dirUpsert(lib, 'Alpha'),
      fileUpsert(lib, 'ep10.mkv'), fileUpsert(lib, 'ep9.mkv'), fileUpsert(lib, 'Éclair.jpg'),
      fileUpsert(lib, 'eclair2.jpg'), fileUpsert(lib, 'b.mp3'), fileUpsert(lib, 'Zoë.srt'), fileUpsert(lib, 'zoe1.nfo'),
    ],
  });
  const page = sut.items.listChildren(rootItemId);
  t.same(names(page.items), ['Alpha', 'zeta', 'b.mp3', 'Éclair.jpg', 'eclair2.jpg', 'ep9.mkv', 'ep10.mkv', 'Zoë.srt', 'zoe1.nfo']);
  t.equal(page.total, 9);
  const desc = sut.items.listChildren(rootItemId, { order: 'desc' });
  t.same(names(desc.items), ['zeta', 'Alpha', 'zoe1.nfo', 'Zoë.srt', 'ep10.mkv', 'ep9.mkv', 'eclair2.jpg', 'Éclair.jpg', 'b.mp3'], 'desc keeps folders first');
  const mixed = sut.items.listChildren(rootItemId, { foldersFirst: false });
  t.same(names(mixed.items), ['Alpha', 'b.mp3', 'Éclair.jpg', 'eclair2.jpg', 'ep9.mkv', 'ep10.mkv', 'zeta', 'Zoë.srt', 'zoe1.nfo']);
  const mixedDesc = sut.items.listChildren(rootItemId, { foldersFirst: false, order: 'desc' });
  t.same(names(mixedDesc.items), names(mixed.items).reverse());
  const byType = sut.items.listChildren(rootItemId, { sort: 'type' });
  t.same(byType.items.map((i) => i.mediaType), ['folder', 'folder', 'audio', 'image', 'image', 'nfo', 'subtitle', 'video', 'video']);
  t.same(verifyIndexConsistency(sut), []);
});

t.test('listChildren agrees with Intl.Collator on random unicode names', async (t) => {
  const { store: sut, cleanup } = await tempStore();
  t.teardown(cleanup);
  const { lib, rootItemId } = await makeLibrary(sut);
  const r = rng(7);
  const alphabet = ['a', 'B', 'c', 'é', 'É', 'ñ', 'o', 'Ö', 'z', 'ß'];
  const used = new Set<string>();
  const upserts = [];
  while (upserts.length < 300) {
    let n = '';
    const len = 1 + Math.floor(r() * 5);
    for (let k = 0; k < len; k++) n += alphabet[Math.floor(r() * alphabet.length)];
    n += String(Math.floor(r() * 200));
    if (used.has(n)) continue;
    used.add(n);
    upserts.push(fileUpsert(lib, n + '.mkv'));
  }
  await sut.items.applyBatch({ upserts });
  const page = sut.items.listChildren(rootItemId, { limit: 1000 });
  const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
  for (let i = 1; i < page.items.length; i++) {
    const a = page.items[i - 1];
    const b = page.items[i];
    const c = collator.compare(a.name, b.name);
    t.ok(c < 0 || (c === 0 && a.id < b.id), `${a.name} before ${b.name}`, { diagnostic: c > 0 });
    if (c > 0) break;
  }
  t.equal(page.total, 300);
});

t.test('listChildren: date and size sorts, filters, paging edges', async (t) => {
  const { store: sut, cleanup } = await tempStore();
  t.teardown(cleanup);
  const { lib, rootItemId } = await makeLibrary(sut);
  const upserts = [dirUpsert(lib, 'd1', 50), dirUpsert(lib, 'd2', 10)];
  for (let i = 0; i < 30; i++) upserts.push(fileUpsert(lib, `f${i}.${i % 3 === 0 ? 'jpg' : 'mkv'}`, (i * 7919) % 101, 1000 + ((i * 31) % 17)));
  await sut.items.applyBatch({ upserts });
  const all = sut.items.listChildren(rootItemId, { limit: 100 }).items;
  const files = all.filter((i) => i.kind === 'file');
  const byDate = sut.items.listChildren(rootItemId, { sort: 'date', limit: 100 }).items;
  t.same(names(byDate), ['d2', 'd1', ...names(files.slice().sort((a, b) => a.mtimeMs - b.mtimeMs || a.id - b.id))]);
  const bySizeDesc = sut.items.listChildren(rootItemId, { sort: 'size', order: 'desc', limit: 100 }).items;
  const dirsDesc = all.filter((i) => i.kind === 'dir').sort((a, b) => b.id - a.id);
  t.same(names(bySizeDesc), [...names(dirsDesc), ...names(files.slice().sort((a, b) => b.size - a.size || b.id - a.id))]);

  // Paging walks the same order without gaps or repeats, across the folder/file boundary.
  const seen: string[] = [];
  for (let off = 0; off < 32; off += 5) seen.push(...names(sut.items.listChildren(rootItemId, { offset: off, limit: 5 }).items));
  t.same(seen, names(all));
  const beyond = sut.items.listChildren(rootItemId, { offset: 500, limit: 10 });
  t.same(beyond, { items: [], total: 32 }, 'offset beyond total');
  t.same(sut.items.listChildren(rootItemId, { limit: 0 }), { items: [], total: 32 }, 'limit 0 still counts');
  t.same(names(sut.items.listChildren(rootItemId, { offset: 1, limit: 2 }).items), names(all.slice(1, 3)));

  const videos = sut.items.listChildren(rootItemId, { mediaTypes: ['video'], limit: 100 });
  t.equal(videos.total, 20);
  t.ok(videos.items.every((i) => i.mediaType === 'video'));
  const withFolders = sut.items.listChildren(rootItemId, { mediaTypes: ['folder', 'image'], offset: 1, limit: 3 });
  t.equal(withFolders.total, 12);
  t.same(withFolders.items.map((i) => i.mediaType), ['folder', 'image', 'image']);
  const mixedDesc = sut.items.listChildren(rootItemId, { mediaTypes: ['image'], sort: 'date', order: 'desc', foldersFirst: false, limit: 100 });
  t.same(names(mixedDesc.items), names(files.filter((f) => f.mediaType === 'image').sort((a, b) => b.mtimeMs - a.mtimeMs || b.id - a.id)));
  t.same(sut.items.listChildren(999_999), { items: [], total: 0 }, 'unknown parent');
});

t.test('applyBatch: added, changed, unchanged; probe state reset; counters', async (t) => {
  let now = 1_000;
  const { store: sut, cleanup } = await tempStore({ now: () => now });
  t.teardown(cleanup);
  const { lib, rootItemId } = await makeLibrary(sut);
  const first = await sut.items.applyBatch({ upserts: [dirUpsert(lib, 'a'), fileUpsert(lib, 'a/x.mkv', 10, 5), fileUpsert(lib, 'a/y.nfo', 3, 5)] });
  t.equal(first.added.length, 3);
  const x = first.added[1];
  t.equal(x.parentId, first.added[0].id);
  t.equal(x.probeState, 'pending');
  t.equal(first.added[2].probeState, undefined, 'nfo files are not probed');
  t.equal(sut.items.get(first.added[0].id)?.childCount, 2);
  t.equal(sut.items.get(rootItemId)?.childCount, 1);
  t.equal(x.addedAt, 1_000);
  await sut.items.setProbe(x.id, 'done', { durationMs: 1000, container: 'matroska' });
  t.equal(sut.items.counters().probed, 1);
  t.same(sut.items.pendingProbe(0, 10), []);

  now = 2_000;
  const same = await sut.items.applyBatch({ upserts: [fileUpsert(lib, 'a/x.mkv', 10, 5)] });
  t.same(same, { added: [], changed: [], removedIds: [] }, 'unchanged file: no write');
  const changed = await sut.items.applyBatch({ upserts: [fileUpsert(lib, 'a/x.mkv', 11, 6)] });
  t.equal(changed.changed.length, 1);
  const x2 = changed.changed[0];
  t.equal(x2.id, x.id);
  t.equal(x2.probeState, 'pending');
  t.equal(x2.updatedAt, 2_000);
  t.equal(x2.addedAt, 1_000);
  const c = sut.items.counters();
  t.same({ items: c.items, files: c.files, dirs: c.dirs, bytes: c.bytes, probed: c.probed }, { items: 4, files: 2, dirs: 2, bytes: 14, probed: 0 });
  t.same(c.byMediaType, { folder: { count: 2, bytes: 0 }, video: { count: 1, bytes: 11 }, nfo: { count: 1, bytes: 3 } });
  const rootRes = await sut.items.applyBatch({ upserts: [{ ...dirUpsert(lib, ''), name: 'folder-name', mtimeMs: 77 }] });
  t.match(rootRes.changed, [{ id: rootItemId, name: 'Movies', mtimeMs: 77, parentId: 0 }], 'a location root keeps its library name');
  await sut.items.setProbe(x.id, 'failed', undefined, 'bad header');
  t.equal(sut.items.counters().probeFailed, 1);
  t.equal(sut.items.get(x.id)?.probeError, 'bad header');
  t.same(verifyIndexConsistency(sut), []);
});

t.test('applyBatch is atomic: a failing upsert rolls back the whole batch', async (t) => {
  const { store: sut, cleanup } = await tempStore();
  t.teardown(cleanup);
  const { lib, locationId } = await makeLibrary(sut);
  const before = sut.items.counters();
  await t.rejects(sut.items.applyBatch({ upserts: [fileUpsert(lib, 'ok.mkv'), fileUpsert(lib, 'missing/dir.mkv')] }), { code: 'NOT_FOUND' });
  t.equal(sut.items.getByPath(locationId, 'ok.mkv'), undefined);
  t.same(sut.items.counters(), before);
  const res = await sut.items.applyBatch({ upserts: [fileUpsert(lib, 'ok.mkv')] });
  t.equal(res.added[0].id, lib.locations[0].rootItemId + 1, 'the rolled-back batch did not consume ids');
  t.same(verifyIndexConsistency(sut), []);
});

t.test('moves keep ids; folder moves rewrite descendant paths; subtree removal', async (t) => {
  const { store: sut, cleanup } = await tempStore();
  t.teardown(cleanup);
  const { lib, locationId, rootItemId } = await makeLibrary(sut);
  const { added } = await sut.items.applyBatch({
    upserts: [dirUpsert(lib, 'shows'), dirUpsert(lib, 'shows/S1'), fileUpsert(lib, 'shows/S1/e1.mkv'),
      dirUpsert(lib, 'shows/S1/extras'), fileUpsert(lib, 'shows/S1/extras/b.mkv'), dirUpsert(lib, 'archive'), fileUpsert(lib, 'loose.mkv')],
  });
  const id = (p: string) => sut.items.getByPath(locationId, p)?.id;
  const s1 = id('shows/S1') as number;
  const archive = id('archive') as number;
  const e1 = id('shows/S1/e1.mkv') as number;
  const moved = await sut.items.applyBatch({ moves: [{ id: s1, relPath: 'archive/Season 1', name: 'Season 1' }, { id: id('loose.mkv') as number, relPath: 'Loose Renamed.mkv', name: 'Loose Renamed.mkv' }] });
  t.equal(moved.changed.length, 2);
  t.equal(id('shows/S1'), undefined);
  t.equal(id('archive/Season 1'), s1);
  t.equal(id('archive/Season 1/e1.mkv'), e1, 'descendant keeps id, path rewritten');
  t.equal(sut.items.get(e1)?.relPath, 'archive/Season 1/e1.mkv');
  t.equal(sut.items.getByPath(locationId, 'archive/Season 1/extras/b.mkv')?.name, 'b.mkv');
  t.equal(sut.items.get(s1)?.parentId, archive);
  t.equal(sut.items.get(id('shows') as number)?.childCount, 0);
  t.equal(sut.items.get(archive)?.childCount, 1);
  t.same(names(sut.items.searchByName('season').items), ['Season 1']);
  t.same(sut.items.searchByName('s1').items, [], 'old name no longer searchable');
  await t.rejects(sut.items.applyBatch({ moves: [{ id: archive, relPath: 'archive/Season 1/x', name: 'x' }] }), { code: 'VALIDATION' });
  await t.rejects(sut.items.applyBatch({ moves: [{ id: archive, relPath: 'shows', name: 'shows' }] }), { code: 'CONFLICT' });
  t.same(verifyIndexConsistency(sut), []);

  const countBefore = sut.items.counters().items;
  const removed = await sut.items.applyBatch({ removeIds: [archive] });
  t.equal(removed.removedIds.length, 5, 'folder, season, episode, extras, extra');
  t.ok(removed.removedIds.includes(e1));
  t.equal(sut.items.get(e1), undefined);
  t.equal(sut.items.counters().items, countBefore - 5);
  t.equal(sut.items.get(rootItemId)?.childCount, 2);
  t.same((await sut.items.applyBatch({ removeIds: [archive] })).removedIds, [], 'removing twice is a no-op');
  t.ok(added.length === 7);

  // A file replaced by a folder at the same path is a new item.
  const fileId = id('Loose Renamed.mkv') as number;
  const replaced = await sut.items.applyBatch({ upserts: [dirUpsert(lib, 'Loose Renamed.mkv'), fileUpsert(lib, 'Loose Renamed.mkv/inner.mkv')] });
  t.same(replaced.removedIds, [fileId]);
  t.equal(replaced.added.length, 2);
  t.equal(sut.items.get(replaced.added[0].id)?.childCount, 1);
  t.same(verifyIndexConsistency(sut), []);
});

t.test('offline round trip, includeOffline, pending probes paging', async (t) => {
  const { store: sut, cleanup } = await tempStore();
  t.teardown(cleanup);
  const { lib, locationId, rootItemId } = await makeLibrary(sut);
  const other = await makeLibrary(sut, 'Other');
  const upserts = [dirUpsert(lib, 'd')];
  for (let i = 0; i < 40; i++) upserts.push(fileUpsert(lib, `d/${i}.${i % 2 ? 'mkv' : 'txt'}`));
  await sut.items.applyBatch({ upserts });
  await sut.items.applyBatch({ upserts: [fileUpsert(other.lib, 'elsewhere.mkv')] });
  t.equal(await sut.items.setLocationOffline(locationId, true), 42, 'root, folder and 40 files');
  t.equal(sut.items.counters().offline, 42);
  t.equal(sut.items.getByPath(other.locationId, 'elsewhere.mkv')?.offline, false, 'other location untouched');
  const dId = sut.items.getByPath(locationId, 'd')?.id as number;
  t.equal(sut.items.listChildren(dId).total, 40, 'offline items are listed by default');
  t.ok(sut.items.listChildren(dId).items.every((i) => i.offline));
  t.same(sut.items.listChildren(dId, { includeOffline: false }), { items: [], total: 0 });
  t.equal(await sut.items.setLocationOffline(locationId, true), 0, 'already offline');
  const added = await sut.items.applyBatch({ upserts: [fileUpsert(lib, 'd/new.mkv')] });
  t.equal(added.added[0].offline, true, 'new items inherit the location state');
  t.equal(await sut.items.setLocationOffline(locationId, false), 43);
  t.equal(sut.items.counters().offline, 0);
  t.equal(sut.items.get(rootItemId)?.offline, false);

  const pending: Item[] = [];
  let after = 0;
  for (;;) {
    const page = sut.items.pendingProbe(after, 7);
    if (page.length === 0) break;
    pending.push(...page);
    after = page[page.length - 1].id;
  }
  t.equal(pending.length, 22, '20 mkv + new.mkv + elsewhere.mkv');
  t.ok(pending.every((p, i) => i === 0 || p.id > pending[i - 1].id), 'ascending ids');
  await sut.items.setProbe(pending[0].id, 'done', { width: 10 });
  t.equal(sut.items.pendingProbe(0, 100).length, 21);
  t.same(sut.items.get(pending[0].id)?.probe, { width: 10 });
  t.same(verifyIndexConsistency(sut), []);
});

t.test('searchByName: prefixes, several tokens, diacritics, filters, paging, meta titles', async (t) => {
  const { store: sut, cleanup } = await tempStore();
  t.teardown(cleanup);
  const movies = await makeLibrary(sut, 'Movies');
  const music = await makeLibrary(sut, 'Music');
  await sut.items.applyBatch({
    upserts: [dirUpsert(movies.lib, 'Amélie (2001)'), fileUpsert(movies.lib, 'Amélie (2001)/Amélie.2001.1080p.mkv'),
      fileUpsert(movies.lib, 'Amélie (2001)/Amélie.2001.srt'), fileUpsert(movies.lib, 'The Matrix (1999).mkv'),
      fileUpsert(movies.lib, 'Matrix Reloaded.mp4')],
  });
  await sut.items.applyBatch({ upserts: [fileUpsert(music.lib, 'amelie soundtrack.mp3'), fileUpsert(music.lib, 'Straße.mp3')] });
  const q = (s: string, o?: Parameters<typeof sut.items.searchByName>[1]) => names(sut.items.searchByName(s, o).items).sort();
  t.same(q('amel'), ['Amélie (2001)', 'Amélie.2001.1080p.mkv', 'Amélie.2001.srt', 'amelie soundtrack.mp3']);
  t.same(q('AMÉLIE 2001'), ['Amélie (2001)', 'Amélie.2001.1080p.mkv', 'Amélie.2001.srt']);
  t.same(q('matrix the'), ['The Matrix (1999).mkv']);
  t.same(q('mat'), ['Matrix Reloaded.mp4', 'The Matrix (1999).mkv']);
  t.same(q('strasse'), ['Straße.mp3'], 'ß folds to ss');
  t.same(q('STRAßE'), ['Straße.mp3']);
  t.same(q('amelie', { libraryIds: [music.lib.id] }), ['amelie soundtrack.mp3']);
  t.same(q('amelie', { mediaTypes: ['video', 'subtitle'] }), ['Amélie.2001.1080p.mkv', 'Amélie.2001.srt']);
  t.same(q('amelie', { kinds: ['dir'] }), ['Amélie (2001)']);
  t.same(q('zzz'), []);
  t.same(q('  '), []);
  const p1 = sut.items.searchByName('amelie', { limit: 2 });
  const p2 = sut.items.searchByName('amelie', { limit: 2, offset: 2 });
  t.equal(p1.total, 4);
  t.equal(p2.total, 4);
  t.same([...names(p1.items), ...names(p2.items)].sort(), q('amelie'));
  t.same(sut.items.searchByName('amelie', { offset: 10 }).items, []);

  const matrix = sut.items.getByPath(movies.locationId, 'The Matrix (1999).mkv') as Item;
  await sut.items.updateMeta(matrix.id, { title: 'The Matrix', originalTitle: 'Матрица' }, ['title']);
  t.same(q('матр'), ['The Matrix (1999).mkv'], 'original title is searchable');
  t.same(sut.items.get(matrix.id)?.lockedFields, ['title']);
  await sut.items.updateMeta(matrix.id, { originalTitle: 'Neo' });
  t.same(q('матр'), []);
  t.same(q('neo'), ['The Matrix (1999).mkv']);
  t.equal(sut.items.get(matrix.id)?.meta?.title, 'The Matrix', 'meta is merged');
  t.equal(await sut.items.updateMeta(9_999_999, { title: 'x' }), undefined);
  t.same(verifyIndexConsistency(sut), []);
});

t.test('virtual items share the item counter; sidecars; iteration', async (t) => {
  const { store: sut, cleanup } = await tempStore();
  t.teardown(cleanup);
  const { lib, locationId } = await makeLibrary(sut);
  const upserts = [dirUpsert(lib, 'big')];
  for (let i = 0; i < 1_234; i++) upserts.push(fileUpsert(lib, `big/${i}.mkv`));
  upserts.push(fileUpsert(lib, 'big/0.srt'), fileUpsert(lib, 'big/0.nfo'));
  const { added } = await sut.items.applyBatch({ upserts });
  const maxFileId = Math.max(...added.map((i) => i.id));
  const show = await sut.items.createVirtual({ kind: 'show', libraryId: lib.id, locationId: 0, parentId: 0, name: 'Firefly', relPath: '', mediaType: 'folder', size: 0, mtimeMs: 0, offline: false });
  t.equal(show.id, maxFileId + 1);
  const season = await sut.items.createVirtual({ kind: 'season', libraryId: lib.id, locationId: 0, parentId: show.id, name: 'Season 1', relPath: '', mediaType: 'folder', size: 0, mtimeMs: 0, offline: false });
  const more = await sut.items.applyBatch({ upserts: [fileUpsert(lib, 'later.mkv')] });
  t.equal(more.added[0].id, season.id + 1, 'files and virtual items draw from one counter');
  t.equal(sut.items.get(show.id)?.childCount, 1);
  t.same(names(sut.items.listChildren(show.id).items), ['Season 1']);
  t.same(names(sut.items.searchByName('firefly').items), ['Firefly']);
  await t.rejects(sut.items.createVirtual({ kind: 'file', libraryId: lib.id, locationId: 0, parentId: 0, name: 'x', relPath: '', mediaType: 'video', size: 0, mtimeMs: 0, offline: false }), { code: 'VALIDATION' });
  const c = sut.items.counters();
  t.equal(c.items, c.files + c.dirs + 2, 'virtual items count as items only');

  const video = sut.items.getByPath(locationId, 'big/0.mkv') as Item;
  const srt = sut.items.getByPath(locationId, 'big/0.srt') as Item;
  const nfo = sut.items.getByPath(locationId, 'big/0.nfo') as Item;
  await sut.items.setSidecars(video.id, [srt.id, nfo.id]);
  t.same(sut.items.get(video.id)?.sidecarIds, [srt.id, nfo.id]);
  t.equal(sut.items.get(srt.id)?.ownerId, video.id);
  await sut.items.setSidecars(video.id, [srt.id]);
  t.equal(sut.items.get(nfo.id)?.ownerId, undefined, 'detached sidecar loses its owner');
  t.same(sut.items.getMany([video.id, 424242, srt.id]).map((i) => i?.id), [video.id, undefined, srt.id]);

  const bigId = sut.items.getByPath(locationId, 'big')?.id as number;
  const iterated = [...sut.items.iterateChildren(bigId)];
  t.equal(iterated.length, 1_236);
  t.same(iterated.slice(0, 3).map((i) => i.name), ['0.mkv', '0.nfo', '0.srt']);
  t.same(names(iterated), names(sut.items.listChildren(bigId, { limit: 2_000 }).items));
  const libItems = [...sut.items.iterateLibrary(lib.id)];
  t.equal(libItems.length, c.items, "one library: every item");
  t.equal(new Set(libItems.map((i) => i.id)).size, libItems.length);
  t.same(verifyIndexConsistency(sut), []);
});
