/**
 * Matroska TrackEntry -> the ProbeInfo streams ffprobe reports for it (ffmpeg's codec ids
 * table, Language defaulting to "eng", FlagDefault defaulting to 1, Name as the title).
 * Throws UnsupportedMediaError for codec ids it has no name for.
 */
import type { AudioStream, SubtitleStream, VideoStream } from '../../domain/types.js';
import { UnsupportedMediaError } from './byte-source.js';
import {
  channelLayoutName, hdrFromTransfer, parseAudioSpecificConfig, parseAv1C, parseAvcC, parseHvcC, parseVp9CodecPrivate,
  pixFmtName, transferName, type VideoConfig,
} from './codec-config.js';
import { body, elements, float, text, uint } from './ebml.js';

export const ID = {
  TrackEntry: 0xae, TrackNumber: 0xd7, TrackType: 0x83, FlagDefault: 0x88, FlagForced: 0x55aa, Name: 0x536e,
  Language: 0x22b59c, CodecID: 0x86, CodecPrivate: 0x63a2, DefaultDuration: 0x23e383, Video: 0xe0, Audio: 0xe1,
  PixelWidth: 0xb0, PixelHeight: 0xba, Colour: 0x55b0, BitsPerChannel: 0x55b2, Transfer: 0x55ba,
  SamplingFrequency: 0xb5, OutputSamplingFrequency: 0x78b5, Channels: 0x9f,
  BlockAdditionMapping: 0x41e4, BlockAddIDType: 0x41e7,
} as const;

export interface MkvTrack {
  index: number;
  number: number;
  type: number;
  codecId: string;
  codecPrivate?: Buffer;
  name?: string;
  language: string;
  flagDefault: boolean;
  flagForced: boolean;
  defaultDurationNs?: number;
  width?: number;
  height?: number;
  bitsPerChannel?: number;
  transfer?: number;
  dolbyVision: boolean;
  channels?: number;
  sampleRate?: number;
}

export function parseTrackEntry(entry: Buffer, index: number): MkvTrack {
  const t: MkvTrack = { index, number: 0, type: 0, codecId: '', language: 'eng', flagDefault: true, flagForced: false, dolbyVision: false };
  for (const el of elements(entry)) {
    const b = body(entry, el);
    switch (el.id) {
      case ID.TrackNumber: t.number = uint(b); break;
      case ID.TrackType: t.type = uint(b); break;
      case ID.FlagDefault: t.flagDefault = uint(b) === 1; break;
      case ID.FlagForced: t.flagForced = uint(b) === 1; break;
      case ID.Name: t.name = text(b); break;
      case ID.Language: t.language = text(b); break;
      case ID.CodecID: t.codecId = text(b); break;
      case ID.CodecPrivate: t.codecPrivate = b; break;
      case ID.DefaultDuration: t.defaultDurationNs = uint(b); break;
      case ID.Video:
        for (const v of elements(b)) {
          const vb = body(b, v);
          if (v.id === ID.PixelWidth) t.width = uint(vb);
          else if (v.id === ID.PixelHeight) t.height = uint(vb);
          else if (v.id === ID.Colour) {
            for (const c of elements(vb)) {
              const cb = body(vb, c);
              if (c.id === ID.BitsPerChannel) t.bitsPerChannel = uint(cb) || undefined;
              else if (c.id === ID.Transfer && uint(cb) !== 2) t.transfer = uint(cb);
            }
          }
        }
        break;
      case ID.Audio:
        for (const a of elements(b)) {
          const ab = body(b, a);
          if (a.id === ID.Channels) t.channels = uint(ab);
          else if (a.id === ID.SamplingFrequency) t.sampleRate = float(ab);
          else if (a.id === ID.OutputSamplingFrequency) t.sampleRate = float(ab) ?? t.sampleRate;
        }
        break;
      case ID.BlockAdditionMapping:
        for (const m of elements(b)) {
          const type = m.id === ID.BlockAddIDType ? uint(body(b, m)) : 0;
          if (type === 0x64766343 || type === 0x64767643) t.dolbyVision = true; // 'dvcC' / 'dvvC'
        }
        break;
      default: break;
    }
  }
  if (t.type === 2 && t.channels === undefined) t.channels = 1;
  if (t.type === 2 && t.sampleRate === undefined) t.sampleRate = 8000;
  return t;
}

const VIDEO_CODECS: Record<string, string> = {
  'V_MPEG4/ISO/AVC': 'h264', 'V_MPEGH/ISO/HEVC': 'hevc', V_VP8: 'vp8', V_VP9: 'vp9', V_AV1: 'av1',
  'V_MPEG4/ISO/ASP': 'mpeg4', 'V_MPEG4/ISO/SP': 'mpeg4', 'V_MPEG4/ISO/AP': 'mpeg4', V_MPEG2: 'mpeg2video',
  V_MPEG1: 'mpeg1video', V_MJPEG: 'mjpeg', V_THEORA: 'theora', V_PRORES: 'prores', V_FFV1: 'ffv1',
};
const AUDIO_CODECS: Record<string, string> = {
  A_AC3: 'ac3', A_EAC3: 'eac3', A_DTS: 'dts', A_OPUS: 'opus', A_VORBIS: 'vorbis', A_FLAC: 'flac',
  'A_MPEG/L3': 'mp3', 'A_MPEG/L2': 'mp2', A_TRUEHD: 'truehd', A_ALAC: 'alac',
};
const SUBTITLE_CODECS: Record<string, string> = {
  'S_TEXT/UTF8': 'subrip', 'S_TEXT/SSA': 'ass', 'S_TEXT/ASS': 'ass', S_SSA: 'ass', S_ASS: 'ass', 'S_TEXT/WEBVTT': 'webvtt',
  'D_WEBVTT/SUBTITLES': 'webvtt', 'D_WEBVTT/CAPTIONS': 'webvtt', 'S_TEXT/ASCII': 'text', 'S_HDMV/PGS': 'hdmv_pgs_subtitle',
  S_VOBSUB: 'dvd_subtitle', S_DVBSUB: 'dvb_subtitle', 'S_HDMV/TEXTST': 'hdmv_text_subtitle',
};
const TEXT_SUBTITLES = new Set(['subrip', 'ass', 'webvtt', 'text']);

function lang(l: string): string | undefined {
  return l && l !== 'und' ? l : undefined;
}

/**
 * A video stream. `firstFrame` is the track's first frame, used for VP9 (Matroska carries
 * no VP9 configuration, ffprobe learns profile and depth by decoding the first frame).
 */
export function videoStream(t: MkvTrack, firstFrame?: Buffer): VideoStream {
  const codec = VIDEO_CODECS[t.codecId];
  if (!codec) throw new UnsupportedMediaError(`codec ${t.codecId}`);
  const v: VideoStream = { index: t.index, codec, width: t.width ?? 0, height: t.height ?? 0 };
  const cp = t.codecPrivate;
  let cfg: VideoConfig = {};
  if (codec === 'h264' && cp) cfg = parseAvcC(cp);
  else if (codec === 'hevc' && cp) cfg = parseHvcC(cp);
  else if (codec === 'av1' && cp) cfg = parseAv1C(cp);
  else if (codec === 'vp9') cfg = cp?.length ? parseVp9CodecPrivate(cp) : {};
  if (codec === 'vp9' && !cfg.bitDepth) cfg = vp9FrameConfig(firstFrame);
  const depth = cfg.bitDepth ?? t.bitsPerChannel;
  if (cfg.profile) v.profile = cfg.profile;
  if (cfg.pixFmt) v.pixFmt = cfg.pixFmt;
  if (depth) v.bitDepth = depth;
  const trc = transferName(t.transfer);
  if (trc) v.colorTransfer = trc;
  if (t.transfer === undefined && (depth ?? 8) > 8) throw new UnsupportedMediaError('10-bit video without Colour');
  const hdr = t.dolbyVision ? 'dolby-vision' : hdrFromTransfer(t.transfer);
  if (hdr) v.hdr = hdr;
  if (t.defaultDurationNs) v.frameRate = Math.round((1e9 / t.defaultDurationNs) * 1000) / 1000;
  const l = lang(t.language);
  if (l) v.language = l;
  if (t.flagDefault) v.default = true;
  return v;
}

/** VP9 uncompressed header of a key frame: profile, bit depth, subsampling. */
function vp9FrameConfig(frame: Buffer | undefined): VideoConfig {
  if (!frame || frame.length < 4 || frame[0] >> 6 !== 2) throw new UnsupportedMediaError('VP9 without configuration');
  const profile = ((frame[0] >> 5) & 1) | (((frame[0] >> 4) & 1) << 1);
  let bit = profile === 3 ? 5 : 4; // bits consumed so far (marker, profile, reserved zero)
  const read = (): number => { const v = (frame[bit >> 3] >> (7 - (bit & 7))) & 1; bit++; return v; };
  if (read()) throw new UnsupportedMediaError('VP9 first frame is a shown existing frame');
  if (read() !== 0) throw new UnsupportedMediaError('VP9 first frame is not a key frame');
  bit += 2 + 24; // show_frame, error_resilient_mode, sync code
  let depth = 8;
  if (profile >= 2) depth = read() ? 12 : 10;
  let chroma: 1 | 2 | 3 = 1;
  if (profile === 1 || profile === 3) {
    bit += 3 + 1; // color_space, color_range (when not sRGB; sRGB is 4:4:4 anyway)
    const sx = read(); const sy = read();
    chroma = sx && sy ? 1 : sx ? 2 : 3;
  }
  return { profile: `Profile ${profile}`, bitDepth: depth, pixFmt: pixFmtName(chroma, depth) };
}

export function audioStream(t: MkvTrack): AudioStream {
  let codec = AUDIO_CODECS[t.codecId];
  if (!codec && t.codecId.startsWith('A_AAC')) codec = 'aac';
  if (!codec) throw new UnsupportedMediaError(`codec ${t.codecId}`);
  const a: AudioStream = { index: t.index, codec };
  let channels = t.channels;
  let sampleRate = t.sampleRate === undefined ? undefined : Math.round(t.sampleRate);
  if (codec === 'aac' && t.codecPrivate) {
    const asc = parseAudioSpecificConfig(t.codecPrivate);
    channels = asc.channels ?? channels;
    sampleRate = asc.sampleRate ?? sampleRate;
  } else if (codec === 'opus') {
    if (t.codecPrivate && t.codecPrivate.length >= 10) channels = t.codecPrivate[9];
    sampleRate = 48000;
  }
  if (channels) a.channels = channels;
  const layout = channelLayoutName(channels);
  if (layout) a.channelLayout = layout;
  if (sampleRate) a.sampleRate = sampleRate;
  const l = lang(t.language);
  if (l) a.language = l;
  if (t.name) a.title = t.name;
  if (t.flagDefault) a.default = true;
  return a;
}

export function subtitleStream(t: MkvTrack): SubtitleStream {
  const codec = SUBTITLE_CODECS[t.codecId];
  if (!codec) throw new UnsupportedMediaError(`codec ${t.codecId}`);
  const s: SubtitleStream = { index: t.index, codec, text: TEXT_SUBTITLES.has(codec) };
  const l = lang(t.language);
  if (l) s.language = l;
  if (t.name) s.title = t.name;
  if (t.flagDefault) s.default = true;
  if (t.flagForced) s.forced = true;
  return s;
}
