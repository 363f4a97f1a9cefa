/**
 * ffmpeg arguments for one conversion job. Pure. Quality maps to CRF / bitrate / q per
 * encoder; `settings` (Catalogizer sends a JSON string) may set a whitelisted few values,
 * each validated, so nothing a client sends becomes a free-form ffmpeg option.
 * The output is always written with an explicit muxer (-f), so the temp file's name does
 * not matter, and progress goes to stdout (-progress pipe:1).
 */
import { ValidationError } from '../../../domain/errors.js';
import type { ConversionType } from './formats.js';

export type Quality = 'low' | 'medium' | 'high';

export interface ConversionSettings {
  audio_bitrate?: string; video_bitrate?: string; width?: number; height?: number; fps?: number; sample_rate?: number; channels?: number;
}

const BITRATE = /^\d{1,6}k?$/i;

/** Parse Catalogizer's `settings` (JSON string or object). Unknown keys are refused. */
export function parseSettings(raw: unknown): ConversionSettings {
  if (raw === undefined || raw === null || raw === '') return {};
  let obj: unknown = raw;
  if (typeof raw === 'string') {
    try { obj = JSON.parse(raw); } catch { throw new ValidationError('settings must be a JSON object', { field: 'settings' }, 'INVALID_SETTINGS'); }
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new ValidationError('settings must be a JSON object', { field: 'settings' }, 'INVALID_SETTINGS');
  const out: ConversionSettings = {};
  const bad = (key: string): never => { throw new ValidationError(`Invalid settings.${key}`, { field: `settings.${key}` }, 'INVALID_SETTINGS'); };
  const int = (key: string, v: unknown, min: number, max: number): number => {
    const n = typeof v === 'string' ? Number(v) : v;
    return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? n : bad(key);
  };
  for (const [key, v] of Object.entries(obj as Record<string, unknown>)) {
    switch (key) {
      case 'bitrate': case 'audio_bitrate':
        out.audio_bitrate = typeof v === 'string' && BITRATE.test(v) ? v : bad(key); break;
      case 'video_bitrate':
        out.video_bitrate = typeof v === 'string' && BITRATE.test(v) ? v : bad(key); break;
      case 'resolution': {
        const m = typeof v === 'string' ? /^(\d{2,5})x(\d{2,5})$/.exec(v) : null;
        if (!m) bad(key);
        out.width = int('width', Number(m![1]), 16, 16384); out.height = int('height', Number(m![2]), 16, 16384); break;
      }
      case 'width': out.width = int(key, v, 16, 16384); break;
      case 'height': out.height = int(key, v, 16, 16384); break;
      case 'fps': out.fps = int(key, v, 1, 240); break;
      case 'sample_rate': out.sample_rate = int(key, v, 8000, 192000); break;
      case 'channels': out.channels = int(key, v, 1, 8); break;
      default: bad(key);
    }
  }
  return out;
}

function videoQuality(encoder: string, q: Quality): string[] {
  const pick = <T>(low: T, medium: T, high: T): T => (q === 'low' ? low : q === 'high' ? high : medium);
  switch (encoder) {
    case 'libx264': return ['-preset', 'veryfast', '-crf', String(pick(28, 23, 18)), '-pix_fmt', 'yuv420p'];
    case 'libvpx-vp9': case 'libvpx': return ['-deadline', 'realtime', '-cpu-used', '8', '-b:v', '0', '-crf', String(pick(40, 33, 28))];
    case 'mjpeg': return ['-q:v', String(pick(8, 4, 2)), '-pix_fmt', 'yuvj420p'];
    case 'libwebp': return ['-quality', String(pick(60, 80, 95))];
    case 'png': case 'bmp': case 'tiff': case 'gif': return [];
    default: return ['-q:v', String(pick(8, 5, 2))];
  }
}

function audioQuality(encoder: string, q: Quality, bitrate?: string): string[] {
  if (encoder === 'flac' || encoder.startsWith('pcm_')) return encoder === 'flac' ? ['-compression_level', '5'] : [];
  if (bitrate) return ['-b:a', bitrate];
  const pick = <T>(low: T, medium: T, high: T): T => (q === 'low' ? low : q === 'high' ? high : medium);
  switch (encoder) {
    case 'libvorbis': return ['-q:a', String(pick(3, 5, 8))];
    case 'libmp3lame': return ['-b:a', pick('128k', '192k', '320k')];
    case 'libopus': return ['-b:a', pick('64k', '128k', '192k')];
    default: return ['-b:a', pick('128k', '192k', '256k')];
  }
}

export interface ArgsRequest {
  input: string;
  output: string;
  type: ConversionType;
  plan: { muxer: string; video?: string; audio?: string };
  quality: Quality;
  settings: ConversionSettings;
}

export function buildConversionArgs(r: ArgsRequest): string[] {
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-y', '-i', r.input];
  const s = r.settings;
  const scale = s.width || s.height ? ['-vf', `scale=${s.width ?? -2}:${s.height ?? -2}`] : [];
  if (r.type === 'image') {
    args.push('-map', '0:v:0', '-frames:v', '1', ...scale, '-c:v', r.plan.video!, ...videoQuality(r.plan.video!, r.quality));
    if (r.plan.muxer === 'image2') args.push('-update', '1');
  } else if (r.type === 'audio') {
    args.push('-map', '0:a:0', '-vn', '-sn', '-dn', '-c:a', r.plan.audio!, ...audioQuality(r.plan.audio!, r.quality, s.audio_bitrate));
    if (s.sample_rate) args.push('-ar', String(s.sample_rate));
    if (s.channels) args.push('-ac', String(s.channels));
  } else {
    args.push('-map', '0:v:0', '-map', '0:a:0?', '-sn', '-dn', ...scale, '-c:v', r.plan.video!, ...videoQuality(r.plan.video!, r.quality));
    if (s.video_bitrate) args.push('-b:v', s.video_bitrate);
    if (s.fps) args.push('-r', String(s.fps));
    if (r.plan.audio) args.push('-c:a', r.plan.audio, ...audioQuality(r.plan.audio, r.quality, s.audio_bitrate));
    if (s.sample_rate) args.push('-ar', String(s.sample_rate));
    if (s.channels) args.push('-ac', String(s.channels));
    if (r.plan.muxer === 'mp4' || r.plan.muxer === 'mov') args.push('-movflags', '+faststart');
  }
  args.push('-progress', 'pipe:1', '-f', r.plan.muxer, r.output);
  return args;
}
