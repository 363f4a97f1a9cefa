/**
 * listChildren's type-filter fast path (name order, folders and/or one file type, read
 * from the type index) must answer exactly what filtering the full name-ordered listing
 * answers: same ids in the same order, same total, for both orders and many page windows.
 */
import t from 'tap';
import type { ItemUpsert } from '../../daemon/domain/ports.js';
import type { MediaType } from '../../daemon/domain/types.js';
import { makeLibrary, tempStore } from './fixtures/index-tree.js';

t.test('type-filtered name pages equal the filtered full listing', async (t) => {
  const { store: sut, cleanup } = await tempStore();
  t.teardown(cleanup);
  const { lib, locationId } = await makeLibrary(sut, 'Mixed');
  const types: MediaType[] = ['image', 'video', 'other', 'audio', 'playlist'];
  const upserts: ItemUpsert[] = [{ locationId, libraryId: lib.id, relPath: 'S', name: 'S', kind: 'dir', mediaType: 'folder', size: 0, mtimeMs: 1 }];
  for (let i = 0; i < 30; i++) upserts.push({ locationId, libraryId: lib.id, relPath: `S/d${i}`, name: `d${i}`, kind: 'dir', mediaType: 'folder', size: 0, mtimeMs: i });
  for (let i = 0; i < 1_500; i++) {
    const name = `f${(i * 7919) % 1_500} é${i % 13}.x`;
    upserts.push({ locationId, libraryId: lib.id, relPath: `S/${name}`, name, kind: 'file', mediaType: types[i % 5], size: i, mtimeMs: i });
  }
  await sut.items.applyBatch({ upserts });
  const dir = sut.items.getByPath(locationId, 'S');
  if (!dir) throw new Error('folder missing');
  for (const mediaTypes of [['folder', 'image'], ['image'], ['folder'], ['folder', 'video'], ['audio'], ['folder', 'image', 'video']] as MediaType[][]) {
    for (const order of ['asc', 'desc'] as const) {
      const all = sut.items.listChildren(dir.id, { sort: 'name', order, limit: 10_000 }).items.filter((i) => mediaTypes.includes(i.mediaType));
      for (const [offset, limit] of [[0, 50], [10, 50], [25, 10], [700, 7], [1_490, 50], [5_000, 5], [3, 0]]) {
        const page = sut.items.listChildren(dir.id, { sort: 'name', order, mediaTypes, offset, limit });
        t.equal(page.total, all.length, `${mediaTypes} ${order} total`);
        t.same(page.items.map((i) => i.id), all.slice(offset, offset + limit).map((i) => i.id), `${mediaTypes} ${order} ${offset}+${limit}`);
      }
    }
  }
});
