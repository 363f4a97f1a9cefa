/**
 * Parts of Catalogizer conversion with the real system ffmpeg: capability parsing of
 * `ffmpeg -formats` / `-encoders`, the supported-format lists, argument building (each
 * built command run for real), settings validation and progress parsing.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpegCapabilities, outputPlan, parseEncoders, parseFormats, supportedFormats } from '../../daemon/services/catalogizer/conversion/formats.js';
import { buildConversionArgs, parseSettings } from '../../daemon/services/catalogizer/conversion/ffmpeg-args.js';
import { parseProgressTime, runConversion } from '../../daemon/services/catalogizer/conversion/ffmpeg-run.js';

const run = promisify(execFile);
const dir = await mkdtemp(join(tmpdir(), 'alcove-convparts-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
const src = join(dir, 'src.mp4');
await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25:duration=3', '-f', 'lavfi', '-i', 'sine=duration=3',
  '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', src]);

t.test('format and encoder tables parse', async (t) => {
  const f = parseFormats(' D. = Demuxing supported\n .E = Muxing supported\n --\n D  3dostr          3DO STR\n  E 3g2             3GP2\n DE asf             ASF\n D  matroska,webm   Matroska / WebM\n DEd lavfi          Libavfilter\n');
  t.same([...f.demuxers].sort(), ['3dostr', 'asf', 'lavfi', 'matroska', 'webm']);
  t.same([...f.muxers].sort(), ['3g2', 'asf', 'lavfi']);
  t.same([...parseEncoders('Encoders:\n V..... = Video\n ------\n V....D libx264              H.264\n A....D aac                  AAC\n')], ['libx264', 'aac']);
});

t.test('the local ffmpeg: lists and plans', async (t) => {
  const caps = await ffmpegCapabilities('ffmpeg');
  t.equal(await ffmpegCapabilities('ffmpeg'), caps, 'cached');
  t.ok(caps.encoders.has('aac') && caps.muxers.has('mp4') && caps.demuxers.has('matroska'));
  const lists = supportedFormats(caps);
  t.ok(lists.video.output.includes('mp4') && lists.audio.output.includes('wav') && lists.image.output.includes('png'));
  t.notOk(lists.video.output.includes('3gp'), '3gp is input only');
  t.same(outputPlan('mp3', { ...caps, encoders: new Set(['aac']) }), undefined, 'no encoder, no output');
  t.match(outputPlan('mkv', caps), { muxer: 'matroska', video: 'libx264', audio: 'aac' });
});

t.test('built commands run and give what was asked', async (t) => {
  const caps = await ffmpegCapabilities('ffmpeg');
  const cases: Array<{ ext: string; type: 'video' | 'audio' | 'image'; settings: string | undefined; check: RegExp }> = [
    { ext: 'mkv', type: 'video', settings: '{"resolution":"80x60","fps":10}', check: /"width": 80/ },
    { ext: 'flac', type: 'audio', settings: '{"sample_rate":22050,"channels":1}', check: /"sample_rate": "22050"/ },
    { ext: 'ogg', type: 'audio', settings: undefined, check: /"codec_name": "vorbis"/ },
    { ext: 'png', type: 'image', settings: '{"width":40}', check: /"width": 40/ },
  ];
  for (const c of cases) {
    const out = join(dir, `out.${c.ext}`);
    const seen: number[] = [];
    await runConversion('ffmpeg', buildConversionArgs({ input: src, output: out, type: c.type, plan: outputPlan(c.ext, caps)!, quality: 'medium', settings: parseSettings(c.settings) }),
      { durationMs: c.type === 'image' ? undefined : 3000, signal: new AbortController().signal, onPercent: (p) => seen.push(p) });
    const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', out]);
    t.match(stdout, c.check, c.ext);
    t.ok(seen.every((p, i) => p >= 0 && p <= 99 && (i === 0 || p >= seen[i - 1])), `${c.ext} progress monotonic ${seen.join(',')}`);
  }
  const ctrl = new AbortController();
  const p = runConversion('ffmpeg', ['-hide_banner', '-f', 'lavfi', '-i', 'testsrc2=duration=600', '-f', 'null', '-'], { signal: ctrl.signal, onPercent: () => undefined });
  setTimeout(() => ctrl.abort(new Error('stop')), 200);
  await t.rejects(p, { message: 'stop' }, 'abort kills ffmpeg');
  await t.rejects(runConversion('ffmpeg', ['-i', join(dir, 'missing.mkv'), '-f', 'null', '-'], { signal: new AbortController().signal, onPercent: () => undefined }), { name: 'FfmpegFailed' });
});

t.test('settings are a closed whitelist', async (t) => {
  t.same(parseSettings('{"bitrate":"320k"}'), { audio_bitrate: '320k' });
  t.same(parseSettings({ resolution: '1280x720' }), { width: 1280, height: 720 });
  for (const bad of ['{"bitrate":"-vf evil"}', '{"fps":0}', '{"x":1}', '[1]', 'nope', '{"resolution":"big"}']) {
    t.throws(() => parseSettings(bad), { name: 'DomainError', publicCode: 'INVALID_SETTINGS' }, bad);
  }
  t.equal(parseProgressTime('frame=1\nout_time_us=1500000\nout_time_ms=2500000\nprogress=continue\n'), 2500);
});
