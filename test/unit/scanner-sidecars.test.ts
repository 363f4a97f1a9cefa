import t from 'tap';
import { matchSidecars, parseSubtitleName, isSidecarName, type SidecarCandidate } from '../../daemon/scanner/sidecars.js';
import { classify } from '../../daemon/scanner/classify.js';

function entries(names: string[]): SidecarCandidate[] {
  return names.map((name, i) => ({ id: i + 1, name, mediaType: classify(name).mediaType }));
}
function byName(list: SidecarCandidate[], result: Map<number, number[]>): Record<string, string[]> {
  const name = (id: number): string => list.find((e) => e.id === id)?.name ?? '?';
  const out: Record<string, string[]> = {};
  for (const [owner, ids] of result) out[name(owner)] = ids.map(name).sort();
  return out;
}

t.test('subtitle name parsing (table)', async (t) => {
  const cases: [string, string, ReturnType<typeof parseSubtitleName>][] = [
    ['movie.srt', 'movie', { forced: false, sdh: false, default: false }],
    ['movie.en.srt', 'movie', { language: 'en', forced: false, sdh: false, default: false }],
    ['movie.eng.forced.srt', 'movie', { language: 'eng', forced: true, sdh: false, default: false }],
    ['movie.pt-BR.srt', 'movie', { language: 'pt-br', forced: false, sdh: false, default: false }],
    ['movie.English.sdh.srt', 'movie', { language: 'en', forced: false, sdh: true, default: false }],
    ['movie.de.default.ass', 'movie', { language: 'de', forced: false, sdh: false, default: true }],
    ['movie.forced.srt', 'movie', { forced: true, sdh: false, default: false }],
  ];
  for (const [name, base, want] of cases) t.same(parseSubtitleName(name, base), want, name);
});

t.test('subtitles and nfo attach by base name', async (t) => {
  const list = entries([
    'movie.mkv', 'movie.srt', 'movie.en.srt', 'movie.eng.forced.srt', 'movie.nfo', 'movie.idx', 'movie.sub',
    'other.mp4', 'other.fr.vtt', 'orphan.srt', 'tvshow.nfo', 'cover.jpg',
  ]);
  t.same(byName(list, matchSidecars(list)), {
    'movie.mkv': ['movie.en.srt', 'movie.eng.forced.srt', 'movie.idx', 'movie.nfo', 'movie.srt', 'movie.sub'],
    'other.mp4': ['other.fr.vtt'],
  });
});

t.test('longest base name wins when names share a prefix', async (t) => {
  const list = entries(['show.mkv', 'show.part2.mkv', 'show.part2.en.srt', 'show.en.srt']);
  t.same(byName(list, matchSidecars(list)), {
    'show.mkv': ['show.en.srt'],
    'show.part2.mkv': ['show.part2.en.srt'],
  });
});

t.test('movie.nfo belongs to the folder single video only', async (t) => {
  const single = entries(['The.Film.2019.mkv', 'movie.nfo', 'folder.jpg']);
  t.same(byName(single, matchSidecars(single)), { 'The.Film.2019.mkv': ['movie.nfo'] });
  const two = entries(['a.mkv', 'b.mkv', 'movie.nfo']);
  t.same(byName(two, matchSidecars(two)), {}, 'ambiguous with two videos');
  const show = entries(['ep1.mkv', 'tvshow.nfo', 'season.nfo']);
  t.same(byName(show, matchSidecars(show)), {}, 'tvshow.nfo and season.nfo are folder metadata');
});

t.test('audio gets its nfo but not subtitles', async (t) => {
  const list = entries(['track.flac', 'track.nfo', 'track.srt']);
  t.same(byName(list, matchSidecars(list)), { 'track.flac': ['track.nfo'] });
});

t.test('isSidecarName', async (t) => {
  for (const n of ['a.srt', 'a.NFO', 'a.idx', 'a.sup', 'a.vtt']) t.equal(isSidecarName(n), true, n);
  for (const n of ['a.mkv', 'a.txt', 'srt']) t.equal(isSidecarName(n), false, n);
});
