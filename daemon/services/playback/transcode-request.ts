/**
 * What a client asks of a transcode (POST /api/transcode/:fileId, JSON body or query) and
 * how it maps to output size, bitrates and tracks. Pure.
 */
import { ValidationError } from '../../domain/errors.js';
import type { ProbeInfo } from '../../domain/types.js';
import type { CapabilityInput } from '../../media/transcode/client-profiles.js';

export interface TranscodeRequest extends CapabilityInput {
  /** 'auto' (decide from capabilities), 'transcode' (always re-encode video), 'remux' (copy video). */
  mode?: unknown;
  audioStreamIndex?: unknown;
  /** Subtitle track key ("3" embedded, "sidecar-77") to burn in. */
  subtitle?: unknown;
  subtitleStreamIndex?: unknown;
  /** Start near this offset (ms): encoding starts at the segment containing it. */
  offset?: unknown;
  startMs?: unknown;
}

export interface OutputPlan { width: number; height: number; videoBitrate: number; audioChannels: number; audioBitrate: number }

const BITRATE_BY_HEIGHT: Array<[number, number]> = [[2160, 20_000_000], [1440, 12_000_000], [1080, 8_000_000], [720, 4_000_000], [480, 1_500_000], [0, 1_000_000]];

/** Fit (w,h) inside the box keeping aspect; even numbers (encoders need them). */
export function fitSize(w: number, h: number, maxW?: number, maxH?: number): { width: number; height: number } {
  let scale = 1;
  if (maxW && w > maxW) scale = Math.min(scale, maxW / w);
  if (maxH && h > maxH) scale = Math.min(scale, maxH / h);
  const even = (x: number): number => Math.max(2, Math.round((x * scale) / 2) * 2);
  return { width: even(w), height: even(h) };
}

export function planOutput(probe: ProbeInfo | undefined, caps: { maxWidth?: number; maxHeight?: number; maxBitrate?: number; maxAudioChannels?: number }, audioIndex?: number): OutputPlan {
  const v = probe?.video?.[0];
  const a = probe?.audio?.find((s) => s.index === audioIndex) ?? probe?.audio?.[0];
  // Transcodes default to at most 1080p: beyond, software encoding cannot keep up on a NAS.
  const size = fitSize(v?.width || 1280, v?.height || 720, caps.maxWidth ?? 1920, caps.maxHeight ?? 1080);
  const audioChannels = Math.min(a?.channels ?? 2, caps.maxAudioChannels ?? 2, 6);
  const audioBitrate = audioChannels > 2 ? 384_000 : 160_000;
  let videoBitrate = BITRATE_BY_HEIGHT.find(([h]) => size.height >= h * 0.9)?.[1] ?? 1_000_000;
  if (caps.maxBitrate) videoBitrate = Math.max(200_000, Math.min(videoBitrate, caps.maxBitrate - audioBitrate));
  return { ...size, videoBitrate, audioChannels, audioBitrate };
}

export function parseMode(v: unknown): 'auto' | 'transcode' | 'remux' {
  if (v === undefined || v === null || v === '') return 'auto';
  if (v === 'auto' || v === 'transcode' || v === 'remux') return v;
  throw new ValidationError('mode must be auto, transcode or remux', { field: 'mode' });
}

export function optionalInt(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ValidationError(`${field} must be a non-negative integer`, { field });
  return n;
}
