/**
 * Which conversions the local ffmpeg can really do. `ffmpeg -formats` (demuxers D, muxers E)
 * and `ffmpeg -encoders` are parsed once per ffmpeg path and cached; each catalogued format
 * is offered as an input when one of its demuxers exists and as an output when its muxer
 * and at least one encoder of each needed kind exist. Document formats are not ffmpeg's
 * business: both lists are empty (creating a document job answers 501).
 */
import { runTool } from '../../../media/tool-process.js';

export type ConversionType = 'video' | 'audio' | 'image' | 'document';

export interface FfmpegCapabilities { demuxers: Set<string>; muxers: Set<string>; encoders: Set<string> }

/** Output recipe: muxer and encoder preferences (first available wins). */
export interface OutputSpec { muxer: string; video?: string[]; audio?: string[] }

interface FormatSpec { type: Exclude<ConversionType, 'document'>; demuxers: string[]; output?: OutputSpec }

const X264 = ['libx264', 'mpeg4'];
export const FORMAT_CATALOGUE: Readonly<Record<string, FormatSpec>> = {
  mp4: { type: 'video', demuxers: ['mov'], output: { muxer: 'mp4', video: X264, audio: ['aac'] } },
  m4v: { type: 'video', demuxers: ['mov'], output: { muxer: 'mp4', video: X264, audio: ['aac'] } },
  mov: { type: 'video', demuxers: ['mov'], output: { muxer: 'mov', video: X264, audio: ['aac'] } },
  mkv: { type: 'video', demuxers: ['matroska'], output: { muxer: 'matroska', video: X264, audio: ['aac', 'libvorbis'] } },
  webm: { type: 'video', demuxers: ['matroska', 'webm'], output: { muxer: 'webm', video: ['libvpx-vp9', 'libvpx'], audio: ['libopus', 'libvorbis'] } },
  avi: { type: 'video', demuxers: ['avi'], output: { muxer: 'avi', video: ['mpeg4'], audio: ['libmp3lame', 'ac3'] } },
  flv: { type: 'video', demuxers: ['flv'], output: { muxer: 'flv', video: ['libx264'], audio: ['aac'] } },
  wmv: { type: 'video', demuxers: ['asf'], output: { muxer: 'asf', video: ['wmv2'], audio: ['wmav2'] } },
  '3gp': { type: 'video', demuxers: ['mov'] },
  mp3: { type: 'audio', demuxers: ['mp3'], output: { muxer: 'mp3', audio: ['libmp3lame'] } },
  flac: { type: 'audio', demuxers: ['flac'], output: { muxer: 'flac', audio: ['flac'] } },
  wav: { type: 'audio', demuxers: ['wav'], output: { muxer: 'wav', audio: ['pcm_s16le'] } },
  aac: { type: 'audio', demuxers: ['aac'], output: { muxer: 'adts', audio: ['aac'] } },
  ogg: { type: 'audio', demuxers: ['ogg'], output: { muxer: 'ogg', audio: ['libvorbis', 'libopus'] } },
  m4a: { type: 'audio', demuxers: ['mov'], output: { muxer: 'ipod', audio: ['aac'] } },
  opus: { type: 'audio', demuxers: ['ogg'], output: { muxer: 'opus', audio: ['libopus'] } },
  wma: { type: 'audio', demuxers: ['asf'], output: { muxer: 'asf', audio: ['wmav2'] } },
  jpg: { type: 'image', demuxers: ['jpeg_pipe', 'image2'], output: { muxer: 'image2', video: ['mjpeg'] } },
  jpeg: { type: 'image', demuxers: ['jpeg_pipe', 'image2'], output: { muxer: 'image2', video: ['mjpeg'] } },
  png: { type: 'image', demuxers: ['png_pipe', 'image2'], output: { muxer: 'image2', video: ['png'] } },
  webp: { type: 'image', demuxers: ['webp_pipe'], output: { muxer: 'image2', video: ['libwebp'] } },
  gif: { type: 'image', demuxers: ['gif'], output: { muxer: 'gif', video: ['gif'] } },
  bmp: { type: 'image', demuxers: ['bmp_pipe', 'image2'], output: { muxer: 'image2', video: ['bmp'] } },
  tiff: { type: 'image', demuxers: ['tiff_pipe', 'image2'], output: { muxer: 'image2', video: ['tiff'] } },
  svg: { type: 'image', demuxers: ['svg_pipe'] },
};

/** Parse `ffmpeg -formats` ("DE name[,alias] description") into demuxer and muxer name sets. */
export function parseFormats(text: string): { demuxers: Set<string>; muxers: Set<string> } {
  const demuxers = new Set<string>();
  const muxers = new Set<string>();
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === '--');
  for (const line of lines.slice(start + 1)) {
    const m = /^ ([D ])([E ])d? (\S+)/.exec(line);
    if (!m) continue;
    for (const name of m[3].split(',')) {
      if (m[1] === 'D') demuxers.add(name);
      if (m[2] === 'E') muxers.add(name);
    }
  }
  return { demuxers, muxers };
}

/** Parse `ffmpeg -encoders` (" V....D name description") into encoder names. */
export function parseEncoders(text: string): Set<string> {
  const out = new Set<string>();
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^\s*-{6}\s*$/.test(l));
  for (const line of lines.slice(start + 1)) {
    const m = /^ [VAS][.A-Z]{5} (\S+)/.exec(line);
    if (m) out.add(m[1]);
  }
  return out;
}

const cache = new Map<string, Promise<FfmpegCapabilities>>();

export function ffmpegCapabilities(ffmpegPath: string): Promise<FfmpegCapabilities> {
  let p = cache.get(ffmpegPath);
  if (!p) {
    p = (async () => {
      const [f, e] = await Promise.all([
        runTool(ffmpegPath, ['-hide_banner', '-formats'], { timeoutMs: 15_000 }),
        runTool(ffmpegPath, ['-hide_banner', '-encoders'], { timeoutMs: 15_000 }),
      ]);
      if (f.code !== 0 || e.code !== 0) throw new Error('ffmpeg -formats/-encoders failed');
      return { ...parseFormats(f.stdout.toString('utf8')), encoders: parseEncoders(e.stdout.toString('utf8')) };
    })();
    p.catch(() => cache.delete(ffmpegPath));
    cache.set(ffmpegPath, p);
  }
  return p;
}

/** Encoders chosen for an output format, or undefined when this ffmpeg cannot write it. */
export function outputPlan(ext: string, caps: FfmpegCapabilities): { muxer: string; video?: string; audio?: string } | undefined {
  const out = FORMAT_CATALOGUE[ext]?.output;
  if (!out || !caps.muxers.has(out.muxer)) return undefined;
  const pick = (list?: string[]): string | undefined | null => (list ? list.find((e) => caps.encoders.has(e)) ?? null : undefined);
  const video = pick(out.video);
  const audio = pick(out.audio);
  if (video === null || audio === null) return undefined;
  return { muxer: out.muxer, video, audio };
}

export interface FormatLists { input: string[]; output: string[] }
export type SupportedFormats = Record<ConversionType, FormatLists>;

export function supportedFormats(caps: FfmpegCapabilities): SupportedFormats {
  const result: SupportedFormats = { video: { input: [], output: [] }, audio: { input: [], output: [] }, document: { input: [], output: [] }, image: { input: [], output: [] } };
  for (const [ext, spec] of Object.entries(FORMAT_CATALOGUE)) {
    if (spec.demuxers.some((d) => caps.demuxers.has(d))) result[spec.type].input.push(ext);
    if (outputPlan(ext, caps)) result[spec.type].output.push(ext);
  }
  return result;
}

/** Which input types a conversion type accepts (audio from video, a frame from video). */
export const ACCEPTED_INPUTS: Readonly<Record<ConversionType, ConversionType[]>> = {
  video: ['video'], audio: ['audio', 'video'], image: ['image', 'video'], document: ['document'],
};
