/**
 * The item-access index and what rests on it: AccessScope.hiddenIn must name exactly the
 * items a restricted scope refuses item by item (own and inherited ratings, labels, tags),
 * and listByMeta with excludeIds must page like a filtered full listing. Real LMDB.
 */
import t from 'tap';
import type { MetaListQuery, MetaSort } from '../../daemon/domain/ports.js';
import type { Item, User } from '../../daemon/domain/types.js';
import { writeTxn } from '../../daemon/index/env.js';
import { contentMarkKey } from '../../daemon/index/keys.js';
import type { LmdbIndexStore } from '../../daemon/index/lmdb-store.js';
import { verifyIndexConsistency } from '../../daemon/index/verify.js';
import { AccessService, type AccessScope } from '../../daemon/services/access/access.service.js';
import { HomePresenter } from '../../daemon/services/home/home-item.js';
import { ItemTree } from '../../daemon/services/home/item-tree.js';
import { LibraryBrowseService } from '../../daemon/services/home/library-browse.service.js';
import { ProgressService } from '../../daemon/services/home/progress.service.js';
import { dirUpsert, fileName, fileUpsert, makeLibrary, rng, tempStore } from './fixtures/index-tree.js';

const virtual = (libraryId: number, kind: Item['kind'], name: string, parentId: number, meta: Record<string, unknown>) =>
  ({ kind, libraryId, locationId: 0, parentId, name, relPath: '', mediaType: (kind === 'episode' || kind === 'movie' ? 'video' : 'folder') as Item['mediaType'], size: 0, mtimeMs: 0, offline: false, meta });

async function world(sut: LmdbIndexStore) {
  const { lib } = await makeLibrary(sut);
  const other = await makeLibrary(sut, 'Other');
  const r = rng(11);
  const upserts = [dirUpsert(lib, 'a'), dirUpsert(lib, 'b')];
  for (let i = 0; i < 240; i++) upserts.push(fileUpsert(lib, `${i % 2 ? 'a' : 'b'}/${fileName(r, i).replace(/\.\w+$/, '')} ${i}.${i % 5 === 0 ? 'srt' : 'mkv'}`, 1_000 + ((i * 37) % 101), 1_000 + i));
  const { added } = await sut.items.applyBatch({ upserts });
  await sut.items.applyBatch({ upserts: [fileUpsert(other.lib, 'x.mkv')] });
  const videos = added.filter((i) => i.mediaType === 'video');
  const subs = added.filter((i) => i.mediaType === 'subtitle');
  const dirA = added.find((i) => i.relPath === 'a') as Item;
  // A rated movie with two files (and a sidecar of one of them), a rated show whose episode has a file.
  const movie = await sut.items.createVirtual(virtual(lib.id, 'movie', 'Heat', 0, { title: 'Heat', contentRating: 'R', year: 1995 }));
  const movie2 = await sut.items.createVirtual(virtual(lib.id, 'movie', 'Up', 0, { title: 'Up', contentRating: 'PG', year: 2009 }));
  const show = await sut.items.createVirtual(virtual(lib.id, 'show', 'Oz', 0, { title: 'Oz', contentRating: 'TV-MA' }));
  const season = await sut.items.createVirtual(virtual(lib.id, 'season', 'Season 1', show.id, { season: 1 }));
  const episode = await sut.items.createVirtual(virtual(lib.id, 'episode', '1x1', season.id, { title: 'The Routine', season: 1, episode: 1, showId: show.id }));
  await sut.items.updateMetaMany([
    { id: videos[0].id, meta: { virtualId: movie.id } }, { id: videos[1].id, meta: { virtualId: movie.id } },
    { id: videos[2].id, meta: { virtualId: episode.id, showId: show.id } },
    { id: videos[3].id, meta: { virtualId: movie2.id } },
    { id: videos[4].id, meta: { contentRating: 'PG' } }, { id: videos[5].id, meta: { contentRating: 'NC-17' } },
    { id: videos[6].id, meta: { labels: [' Horror '] } }, { id: videos[7].id, meta: { labels: ['kids'], contentRating: 'nonsense' } },
  ]);
  await sut.items.setSidecars(videos[0].id, [subs[0].id]);
  await sut.tags.add([videos[8].id, videos[9].id, dirA.id], 'Horror');
  await sut.tags.add([videos[10].id], 'Comedy');
  return { lib, other: other.lib, videos, movie, movie2, show, episode };
}

const RULES: User['restrictions'][] = [
  { maxContentRating: 'PG-13' }, { excludedLabels: ['horror'] }, { maxContentRating: 'G', excludedLabels: ['Kids', 'comedy'] }, { maxContentRating: 'NC-17' },
];

/** Every item of the library the scope refuses, by asking allows() of each. */
function refused(sut: LmdbIndexStore, scope: AccessScope, libraryId: number): number[] {
  return [...sut.items.iterateLibrary(libraryId)].filter((i) => !scope.allows(i)).map((i) => i.id).sort((a, b) => a - b);
}

t.test('hiddenIn names exactly the items allows() refuses; excluded listings page like a filtered full list', async (t) => {
  const { store: sut, cleanup } = await tempStore();
  t.teardown(cleanup);
  const w = await world(sut);
  const access = new AccessService(sut);
  t.same(sut.items.contentMarked(w.lib.id).map((m) => m.id).sort((a, b) => a - b),
    [w.videos[4].id, w.videos[5].id, w.videos[6].id, w.videos[7].id, w.movie.id, w.movie2.id, w.show.id].sort((a, b) => a - b),
    'own ratings and labels only');
  t.same(sut.items.inheritorsOf([w.movie.id]).sort((a, b) => a - b), [w.videos[0].id, w.videos[1].id]);
  t.same(sut.items.inheritorsOf([w.videos[0].id]).length, 1, 'the sidecar follows its video');

  for (const rules of RULES) {
    const scope = access.scopeFor(1, false, rules);
    const hidden = scope.hiddenIn(w.lib.id);
    t.same([...hidden].sort((a, b) => a - b), refused(sut, scope, w.lib.id), `hiddenIn ${JSON.stringify(rules)}`);
    const queries: MetaListQuery[] = [{ libraryId: w.lib.id }, { libraryId: w.lib.id, virtualKind: 'movie' }, { libraryId: w.lib.id, virtualKind: 'episode' }, { libraryId: w.lib.id, category: 'movie' }];
    for (const base of queries) {
      for (const sort of ['title', 'addedAt', 'year', 'size'] as MetaSort[]) {
        for (const order of ['asc', 'desc'] as const) {
          const full = sut.items.listByMeta({ ...base, sort, order, limit: 1000 }).items.filter((i) => scope.allows(i)).map((i) => i.id);
          for (const [offset, limit] of [[0, 1000], [0, 7], [5, 7], [13, 50], [100, 20], [Math.max(0, full.length - 3), 10], [full.length, 5], [full.length + 10, 5]]) {
            const page = sut.items.listByMeta({ ...base, sort, order, offset, limit, excludeIds: hidden });
            const label = `${JSON.stringify(rules)} ${JSON.stringify(base)} ${sort} ${order} ${offset}/${limit}`;
            if (page.total !== full.length) t.fail(`${label}: total ${page.total}, want ${full.length}`);
            t.same(page.items.map((i) => i.id), full.slice(offset, offset + limit), label);
          }
        }
      }
    }
  }
  t.equal(access.scopeFor(1, true, { maxContentRating: 'G' }).hiddenIn(w.lib.id).size, 0, 'admins see all');
  t.equal(access.scopeFor(1, false, { libraryIds: [w.lib.id] }).hiddenIn(w.lib.id).size, 0, 'no content rule, nothing to find');
});

t.test('library browsing for a restricted user skips the hidden items; the index follows meta edits', async (t) => {
  const { store: sut, cleanup } = await tempStore();
  t.teardown(cleanup);
  const w = await world(sut);
  const access = new AccessService(sut);
  const tree = new ItemTree(sut);
  const progress = new ProgressService(sut, (i) => tree.durationOf(i));
  t.teardown(() => progress.stop());
  const browse = new LibraryBrowseService(sut, tree, new HomePresenter(sut, tree, (u, i) => progress.get(u, i)), progress);
  const lib = sut.libraries.get(w.lib.id) as NonNullable<ReturnType<typeof sut.libraries.get>>;
  const rules = { maxContentRating: 'PG-13', excludedLabels: ['horror'] };
  const list = (type: string) => browse.items(access.scopeFor(1, false, rules), lib, { offset: 0, limit: 500, sort: 'title', order: 'asc', type });
  const want = (kind: 'file' | 'movie') => {
    const scope = access.scopeFor(1, false, rules);
    const q = kind === 'file' ? { libraryId: lib.id } : { libraryId: lib.id, virtualKind: kind };
    return sut.items.listByMeta({ ...q, limit: 1000 }).items.filter((i) => scope.allows(i)).map((i) => i.id);
  };
  const files = list('file');
  t.same(files.items.map((i) => Number(i.ratingKey)), want('file'));
  t.equal(files.totalCount, want('file').length);
  t.notOk(files.items.some((i) => Number(i.ratingKey) === w.videos[0].id), 'a file of the R-rated movie is hidden');
  t.same(list('movie').items.map((i) => i.title), ['Up']);
  t.same(browse.items(access.scopeFor(1, false, { ...rules, libraryIds: [w.other.id] }), lib, { offset: 0, limit: 50, sort: 'title', order: 'asc' }).totalCount, 0, 'a library the user may not see lists nothing');

  // Clearing the rating of the movie brings its files back; labels follow edits too.
  await sut.items.updateMeta(w.movie.id, { contentRating: null });
  await sut.items.updateMeta(w.videos[6].id, { labels: [] });
  t.ok(list('file').items.some((i) => Number(i.ratingKey) === w.videos[0].id));
  t.ok(list('file').items.some((i) => Number(i.ratingKey) === w.videos[6].id));
  t.same(list('file').items.map((i) => Number(i.ratingKey)), want('file'));
  t.same(verifyIndexConsistency(sut), []);

  // verify sees a missing content mark.
  writeTxn(sut.dbs, () => { sut.dbs.itemAccess.remove(contentMarkKey(lib.id, w.videos[5].id)); });
  const problems = verifyIndexConsistency(sut);
  t.equal(problems.length, 1);
  t.match(problems[0], /^itemAccess: missing entry \["r",/);
});
