/** daemon/media/lazy-modules.ts: heavy media libraries load once, on first use, configured. */
import t from 'tap';
import { loadExifr, loadMusicMetadata, loadSharp } from '../../daemon/media/lazy-modules.js';

t.test('sharp loads once with one libvips thread per image and no operation cache', async (t) => {
  const first = loadSharp();
  t.equal(loadSharp(), first, 'one load shared by every caller');
  const sharp = await first;
  t.equal(sharp.concurrency(), 1);
  t.same(sharp.cache(), { memory: { current: 0, high: 0, max: 0 }, files: { current: 0, max: 0 }, items: { current: 0, max: 0 } }, 'cache off');
  const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } }).png().toBuffer();
  t.equal(png.subarray(1, 4).toString(), 'PNG');
});

t.test('music-metadata and exifr load on demand', async (t) => {
  t.equal(typeof (await loadMusicMetadata()).parseBuffer, 'function');
  t.equal(loadMusicMetadata(), loadMusicMetadata());
  t.equal(typeof (await loadExifr()).parse, 'function');
});
