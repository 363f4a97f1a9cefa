/**
 * Subtitle sync measurement with real ffmpeg: a generated clip whose audio has tones at
 * known, irregular times; an SRT whose cues match those tones, shifted by a known amount.
 * The measured offset must be within 200 ms of the shift (and ~0 for the unshifted file).
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectSpeech, parseSilenceLog, speechSpans } from '../../daemon/services/catalogizer/subtitles/speech-activity.js';
import { measureSync } from '../../daemon/services/catalogizer/subtitles/sync-measure.js';
import { parseSrt } from '../../daemon/media/subtitles/subtitle-convert.js';
import { cuesToSrt } from '../../daemon/services/catalogizer/subtitles/subtitle-text.js';

const run = promisify(execFile);
const dir = await mkdtemp(join(tmpdir(), 'alcove-sync-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));

/** Tone spans (seconds) at irregular times, so only one offset lines them all up. */
export const TONES: Array<[number, number]> = [[1.0, 2.5], [4.0, 4.8], [6.5, 9.0], [11.2, 12.0], [14.0, 16.5], [18.3, 19.1], [21.0, 23.4], [26.0, 26.9]];
const clip = join(dir, 'tones.mkv');
const expr = TONES.map(([a, b]) => `between(t,${a},${b})`).join('+');
await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10:duration=30',
  '-f', 'lavfi', '-i', `aevalsrc='0.5*sin(2*PI*440*t)*gt(${expr},0)':s=16000:d=30`, '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', clip]);

const cuesShifted = (shiftMs: number) => TONES.map(([a, b], i) => ({ startMs: a * 1000 + shiftMs, endMs: b * 1000 + shiftMs, text: `line ${i}` }));

t.test('silencedetect log parsing and the speech complement', async (t) => {
  const { silences, lastTimeMs } = parseSilenceLog([
    '[silencedetect @ 0x1] silence_start: 0', '[silencedetect @ 0x1] silence_end: 1.02 | silence_duration: 1.02',
    '[silencedetect @ 0x1] silence_start: 2.5', 'size=N/A time=00:00:05.00 bitrate=N/A',
  ]);
  t.same(silences, [[0, 1020], [2500, undefined]]);
  t.equal(lastTimeMs, 5000);
  t.same(speechSpans(silences, 5000), [[1020, 2500]]);
});

t.test('a 2.0 s late SRT measures +2000 ms within 200 ms; the aligned one ~0', async (t) => {
  const activity = await detectSpeech('ffmpeg', clip);
  t.ok(activity.durationMs > 29_000 && activity.durationMs <= 30_100, `analysed ${activity.durationMs} ms`);
  t.ok(activity.speech.length >= TONES.length - 1, `speech spans ${activity.speech.length}`);
  // Round-trip the cues through SRT text, as a stored file would be read.
  const late = measureSync(parseSrt(cuesToSrt(cuesShifted(2000))), activity.speech, activity.durationMs);
  t.ok(Math.abs(late.offsetMs - 2000) <= 200, `late offset ${late.offsetMs}`);
  t.equal(late.isSynced, false);
  t.ok(late.confidence >= 0.5, `confidence ${late.confidence}`);
  const early = measureSync(cuesShifted(-3500), activity.speech, activity.durationMs);
  t.ok(Math.abs(early.offsetMs + 3500) <= 200, `early offset ${early.offsetMs}`);
  const aligned = measureSync(cuesShifted(0), activity.speech, activity.durationMs);
  t.ok(Math.abs(aligned.offsetMs) <= 200, `aligned offset ${aligned.offsetMs}`);
  t.equal(aligned.isSynced, true);
  t.ok(aligned.samples.length > 0 && aligned.samples[0].subtitle_time === 1000);
});

t.test('no audio track is a validation error, not a crash', async (t) => {
  const silent = join(dir, 'video-only.mkv');
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=5:duration=2', '-c:v', 'libx264', '-preset', 'ultrafast', silent]);
  await t.rejects(detectSpeech('ffmpeg', silent), { code: 'VALIDATION', publicCode: 'NO_AUDIO' });
});
