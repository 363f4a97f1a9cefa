/**
 * The metadata engine over a real LMDB index and real scans of a temp folder: movies with
 * parts and versions as one movie, show -> season -> episode, artist -> album -> track from
 * probe tags (after probe completion), NFO over names, locks surviving NFO changes and
 * rescans, incremental re-identification of only what changed, pruning on removal,
 * per-library counters and index consistency (verifyIndexConsistency).
 */
import t from 'tap';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LocalAdapter } from '../../storage-adapters/local/local.adapter.js';
import { IdentifyService } from '../../daemon/metadata/identify.service.js';
import { verifyIndexConsistency } from '../../daemon/index/verify.js';
import { silentLogger } from '../../daemon/log/logger.js';
import type { Item } from '../../daemon/domain/types.js';
import { makeScanEnv } from './scan-harness.js';

const root = await mkdtemp(join(tmpdir(), 'alcove-meta-'));
t.teardown(() => rm(root, { recursive: true, force: true }));
const put = async (rel: string, body: string | Buffer = Buffer.alloc(64)): Promise<void> => {
  await mkdir(dirname(join(root, rel)), { recursive: true });
  await writeFile(join(root, rel), body);
};
await put('Movies/The Lord of the Rings (2001)/The Lord of the Rings (2001) cd1.avi');
await put('Movies/The Lord of the Rings (2001)/The Lord of the Rings (2001) cd2.avi');
await put('Movies/Dune (2021)/Dune (2021) - 1080p.mkv');
await put('Movies/Dune (2021)/Dune (2021) - 2160p.mkv');
await put('Movies/Heat (1995)/movie.mkv');
await put('Movies/Heat (1995)/movie.nfo', '<movie><title>Heat</title><year>1995</year><plot>A group of professional bank robbers.</plot><genre>Crime</genre><uniqueid type="tmdb">949</uniqueid><actor><name>Al Pacino</name><role>Vincent Hanna</role></actor></movie>');
await put('Movies/Heat (1995)/fanart.jpg');
await put('TV/Show Name/Season 01/Show Name - S01E01 - Pilot.mkv');
await put('TV/Show Name/Season 01/Show Name - S01E02.mkv');
await put('TV/Show Name/Season 02/Show.Name.S02E01E02.mkv');
await put('TV/Show Name/Specials/Show Name - S00E01.mkv');
await put('Music/Some Artist/Great Album (1999)/01 - Opening.mp3');
await put('Music/Some Artist/Great Album (1999)/02 - Closing.mp3');

const env = await makeScanEnv(t, { adapter: new LocalAdapter(root), url: `file://${root}` });
const sut = new IdentifyService({ index: env.index, getAdapter: env.getAdapter, events: env.events, logger: silentLogger() });
sut.start();
t.teardown(() => sut.stop());
const items = env.store.items;
const byPath = (rel: string): Item => env.tree().get(rel) as Item;
const virtual = (id: unknown): Item => items.get(id as number) as Item;

async function scan(): Promise<void> {
  await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  await sut.idle();
}

t.test('first scan: movies, parts, versions, NFO, episodes', async (t) => {
  await scan();
  const cd1 = byPath('Movies/The Lord of the Rings (2001)/The Lord of the Rings (2001) cd1.avi');
  const cd2 = byPath('Movies/The Lord of the Rings (2001)/The Lord of the Rings (2001) cd2.avi');
  t.match(cd1.meta, { type: 'movie', title: 'The Lord of the Rings', year: 2001, part: 1 });
  t.equal(cd1.meta?.virtualId, cd2.meta?.virtualId, 'two parts, one movie');
  const lotr = virtual(cd1.meta?.virtualId);
  t.match(lotr, { kind: 'movie', name: 'The Lord of the Rings', meta: { year: 2001, fileIds: [cd1.id, cd2.id] } });
  const d1 = byPath('Movies/Dune (2021)/Dune (2021) - 1080p.mkv');
  const d2 = byPath('Movies/Dune (2021)/Dune (2021) - 2160p.mkv');
  t.equal(d1.meta?.virtualId, d2.meta?.virtualId, 'two versions, one movie');
  const heat = byPath('Movies/Heat (1995)/movie.mkv');
  t.match(heat.meta, { title: 'Heat', year: 1995, source: 'nfo', overview: /bank robbers/, genres: ['Crime'], tmdbId: 949, people: [{ name: 'Al Pacino', role: 'Vincent Hanna' }] });
  t.equal(items.get(heat.meta?.fanartItemId as number)?.name, 'fanart.jpg');
  t.equal(items.findVirtual({ libraryId: env.library.id, kind: 'movie', provider: 'tmdbId', providerId: 949 })?.id, heat.meta?.virtualId, 'movie findable by provider id');

  const e1 = byPath('TV/Show Name/Season 01/Show Name - S01E01 - Pilot.mkv');
  const e2 = byPath('TV/Show Name/Season 01/Show Name - S01E02.mkv');
  const multi = byPath('TV/Show Name/Season 02/Show.Name.S02E01E02.mkv');
  const special = byPath('TV/Show Name/Specials/Show Name - S00E01.mkv');
  t.match(e1.meta, { type: 'episode', category: 'tv', showTitle: 'Show Name', season: 1, episode: 1, title: 'Pilot' });
  t.match(multi.meta, { season: 2, episode: 1, episodes: [1, 2] });
  t.equal(e1.meta?.showId, multi.meta?.showId, 'one show');
  t.equal(e1.meta?.seasonId, e2.meta?.seasonId, 'one season 1');
  t.not(e1.meta?.seasonId, multi.meta?.seasonId);
  t.match(virtual(special.meta?.seasonId), { kind: 'season', name: 'Specials', meta: { season: 0 } });
  const show = virtual(e1.meta?.showId);
  t.equal(show.childCount, 3, 'seasons 0, 1, 2');
  const seasons = items.listChildren(show.id).items.map((s) => s.name).sort();
  t.same(seasons, ['Season 1', 'Season 2', 'Specials']);
  t.equal(virtual(e1.meta?.virtualId).parentId, e1.meta?.seasonId, 'episode under its season');
  const shows = items.listByMeta({ virtualKind: 'show', libraryId: env.library.id });
  t.same(shows.items.map((s) => s.name), ['Show Name']);
  const movies = items.listByMeta({ virtualKind: 'movie', sort: 'year', order: 'desc' });
  t.same(movies.items.map((m) => m.meta?.year), [2021, 2001, 1995]);
  t.same(verifyIndexConsistency(env.store), []);
});

t.test('music waits for its probe, then uses tags with folder fallback', async (t) => {
  const a = byPath('Music/Some Artist/Great Album (1999)/01 - Opening.mp3');
  const b = byPath('Music/Some Artist/Great Album (1999)/02 - Closing.mp3');
  t.equal(a.meta, undefined, 'not identified before the probe');
  await items.setProbe(a.id, 'done', { durationMs: 1000, tags: { title: 'Opening Theme', artist: 'Guest Singer', albumArtist: 'Some Artist', album: 'Great Album', track: 1, disc: 1, year: 1999, genre: ['Rock'] } });
  await items.setProbe(b.id, 'failed', undefined, 'no tags');
  env.events.emit({ type: 'job.progress', job: 'probe', done: 2, state: 'done' });
  await new Promise((r) => setTimeout(r, 50));
  await sut.idle();
  const ta = items.get(a.id)!;
  const tb = items.get(b.id)!;
  t.match(ta.meta, { type: 'track', category: 'music', source: 'tags', title: 'Opening Theme', artist: 'Guest Singer', albumArtist: 'Some Artist', album: 'Great Album', track: 1, year: 1999, genres: ['Rock'] });
  t.match(tb.meta, { type: 'track', source: 'name', title: 'Closing', albumArtist: 'Some Artist', album: 'Great Album', track: 2, year: 1999 });
  t.equal(ta.meta?.albumId, tb.meta?.albumId, 'one album');
  const album = virtual(ta.meta?.albumId);
  t.equal(album.parentId, ta.meta?.artistId, 'album under its artist');
  t.equal(album.childCount, 2);
  t.same(verifyIndexConsistency(env.store), []);
});

t.test('locks survive NFO changes and rescans; only touched files are re-identified', async (t) => {
  const heat = byPath('Movies/Heat (1995)/movie.mkv');
  await items.updateMeta(heat.id, { title: 'Heat (Director Edit)' }, ['title']);
  const before = new Map([...env.tree()].map(([p, i]) => [p, i.updatedAt]));
  await new Promise((r) => setTimeout(r, 20));
  await put('Movies/Heat (1995)/movie.nfo', '<movie><title>HEAT</title><year>1995</year><plot>Changed plot.</plot><genre>Thriller</genre></movie>');
  await scan();
  const after = items.get(heat.id)!;
  t.match(after.meta, { title: 'Heat (Director Edit)', overview: 'Changed plot.', genres: ['Thriller'] }, 'NFO applied except the locked title');
  const touched = [...env.tree()].filter(([p, i]) => before.get(p) !== i.updatedAt && i.kind === 'file' && i.mediaType === 'video').map(([p]) => p);
  t.same(touched, ['Movies/Heat (1995)/movie.mkv'], 'no other video re-identified');
  const search = items.searchByName('director edit', { kinds: ['file'] });
  t.same(search.items.map((i) => i.id), [heat.id], 'search follows the locked title');
  t.equal(items.searchByName('thriller', { kinds: ['file'] }).total, 1, 'genres are searchable');
  t.equal(items.searchByName('pacino', { kinds: ['file'] }).total, 0, 'people from the old NFO are gone');
});

t.test('removal prunes virtual items; counters and indexes stay consistent', async (t) => {
  const lotrId = byPath('Movies/The Lord of the Rings (2001)/The Lord of the Rings (2001) cd1.avi').meta?.virtualId as number;
  const multi = byPath('TV/Show Name/Season 02/Show.Name.S02E01E02.mkv');
  const counters = items.libraryCounters(env.library.id);
  t.equal(counters.fileCount, 11);
  t.match(counters.byCategory, { movie: { count: 5 }, tv: { count: 4 }, music: { count: 2 } });
  await unlink(join(root, 'Movies/The Lord of the Rings (2001)/The Lord of the Rings (2001) cd1.avi'));
  await scan();
  t.ok(items.get(lotrId), 'one part left: the movie stays');
  await unlink(join(root, 'Movies/The Lord of the Rings (2001)/The Lord of the Rings (2001) cd2.avi'));
  await unlink(join(root, 'TV/Show Name/Season 02/Show.Name.S02E01E02.mkv'));
  await scan();
  t.equal(items.get(lotrId), undefined, 'no file left: the movie goes');
  t.equal(items.get(multi.meta?.seasonId as number), undefined, 'empty season 2 goes');
  t.ok(items.get(multi.meta?.showId as number), 'the show keeps its other seasons');
  t.equal(items.libraryCounters(env.library.id).fileCount, 8);
  t.same(verifyIndexConsistency(env.store), []);
});
