/**
 * Parts of the Catalogizer subtitle service against real servers on 127.0.0.1: the
 * OpenSubtitles client's error mapping (401 -> 503, 429 -> 429 with Retry-After), the
 * LibreTranslate client, subtitle text normalisation (UTF-16, MicroDVD .txt, no cues), the
 * moviehash on a real local adapter, and file-name guessing.
 */
import t from 'tap';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenSubtitlesClient } from '../../daemon/services/catalogizer/subtitles/opensubtitles.client.js';
import { LibreTranslateClient } from '../../daemon/services/catalogizer/subtitles/translate.client.js';
import { normalizeSubtitle, parseMicroDvd } from '../../daemon/services/catalogizer/subtitles/subtitle-text.js';
import { movieHash, movieHashOf } from '../../daemon/services/catalogizer/subtitles/movie-hash.js';
import { guessFromFileName } from '../../daemon/services/catalogizer/subtitles/subtitle.service.js';
import { startFakeOpenSubtitles } from '../helpers/fake-opensubtitles.js';
import { createLocalAdapter } from '../../storage-adapters/local/local.adapter.js';

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

t.test('OpenSubtitles client: search/download shapes and error mapping', async (t) => {
  const fake = await startFakeOpenSubtitles('k1', [{ fileId: 5, language: 'de', title: 'Lola rennt', year: 1998, fileName: 'lola.de.srt', body: Buffer.from('1\n00:00:01,000 --> 00:00:02,000\nLauf\n') }]);
  t.teardown(() => fake.stop());
  const sut = new OpenSubtitlesClient({ baseUrl: fake.baseUrl, apiKey: 'k1', userAgent: 'Alcove test' });
  const hits = await sut.search({ query: 'Lola', languages: ['DE'] });
  t.match(hits, [{ fileId: 5, language: 'de', title: 'Lola rennt', year: 1998, fileName: 'lola.de.srt', rating: 8.5 }]);
  t.equal((await sut.download(5)).data.toString(), '1\n00:00:01,000 --> 00:00:02,000\nLauf\n');
  const wrongKey = new OpenSubtitlesClient({ baseUrl: fake.baseUrl, apiKey: 'nope', userAgent: 'Alcove test' });
  await t.rejects(wrongKey.search({ query: 'x' }), { code: 'UNAVAILABLE', publicCode: 'PROVIDER_AUTH' });
  const limited = await serve((_req, res) => { res.writeHead(429, { 'retry-after': '7' }); res.end('{}'); });
  t.teardown(() => limited.server.close());
  await t.rejects(new OpenSubtitlesClient({ baseUrl: limited.url, apiKey: 'k', userAgent: 'u' }).search({ query: 'x' }), { code: 'TOO_MANY', retryAfterSec: 7 });
  await t.rejects(new OpenSubtitlesClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k', userAgent: 'u' }).search({ query: 'x' }), { name: 'DomainError', publicCode: 'PROVIDER_UNAVAILABLE' });
});

t.test('LibreTranslate client batches and maps the answer', async (t) => {
  const seen: any[] = [];
  const lt = await serve((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const q = JSON.parse(body);
      seen.push(q);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ translatedText: q.q.map((s: string) => `[${q.target}] ${s}`) }));
    });
  });
  t.teardown(() => lt.server.close());
  const sut = new LibreTranslateClient({ url: lt.url, apiKey: 'sekrit', batch: 2 });
  t.same(await sut.translate(['a', 'b', 'c'], 'en', 'es'), ['[es] a', '[es] b', '[es] c']);
  t.equal(seen.length, 2);
  t.match(seen[0], { source: 'en', target: 'es', format: 'text', api_key: 'sekrit', q: ['a', 'b'] });
});

t.test('subtitle text normalisation', async (t) => {
  const srt = '1\r\n00:00:01,000 --> 00:00:02,500\r\nGr\u00fc\u00dfe\r\n';
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(srt, 'utf16le')]);
  const a = normalizeSubtitle(utf16, 'x.srt');
  t.equal(a.encoding, 'utf-16le');
  t.equal(a.text, '1\n00:00:01,000 --> 00:00:02,500\nGr\u00fc\u00dfe\n');
  t.same(a.cues, [{ startMs: 1000, endMs: 2500, text: 'Gr\u00fc\u00dfe' }]);
  const micro = normalizeSubtitle(Buffer.from('{1}{1}25\n{25}{50}Hello|world\n'), 'x.txt');
  t.equal(micro.format, 'srt');
  t.same(micro.cues, [{ startMs: 1000, endMs: 2000, text: 'Hello\nworld' }]);
  t.match(micro.text, /00:00:01,000 --> 00:00:02,000\nHello\nworld/);
  t.same(parseMicroDvd('{0}{}x', 10), [{ startMs: 0, endMs: 2000, text: 'x' }]);
  const vtt = normalizeSubtitle(Buffer.from('WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n'), 'x.vtt');
  t.equal(vtt.cues.length, 1);
  const ass = normalizeSubtitle(Buffer.from('[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:03.00,0:00:04.00,Default,,0,0,0,,Hi, there\n'), 'x.ass');
  t.same(ass.cues, [{ startMs: 3000, endMs: 4000, text: 'Hi, there' }]);
  t.throws(() => normalizeSubtitle(Buffer.from('no cues here'), 'x.srt'), { name: 'DomainError', publicCode: 'INVALID_SUBTITLE' });
  t.throws(() => normalizeSubtitle(Buffer.from('x'), 'x.doc'), { name: 'DomainError', publicCode: 'UNSUPPORTED_FORMAT' });
});

t.test('moviehash through a real local adapter', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-hash-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'zeros.bin'), Buffer.alloc(300_000));
  const adapter = createLocalAdapter({ url: new URL(`file://${dir}`) });
  t.equal(await movieHash(adapter, 'zeros.bin', 300_000), (300_000).toString(16).padStart(16, '0'), 'zeros sum to the size');
  const head = Buffer.alloc(65_536); head.writeBigUInt64LE(0xffffffffffffffffn, 0);
  t.equal(movieHashOf(2, head, Buffer.alloc(65_536)), '0000000000000001', 'wraps modulo 2^64');
  t.equal(await movieHash(adapter, 'zeros.bin', 1000), undefined, 'small files have none');
  await adapter.close();
});

t.test('title guessing from file names', async (t) => {
  t.same(guessFromFileName('The.Matrix.1999.1080p.BluRay.mkv'), { title: 'The Matrix', year: 1999, season: undefined, episode: undefined });
  t.match(guessFromFileName('Dark.S02E05.720p.mkv'), { title: 'Dark', season: 2, episode: 5 });
  t.match(guessFromFileName('home_video.mp4'), { title: 'home video' });
});
