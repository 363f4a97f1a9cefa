/** Kodi .nfo parsing: movie, tvshow, episodedetails, Kodi 18 ratings, URL NFOs, junk. */
import t from 'tap';
import { parseNfo } from '../../daemon/metadata/nfo.js';

t.test('movie nfo: every field', async (t) => {
  const sut = parseNfo(`\uFEFF<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<movie>
  <title>Le Fabuleux Destin d'Amélie Poulain</title>
  <originaltitle>Le Fabuleux Destin d&apos;Amélie Poulain</originaltitle>
  <sorttitle>Fabuleux Destin</sorttitle>
  <year>2001</year>
  <plot>Amélie &amp; her quiet world.</plot>
  <genre>Comedy / Romance</genre><genre>Comedy</genre>
  <ratings><rating name="imdb" max="10" default="true"><value>8.3</value><votes>700000</votes></rating></ratings>
  <runtime>122</runtime>
  <uniqueid type="tmdb">194</uniqueid><uniqueid type="imdb" default="true">tt0211915</uniqueid>
  <director>Jean-Pierre Jeunet</director>
  <actor><name>Audrey Tautou</name><role>Amélie Poulain</role><order>0</order></actor>
  <actor><name>Mathieu Kassovitz</name><role>Nino Quincampoix</role></actor>
</movie>`);
  t.match(sut, {
    type: 'movie', title: "Le Fabuleux Destin d'Amélie Poulain", originalTitle: "Le Fabuleux Destin d'Amélie Poulain",
    sortTitle: 'Fabuleux Destin', year: 2001, plot: 'Amélie & her quiet world.', genres: ['Comedy', 'Romance'],
    rating: 8.3, runtimeMin: 122, tmdbId: 194, imdbId: 'tt0211915',
  });
  t.same(sut?.people, [
    { name: 'Audrey Tautou', role: 'Amélie Poulain', type: 'actor' },
    { name: 'Mathieu Kassovitz', role: 'Nino Quincampoix', type: 'actor' },
    { name: 'Jean-Pierre Jeunet', type: 'director' },
  ]);
});

t.test('tvshow and episodedetails', async (t) => {
  t.match(parseNfo('<tvshow><title>Breaking Bad</title><premiered>2008-01-20</premiered><rating>9.5</rating><uniqueid type="tvdb">81189</uniqueid><genre>Drama</genre></tvshow>'),
    { type: 'tvshow', title: 'Breaking Bad', year: 2008, rating: 9.5, tvdbId: 81189, genres: ['Drama'] });
  t.match(parseNfo('<episodedetails><title>Pilot</title><season>1</season><episode>1</episode><aired>2008-01-20</aired><showtitle>Breaking Bad</showtitle></episodedetails>'),
    { type: 'episodedetails', title: 'Pilot', season: 1, episode: 1, year: 2008, showTitle: 'Breaking Bad' });
});

t.test('URL nfo and junk', async (t) => {
  t.same(parseNfo('https://www.imdb.com/title/tt1375666/'), { type: 'url', imdbId: 'tt1375666' });
  t.same(parseNfo('https://www.themoviedb.org/movie/27205-inception'), { type: 'url', tmdbId: 27205 });
  t.equal(parseNfo('just some release notes'), undefined);
  t.equal(parseNfo('<musicvideo><title>x</title></musicvideo>'), undefined);
  // fast-xml-parser is lenient: a truncated file yields what could be read, never a throw.
  t.same(parseNfo('<movie><title>broken'), { type: 'movie' }, 'truncated XML: nothing usable, no throw');
});
