/**
 * Speech activity of a media file's first audio track: ffmpeg's silencedetect over a
 * resampled mono copy, read line by line from stderr (the full list can be long, so it is
 * parsed as it streams rather than collected). Non-silent spans are returned in ms.
 *
 * Contract: analyses at most `windowMs` from the start; the child is SIGKILLed on abort or
 * timeout and always reaped before the promise settles.
 */
import { spawn } from 'node:child_process';
import { UnavailableError, ValidationError } from '../../../domain/errors.js';

export interface SpeechActivity { durationMs: number; speech: Array<[number, number]> }

export interface SpeechOptions { windowMs?: number; noiseDb?: number; minSilenceSec?: number; timeoutMs?: number; signal?: AbortSignal }

/** Parse silencedetect output lines into silences; `time=` progress gives the analysed span. */
export function parseSilenceLog(lines: Iterable<string>): { silences: Array<[number, number | undefined]>; lastTimeMs: number } {
  const silences: Array<[number, number | undefined]> = [];
  let lastTimeMs = 0;
  for (const line of lines) {
    const s = /silence_start:\s*(-?[\d.]+)/.exec(line);
    if (s) silences.push([Math.max(0, Number(s[1]) * 1000), undefined]);
    const e = /silence_end:\s*([\d.]+)/.exec(line);
    if (e && silences.length && silences[silences.length - 1][1] === undefined) silences[silences.length - 1][1] = Number(e[1]) * 1000;
    const t = /time=(\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(line);
    if (t) lastTimeMs = ((Number(t[1]) * 60 + Number(t[2])) * 60 + Number(t[3])) * 1000;
  }
  return { silences, lastTimeMs };
}

/** The complement of the silences within [0, durationMs]. */
export function speechSpans(silences: ReadonlyArray<readonly [number, number | undefined]>, durationMs: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let at = 0;
  for (const [s, e] of silences) {
    if (s > at) out.push([at, Math.min(s, durationMs)]);
    at = Math.max(at, e ?? durationMs);
  }
  if (at < durationMs) out.push([at, durationMs]);
  return out.filter(([a, b]) => b > a);
}

export function detectSpeech(ffmpegPath: string, input: string, options: SpeechOptions = {}): Promise<SpeechActivity> {
  const windowSec = (options.windowMs ?? 600_000) / 1000;
  const args = ['-hide_banner', '-nostdin', '-i', input, '-t', String(windowSec), '-map', '0:a:0', '-vn', '-sn', '-dn',
    '-af', `aresample=16000,silencedetect=noise=${options.noiseDb ?? -35}dB:d=${options.minSilenceSec ?? 0.25}`, '-f', 'null', '-'];
  return new Promise<SpeechActivity>((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const lines: string[] = [];
    let partial = '';
    let tail = '';
    let failure: Error | undefined;
    const kill = (err: Error): void => { failure ??= err; if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
    const timer = setTimeout(() => kill(new UnavailableError('Speech analysis timed out', 'SYNC_VERIFICATION_FAILED')), options.timeoutMs ?? 300_000);
    const onAbort = (): void => kill(new Error('aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const parts = (partial + chunk).split(/\r|\n/);
      partial = parts.pop() ?? '';
      for (const p of parts) if (p.includes('silence') || p.includes('time=')) lines.push(p);
      tail = (tail + chunk).slice(-2000);
    });
    child.once('error', (err) => kill(err));
    child.once('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (partial) lines.push(partial);
      if (failure) { reject(failure); return; }
      if (code !== 0) {
        if (/matches no streams|does not contain any stream/i.test(tail)) reject(new ValidationError('The media has no audio track to compare with', undefined, 'NO_AUDIO'));
        else reject(new UnavailableError(`Speech analysis failed: ${tail.trim().split('\n').pop() ?? ''}`, 'SYNC_VERIFICATION_FAILED'));
        return;
      }
      const { silences, lastTimeMs } = parseSilenceLog(lines);
      const durationMs = Math.min(lastTimeMs || windowSec * 1000, windowSec * 1000);
      resolve({ durationMs, speech: speechSpans(silences, durationMs) });
    });
  });
}
