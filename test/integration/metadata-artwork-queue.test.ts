/**
 * New images re-identify only the media files that can use them as artwork, with at most
 * one walk of a folder per items batch (a 10,000-image folder used to be walked once per
 * image: quadratic). Real scans of a memory: tree over a real LMDB index; IdentifyService
 * gets its own view of the index whose iterateChildren calls are counted (the scanner's
 * own listing is not), and FileIdentifier.identify is wrapped to record what ran.
 */
import t, { type Test } from 'tap';
import type { IndexStore, ItemRepo } from '../../daemon/domain/ports.js';
import type { Item } from '../../daemon/domain/types.js';
import { silentLogger } from '../../daemon/log/logger.js';
import { artworkScope, findArtwork } from '../../daemon/metadata/artwork.js';
import { FileIdentifier } from '../../daemon/metadata/identify-file.js';
import { IdentifyService } from '../../daemon/metadata/identify.service.js';
import { MemoryAdapter } from '../../storage-adapters/memory/memory.adapter.js';
import { makeScanEnv } from './scan-harness.js';

const mem = new MemoryAdapter();
for (const name of ['A.mkv', 'B.mkv', 'C.mkv', 'D.mp4']) mem.seed(`Many/${name}`, Buffer.alloc(64));
mem.seed('Other/E.mkv', Buffer.alloc(64));
// One batch per scan: every image of a step arrives in a single items.added event.
const env = await makeScanEnv(t, { adapter: mem, url: 'memory://test', scanOptions: { batchSize: 10_000 } });
const items = env.store.items;

const walks: number[] = [];
const counted = new Proxy(env.index.items, {
  get(target, prop, receiver) {
    if (prop === 'iterateChildren') return (dir: number) => { walks.push(dir); return target.iterateChildren(dir); };
    const value: unknown = Reflect.get(target, prop, receiver);
    return typeof value === 'function' ? value.bind(target) : value;
  },
}) as ItemRepo;
const index: IndexStore = { ...env.index, items: counted };

const identified: number[] = [];
const original = FileIdentifier.prototype.identify;
FileIdentifier.prototype.identify = function identify(this: FileIdentifier, file: Item) {
  identified.push(file.id);
  return original.call(this, file);
};
t.teardown(() => { FileIdentifier.prototype.identify = original; });

const sut = new IdentifyService({ index, getAdapter: env.getAdapter, events: env.events, logger: silentLogger() });
sut.start();
t.teardown(() => sut.stop());

const byPath = (rel: string): Item => env.tree().get(rel) as Item;
const name = (id: number): string => items.get(id)!.relPath;

/** Seed images, full rescan, wait for identification; what was walked and identified. */
async function addImages(names: string[]): Promise<{ walked: string[]; ran: string[] }> {
  for (const n of names) mem.seed(`Many/${n}`, Buffer.alloc(64));
  walks.length = 0;
  identified.length = 0;
  await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  await sut.idle();
  return { walked: walks.map(name), ran: identified.map(name).sort() };
}

const photos = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => `IMG_${String(from + i).padStart(5, '0')}.jpg`);

/** Every media file of Many carries exactly the artwork findArtwork finds now. */
async function artworkUpToDate(t: Test): Promise<void> {
  for (const f of ['A.mkv', 'B.mkv', 'C.mkv', 'D.mp4']) {
    const file = byPath(`Many/${f}`);
    const want = await findArtwork(env.store, file);
    t.same({ poster: file.meta?.posterItemId, fanart: file.meta?.fanartItemId }, { poster: want.posterItemId, fanart: want.fanartItemId }, `${f} artwork current`);
  }
}

t.test('first scan identifies every media file', async (t) => {
  const r = await addImages([]);
  t.same(r.ran, ['Many/A.mkv', 'Many/B.mkv', 'Many/C.mkv', 'Many/D.mp4', 'Other/E.mkv']);
  t.same(r.walked, [], 'no images, no walk');
});

t.test('a batch of 2,000 photos: no folder walk, nothing re-identified', async (t) => {
  const r = await addImages(photos(0, 2000));
  t.equal(r.walked.length, 0, 'IMG_*.jpg is nobody\'s artwork');
  t.same(r.ran, []);
});

t.test('a batch of 2,000 images with per-file artwork: one walk, only the matching files', async (t) => {
  const r = await addImages([...photos(2000, 1998), 'A-poster.jpg', 'B-fanart.png']);
  t.same(r.walked, ['Many'], 'the folder is walked once for the whole batch');
  t.same(r.ran, ['Many/A.mkv', 'Many/B.mkv']);
  t.equal(name(byPath('Many/A.mkv').meta?.posterItemId as number), 'Many/A-poster.jpg');
  t.equal(name(byPath('Many/B.mkv').meta?.fanartItemId as number), 'Many/B-fanart.png');
  await artworkUpToDate(t);
});

t.test('folder-wide artwork in a batch of 1,000: one walk, every media file of that folder only', async (t) => {
  const r = await addImages([...photos(4000, 998), 'fanart.jpg', 'C-poster.jpg']);
  t.same(r.walked, ['Many']);
  t.same(r.ran, ['Many/A.mkv', 'Many/B.mkv', 'Many/C.mkv', 'Many/D.mp4'], 'not Other/E.mkv');
  t.equal(name(byPath('Many/D.mp4').meta?.fanartItemId as number), 'Many/fanart.jpg');
  await artworkUpToDate(t);
});

t.test('artworkScope: which media files of the folder an image can serve', async (t) => {
  const cases: [string, ReturnType<typeof artworkScope>][] = [
    ['poster.jpg', { folder: true }], ['Folder.JPG', { folder: true }], ['cover.png', { folder: true }],
    ['fanart.webp', { folder: true }], ['backdrop.jpeg', { folder: true }],
    ['season01-poster.jpg', { folder: true }], ['season-specials-poster.jpg', { folder: true }],
    ['Inception (2010)-poster.jpg', { folder: false, base: 'inception (2010)' }],
    ['Show.S01E02-FANART.png', { folder: false, base: 'show.s01e02' }],
    ['IMG_0001.jpg', undefined], ['poster-art.jpg', undefined], ['thumb.jpg', undefined],
  ];
  for (const [image, want] of cases) t.same(artworkScope(image), want, image);
});
