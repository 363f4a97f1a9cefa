/**
 * Measures how far a subtitle's cues are shifted against the audio's speech activity.
 *
 * Both sides become binary signals on a fixed grid (default 20 ms): "a cue is on screen"
 * and "the audio is not silent" (silence from ffmpeg silencedetect). For every candidate
 * offset d in [-max, +max] the Pearson correlation of cue(t + d) with speech(t) is computed
 * over the analysed span; the best d (refined between grid points by a parabola through its
 * neighbours) is the offset. Positive offset = the subtitles come LATE (shift them earlier
 * by that much). Confidence = the peak correlation, scaled down when another offset at
 * least 500 ms away correlates almost as well (periodic or featureless audio).
 * Pure; O(bins x offsets), ~30M steps for a 10-minute window.
 */
import type { Cue } from '../../../media/subtitles/subtitle-convert.js';

export interface SyncMeasureOptions { maxOffsetMs?: number; stepMs?: number; syncedWithinMs?: number }

export interface SamplePoint { subtitle_time: number; video_time: number; text: string; confidence: number }

export interface SyncMeasurement {
  offsetMs: number;
  confidence: number;
  isSynced: boolean;
  /** Cues inside the analysed span. */
  cuesUsed: number;
  samples: SamplePoint[];
}

type Span = readonly [number, number];

function fill(bins: Uint8Array, spans: Iterable<Span>, step: number, shiftBins = 0): void {
  for (const [s, e] of spans) {
    const a = Math.max(0, Math.floor(s / step) + shiftBins);
    const b = Math.min(bins.length, Math.ceil(e / step) + shiftBins);
    for (let i = a; i < b; i++) bins[i] = 1;
  }
}

function correlation(x: Uint8Array, y: Uint8Array, k: number): number {
  // Pairs (x[i], y[i + k]) over the overlap.
  const lo = Math.max(0, -k);
  const hi = Math.min(x.length, y.length - k);
  let n = 0; let sx = 0; let sy = 0; let sxy = 0;
  for (let i = lo; i < hi; i++) {
    const a = x[i]; const b = y[i + k];
    sx += a; sy += b; sxy += a & b; n++;
  }
  if (n === 0) return 0;
  // Binary signals: sum of squares = sum.
  const cov = sxy - (sx * sy) / n;
  const vx = sx - (sx * sx) / n;
  const vy = sy - (sy * sy) / n;
  return vx <= 0 || vy <= 0 ? 0 : cov / Math.sqrt(vx * vy);
}

export function measureSync(cues: readonly Cue[], speech: readonly Span[], durationMs: number, options: SyncMeasureOptions = {}): SyncMeasurement {
  const step = options.stepMs ?? 20;
  const maxOffset = options.maxOffsetMs ?? 10_000;
  const within = options.syncedWithinMs ?? 250;
  const maxK = Math.round(maxOffset / step);
  const n = Math.max(1, Math.ceil(durationMs / step));
  const used = cues.filter((c) => c.endMs > -maxOffset && c.startMs < durationMs + maxOffset);
  const speechBins = new Uint8Array(n);
  fill(speechBins, speech, step);
  // Cue signal padded by maxK on both sides, so shifted comparisons stay in range.
  const cueBins = new Uint8Array(n + 2 * maxK);
  fill(cueBins, used.map((c) => [c.startMs, c.endMs] as const), step, maxK);

  const scores = new Float64Array(2 * maxK + 1);
  let best = 0;
  for (let j = 0; j < scores.length; j++) {
    scores[j] = correlation(speechBins, cueBins, j); // j - maxK = offset in bins
    if (scores[j] > scores[best]) best = j;
  }
  let refined = best;
  if (best > 0 && best < scores.length - 1) {
    const a = scores[best - 1]; const b = scores[best]; const c = scores[best + 1];
    const denom = a - 2 * b + c;
    if (denom < 0) refined = best + Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom));
  }
  const offsetMs = Math.round((refined - maxK) * step);
  const peak = Math.max(0, scores[best]);
  const away = Math.round(500 / step);
  let second = 0;
  for (let j = 0; j < scores.length; j++) if (Math.abs(j - best) >= away && scores[j] > second) second = scores[j];
  const distinct = peak > 0 ? Math.min(1, ((peak - second) / peak) * 2) : 0;
  const confidence = Math.round(peak * distinct * 100) / 100;

  const onsets: number[] = speech.map(([s]) => s);
  const samples: SamplePoint[] = used.filter((c) => c.startMs - offsetMs >= 0 && c.startMs - offsetMs < durationMs).slice(0, 5).map((c) => {
    const expected = c.startMs - offsetMs;
    const nearest = onsets.reduce((bestOnset, o) => (Math.abs(o - expected) < Math.abs(bestOnset - expected) ? o : bestOnset), onsets[0] ?? expected);
    const err = Math.abs(nearest - expected);
    return { subtitle_time: c.startMs, video_time: Math.round(nearest), text: c.text, confidence: Math.round(Math.max(0, 1 - err / 1000) * 100) / 100 };
  });
  return { offsetMs, confidence, isSynced: confidence >= 0.3 && Math.abs(offsetMs) <= within, cuesUsed: used.length, samples };
}
