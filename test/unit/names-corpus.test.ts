/**
 * Table-driven name corpus (test/fixtures/names/*.json, 400+ names in the style of guessit,
 * Jellyfin naming and Sonarr/Radarr test cases): title, year, season, episode(s), air date,
 * part and edition. Titles compare folded (case, accents and punctuation ignored), since a
 * file name cannot carry "S.H.I.E.L.D." or "Schindler's" faithfully. Accuracy must stay
 * >= 98%; every miss is listed.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { parsePathName } from '../../daemon/metadata/names/path-name.js';

type MovieRow = [string, string, number | null, { part?: number; edition?: string }?];
type TvRow = [string, string, number | null, number | null, number | number[] | null, { date?: string }?];
const load = <T>(name: string): T[] => (JSON.parse(readFileSync(new URL(`../fixtures/names/${name}`, import.meta.url), 'utf8')) as { rows: T[] }).rows;
const movies = load<MovieRow>('movies.json');
const shows = load<TvRow>('tv.json');
const fold = (s: string | undefined): string => (s ?? '').normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

t.test('corpus size', async (t) => {
  t.ok(movies.length + shows.length >= 300, `${movies.length + shows.length} names`);
});

t.test('accuracy >= 98% (movies with library hint "movie", TV with "tv")', async (t) => {
  const misses: string[] = [];
  for (const [path, title, year, extra] of movies) {
    const sut = parsePathName(path, 'movie');
    const ok = sut.kind === 'movie' && fold(sut.title) === fold(title) && sut.year === (year ?? undefined)
      && (extra?.part === undefined || sut.part === extra.part) && (extra?.edition === undefined || sut.edition === extra.edition);
    if (!ok) misses.push(`${path} -> ${JSON.stringify(sut)}`);
  }
  for (const [path, title, year, season, episode, extra] of shows) {
    const sut = parsePathName(path, 'tv');
    const eps = Array.isArray(episode) ? episode : episode === null ? [] : [episode];
    const ok = sut.kind === 'episode' && fold(sut.title) === fold(title) && sut.year === (year ?? undefined)
      && sut.season === (season ?? undefined) && JSON.stringify(sut.episodes) === JSON.stringify(eps)
      && (extra?.date === undefined || sut.airDate === extra.date);
    if (!ok) misses.push(`${path} -> ${JSON.stringify(sut)}`);
  }
  const total = movies.length + shows.length;
  const accuracy = (total - misses.length) / total;
  t.comment(`accuracy ${(accuracy * 100).toFixed(2)}% (${total - misses.length}/${total})`);
  for (const m of misses) t.comment(`miss: ${m}`);
  t.ok(accuracy >= 0.98, `accuracy ${(accuracy * 100).toFixed(2)}%`);
});

t.test('without a hint, explicit episode markers still win and plain names are movies', async (t) => {
  t.match(parsePathName('Show.Name.S01E03.720p.mkv'), { kind: 'episode', title: 'Show Name', season: 1, episodes: [3] });
  t.match(parsePathName('Inception (2010)/Inception (2010).mkv'), { kind: 'movie', title: 'Inception', year: 2010 });
  t.match(parsePathName('Show/Season 2/Show - 2x05.mkv'), { kind: 'episode', title: 'Show', season: 2, episodes: [5] });
  t.match(parsePathName('The.Daily.Show.2023.01.17.720p.WEB.mkv', 'auto'), { kind: 'episode', airDate: '2023-01-17' });
  t.match(parsePathName('Movie.1080x720.mkv', 'auto'), { kind: 'movie' }, 'a frame size is not 1080x720 episode');
});

t.test('episode details: titles, specials, multi-episode', async (t) => {
  t.match(parsePathName('TV/Breaking Bad/Season 01/Breaking Bad - S01E02 - Cats in the Bag.mkv', 'tv'), { episodeTitle: 'Cats in the Bag' });
  t.match(parsePathName('Sherlock/Specials/Sherlock - S00E02.mkv', 'tv'), { season: 0, episodes: [2] });
  t.match(parsePathName('Firefly.S01E01E02E03.720p.mkv', 'tv'), { episodes: [1, 2, 3] });
  t.match(parsePathName('Show/Season 3/Episode 7.mkv', 'tv'), { title: 'Show', season: 3, episodes: [7] });
});
