/**
 * SRT/ASS/VTT -> WebVTT conversion and subtitle text decoding (table-driven).
 */
import t from 'tap';
import { cuesToVtt, formatOf, parseAss, parseSrt, parseTime, toWebVtt, vttTime } from '../../daemon/media/subtitles/subtitle-convert.js';
import { decodeSubtitleText, detectEncoding } from '../../daemon/media/subtitles/text-decode.js';
import { sidecarTags } from '../../daemon/services/playback/subtitle.service.js';

t.test('times', async (t) => {
  const rows: Array<[string, number | undefined]> = [
    ['00:01:02,345', 62_345], ['00:01:02.345', 62_345], ['01:02.5', 62_500], ['0:01:02.34', 62_340],
    ['10:00:00,000', 36_000_000], ['1:2:3', 3_723_000], ['nope', undefined], ['00:61', undefined],
  ];
  for (const [text, ms] of rows) t.equal(parseTime(text), ms, text);
  t.equal(vttTime(3_723_456), '01:02:03.456');
  t.equal(vttTime(-5), '00:00:00.000');
});

t.test('SRT', async (t) => {
  const srt = '\uFEFF1\r\n00:00:00,500 --> 00:00:02,000\r\n<font color="red">Hello</font> <I>there</I>\r\n\r\n'
    + '2\r\n00:00:02,500 --> 00:00:03,500 X1:10\r\n{\\an8}Top line\r\nsecond --> line\r\n\r\n\r\n3\r\nbroken timing\r\nignored\r\n';
  const cues = parseSrt(srt);
  t.same(cues, [
    { startMs: 500, endMs: 2000, text: 'Hello <i>there</i>' },
    { startMs: 2500, endMs: 3500, text: 'Top line\nsecond -> line' },
  ]);
  t.equal(toWebVtt('1\n00:00:01,000 --> 00:00:02,000\nHi\n', 'srt'), 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n');
});

t.test('ASS', async (t) => {
  const ass = [
    '[Script Info]', 'Title: x', '', '[V4+ Styles]', 'Format: Name, Fontname', 'Style: Default,Arial', '',
    '[Events]', 'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
    'Dialogue: 0,0:00:05.10,0:00:06.00,Default,,0,0,0,,Later, with a comma',
    'Comment: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,not shown',
    'Dialogue: 0,0:00:01.00,0:00:02.50,Default,,0,0,0,,{\\b1}Bold{\\b0}\\Nnext\\hline',
  ].join('\n');
  t.same(parseAss(ass), [
    { startMs: 1000, endMs: 2500, text: 'Bold\nnext line' },
    { startMs: 5100, endMs: 6000, text: 'Later, with a comma' },
  ], 'sorted, overrides removed, commas in text kept');
  const reordered = '[Events]\nFormat: Start, End, Text\nDialogue: 0:00:01.00,0:00:02.00,Short format';
  t.same(parseAss(reordered), [{ startMs: 1000, endMs: 2000, text: 'Short format' }], 'the Format line decides the columns');
  t.match(toWebVtt(ass, 'ass'), /^WEBVTT\n\n00:00:01\.000 --> 00:00:02\.500\nBold\nnext line\n/);
});

t.test('VTT passthrough and formats', async (t) => {
  t.equal(toWebVtt('WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nx\r\n', 'vtt'), 'WEBVTT\n\n00:01.000 --> 00:02.000\nx\n');
  t.equal(toWebVtt('00:01.000 --> 00:02.000\nx\n', 'vtt'), 'WEBVTT\n\n00:01.000 --> 00:02.000\nx\n');
  t.equal(cuesToVtt([]), 'WEBVTT\n');
  t.equal(formatOf('a.SRT'), 'srt');
  t.equal(formatOf('a.sub'), undefined);
});

t.test('encodings', async (t) => {
  const text = 'Voilà, café über';
  const utf8 = Buffer.from(text, 'utf8');
  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]);
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const beBody = Buffer.from(text, 'utf16le');
  for (let i = 0; i < beBody.length; i += 2) { const x = beBody[i]; beBody[i] = beBody[i + 1]; beBody[i + 1] = x; }
  const be = Buffer.concat([Buffer.from([0xfe, 0xff]), beBody]);
  const cp1252 = Buffer.from([0x56, 0x6f, 0x69, 0x6c, 0xe0, 0x2c, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x20, 0xfc, 0x62, 0x65, 0x72]);
  const rows: Array<[string, Buffer, string]> = [['utf-8', utf8, 'utf-8'], ['utf-8 bom', bom, 'utf-8-bom'], ['utf-16le', le, 'utf-16le'], ['utf-16be', be, 'utf-16be'], ['windows-1252', cp1252, 'windows-1252']];
  for (const [name, bytes, enc] of rows) {
    t.equal(detectEncoding(bytes), enc, `${name} detected`);
    t.equal(decodeSubtitleText(bytes).text, text, `${name} decoded`);
  }
  t.equal(decodeSubtitleText(Buffer.from([0x93, 0x48, 0x69, 0x94])).text, '\u201CHi\u201D', 'cp1252 curly quotes (not Latin-1 control codes)');
  t.equal(decodeSubtitleText(Buffer.from('plain ascii')).encoding, 'utf-8');
});

t.test('sidecar names', async (t) => {
  t.same(sidecarTags('Movie (2020).en.srt'), { language: 'en', forced: false, default: false });
  t.same(sidecarTags('Movie.fre.forced.srt'), { language: 'fre', forced: true, default: false });
  t.same(sidecarTags('Movie.srt'), { language: undefined, forced: false, default: false });
  t.same(sidecarTags('Movie.eng.sdh.default.ass'), { language: 'eng', forced: false, default: true });
});
