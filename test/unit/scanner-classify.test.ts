import t from 'tap';
import { classify, createIgnoreMatcher, DEFAULT_IGNORE, extensionOf, baseNameOf } from '../../daemon/scanner/classify.js';

t.test('classify by extension (table)', async (t) => {
  const cases: [string, string, string | undefined][] = [
    ['photo.JPG', 'image', 'image/jpeg'], ['a.jpeg', 'image', 'image/jpeg'], ['x.png', 'image', 'image/png'],
    ['x.heic', 'image', 'image/heic'], ['x.avif', 'image', 'image/avif'], ['x.cr2', 'image', 'image/x-canon-cr2'],
    ['x.dng', 'image', 'image/x-adobe-dng'], ['x.tif', 'image', 'image/tiff'], ['x.svg', 'image', 'image/svg+xml'],
    ['movie.mkv', 'video', 'video/x-matroska'], ['clip.MP4', 'video', 'video/mp4'], ['a.ts', 'video', 'video/mp2t'],
    ['a.m2ts', 'video', 'video/mp2t'], ['a.webm', 'video', 'video/webm'], ['a.vob', 'video', 'video/dvd'],
    ['a.ogv', 'video', 'video/ogg'], ['a.3gp', 'video', 'video/3gpp'],
    ['song.mp3', 'audio', 'audio/mpeg'], ['song.flac', 'audio', 'audio/flac'], ['a.opus', 'audio', 'audio/opus'],
    ['a.dsf', 'audio', 'audio/x-dsf'], ['a.wv', 'audio', 'audio/x-wavpack'],
    ['list.m3u8', 'playlist', 'application/vnd.apple.mpegurl'], ['list.pls', 'playlist', 'audio/x-scpls'],
    ['list.xspf', 'playlist', 'application/xspf+xml'],
    ['movie.en.srt', 'subtitle', 'application/x-subrip'], ['a.ass', 'subtitle', 'text/x-ssa'],
    ['a.vtt', 'subtitle', 'text/vtt'], ['a.idx', 'subtitle', 'application/x-vobsub'], ['a.sup', 'subtitle', 'application/x-pgs'],
    ['movie.nfo', 'nfo', 'text/x-nfo'],
    ['readme.txt', 'other', undefined], ['noext', 'other', undefined], ['trailing.', 'other', undefined],
  ];
  for (const [name, mediaType, mime] of cases) {
    t.same(classify(name), mime ? { mediaType, mime } : { mediaType }, name);
  }
});

t.test('extension and base name helpers', async (t) => {
  const cases: [string, string, string][] = [
    ['movie.en.srt', '.srt', 'movie.en'], ['.hidden', '', '.hidden'], ['a', '', 'a'], ['A.MKV', '.mkv', 'A'],
  ];
  for (const [name, ext, base] of cases) {
    t.equal(extensionOf(name), ext, `ext of ${name}`);
    t.equal(baseNameOf(name), base, `base of ${name}`);
  }
});

t.test('default ignore list (table)', async (t) => {
  const sut = createIgnoreMatcher();
  const cases: [string, 'file' | 'dir', boolean][] = [
    ['.hidden', 'file', true], ['.git', 'dir', true], ['@eaDir', 'dir', true], ['#recycle', 'dir', true],
    ['.Trash-1000', 'dir', true], ['lost+found', 'dir', true], ['$RECYCLE.BIN', 'dir', true],
    ['System Volume Information', 'dir', true], ['.movie.mkv.alcove-tmp-3f2a', 'file', true],
    ['clip.mp4.lock', 'file', true], ['clip.mp4.trash', 'file', true], ['clip.mp4.seen', 'file', true],
    ['movie.mkv', 'file', false], ['Movies', 'dir', false], ['eaDir', 'dir', false], ['recycle', 'dir', false],
    ['lost', 'dir', false], ['a.locked', 'file', false],
  ];
  for (const [name, type, ignored] of cases) t.equal(sut(name, type), ignored, `${name} ignored=${ignored}`);
});

t.test('ignore list is configurable', async (t) => {
  const sut = createIgnoreMatcher([...DEFAULT_IGNORE, 'Extras', '*.part']);
  t.equal(sut('Extras', 'dir'), true);
  t.equal(sut('movie.mkv.part', 'file'), true);
  t.equal(sut('movie.mkv', 'file'), false);
  const none = createIgnoreMatcher([]);
  t.equal(none('.hidden', 'file'), false, 'an empty list ignores nothing');
  const regexChars = createIgnoreMatcher(['a+b (1).*']);
  t.equal(regexChars('a+b (1).txt', 'file'), true, 'regex metacharacters are literal');
  t.equal(regexChars('aab (1).txt', 'file'), false);
});
