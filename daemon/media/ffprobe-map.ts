/**
 * Maps ffprobe's JSON (`-show_format -show_streams`) to ProbeInfo. Pure: table-tested
 * against recorded outputs and real probes of generated clips.
 */
import type { AudioStream, ProbeInfo, SubtitleStream, VideoStream } from '../domain/types.js';

/** The subset of ffprobe's JSON we read. Everything is optional: ffprobe omits freely. */
export interface FfprobeStream {
  index?: number;
  codec_name?: string;
  codec_type?: string;
  codec_tag_string?: string;
  profile?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  bits_per_raw_sample?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  bit_rate?: string;
  sample_rate?: string;
  channels?: number;
  channel_layout?: string;
  color_transfer?: string;
  duration?: string;
  disposition?: Record<string, number>;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string }[];
}

export interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: {
    format_name?: string;
    duration?: string;
    bit_rate?: string;
    tags?: Record<string, string>;
  };
}

/** Text-based subtitle codecs (can be converted to WebVTT); bitmap ones cannot. */
const TEXT_SUBTITLE_CODECS = new Set([
  'subrip', 'srt', 'ass', 'ssa', 'webvtt', 'mov_text', 'text', 'microdvd', 'subviewer',
  'subviewer1', 'jacosub', 'realtext', 'sami', 'stl', 'mpl2', 'pjs', 'vplayer', 'eia_608',
]);

const GENERIC_HANDLER_NAMES = new Set(['VideoHandler', 'SoundHandler', 'SubtitleHandler', 'Core Media Video',
  'Core Media Audio', 'Mainconcept MP4 Sound Media Handler', 'ISO Media file produced by Google Inc.']);

/** Extensions that name a member of ffprobe's comma-separated format family. */
const MOV_EXTENSIONS = new Set(['mp4', 'm4v', 'm4a', 'm4b', 'mov', '3gp', '3g2']);

export function mapFfprobe(data: FfprobeOutput, fileName: string): ProbeInfo {
  const info: ProbeInfo = { prober: 'ffprobe' };
  const format = data.format ?? {};
  const streams = data.streams ?? [];
  info.container = containerName(format.format_name, fileName);

  const duration = num(format.duration) ?? maxStreamDuration(streams);
  if (duration !== undefined) info.durationMs = Math.round(duration * 1000);
  const bitRate = int(format.bit_rate);
  if (bitRate !== undefined) info.bitRate = bitRate;

  const video: VideoStream[] = [];
  const audio: AudioStream[] = [];
  const subtitles: SubtitleStream[] = [];
  for (const s of streams) {
    const disp = s.disposition ?? {};
    if (s.codec_type === 'video') {
      if (disp.attached_pic === 1) { info.hasCoverArt = true; continue; }
      video.push(mapVideo(s));
    } else if (s.codec_type === 'audio') {
      audio.push(mapAudio(s));
    } else if (s.codec_type === 'subtitle') {
      subtitles.push(mapSubtitle(s));
    }
  }
  if (video.length) {
    info.video = video;
    info.width = video[0].width;
    info.height = video[0].height;
  }
  if (audio.length) info.audio = audio;
  if (subtitles.length) info.subtitles = subtitles;

  const tags = lowerKeys(format.tags);
  const created = tags.creation_time ? Date.parse(tags.creation_time) : NaN;
  // Muxers write 1970/1904 epochs when they know nothing; those are not dates.
  if (Number.isFinite(created) && created > Date.UTC(1971, 0, 1)) info.takenAt = created;
  if (!video.length && audio.length) {
    const t = mapAudioTags(tags);
    if (t) info.tags = t;
  }
  return info;
}

function mapVideo(s: FfprobeStream): VideoStream {
  const v: VideoStream = { index: s.index ?? 0, codec: s.codec_name ?? 'unknown', width: s.width ?? 0, height: s.height ?? 0 };
  if (s.profile) v.profile = s.profile;
  if (s.pix_fmt) v.pixFmt = s.pix_fmt;
  const depth = bitDepth(s);
  if (depth !== undefined) v.bitDepth = depth;
  const fps = fraction(s.avg_frame_rate) ?? fraction(s.r_frame_rate);
  if (fps !== undefined) v.frameRate = Math.round(fps * 1000) / 1000;
  const br = int(s.bit_rate);
  if (br !== undefined) v.bitRate = br;
  if (s.color_transfer) v.colorTransfer = s.color_transfer;
  const hdr = hdrKind(s);
  if (hdr) v.hdr = hdr;
  const tags = lowerKeys(s.tags);
  const lang = language(tags.language);
  if (lang) v.language = lang;
  if (s.disposition?.default === 1) v.default = true;
  return v;
}

function mapAudio(s: FfprobeStream): AudioStream {
  const a: AudioStream = { index: s.index ?? 0, codec: s.codec_name ?? 'unknown' };
  if (s.channels !== undefined) a.channels = s.channels;
  if (s.channel_layout) a.channelLayout = s.channel_layout;
  const sr = int(s.sample_rate);
  if (sr !== undefined) a.sampleRate = sr;
  const br = int(s.bit_rate);
  if (br !== undefined) a.bitRate = br;
  const tags = lowerKeys(s.tags);
  const lang = language(tags.language);
  if (lang) a.language = lang;
  const title = streamTitle(tags);
  if (title) a.title = title;
  if (s.disposition?.default === 1) a.default = true;
  return a;
}

function mapSubtitle(s: FfprobeStream): SubtitleStream {
  const codec = s.codec_name ?? 'unknown';
  const sub: SubtitleStream = { index: s.index ?? 0, codec, text: TEXT_SUBTITLE_CODECS.has(codec) };
  const tags = lowerKeys(s.tags);
  const lang = language(tags.language);
  if (lang) sub.language = lang;
  const title = streamTitle(tags);
  if (title) sub.title = title;
  if (s.disposition?.default === 1) sub.default = true;
  if (s.disposition?.forced === 1) sub.forced = true;
  return sub;
}

/** HDR flavour: Dolby Vision (side data or dvh1/dvhe tag) wins over the transfer function. */
export function hdrKind(s: FfprobeStream): VideoStream['hdr'] | undefined {
  const sideTypes = (s.side_data_list ?? []).map((d) => d.side_data_type ?? '');
  if (sideTypes.some((t) => /DOVI|Dolby Vision/i.test(t))) return 'dolby-vision';
  if (s.codec_tag_string && /^dv(h1|he|a1|av)$/i.test(s.codec_tag_string)) return 'dolby-vision';
  if (sideTypes.some((t) => /2094-40|HDR10\+/i.test(t))) return 'hdr10+';
  if (s.color_transfer === 'smpte2084') return 'hdr10';
  if (s.color_transfer === 'arib-std-b67') return 'hlg';
  return undefined;
}

/** Bits per sample: bits_per_raw_sample when given, else from the pixel format name. */
export function bitDepth(s: FfprobeStream): number | undefined {
  const raw = int(s.bits_per_raw_sample);
  if (raw) return raw;
  if (!s.pix_fmt) return undefined;
  const m = /p0?(\d{2})(le|be)?$/.exec(s.pix_fmt);
  if (m) return Number(m[1]);
  if (/^(yuv|yuvj|nv|gray$|rgb|bgr|gbrp$)/.test(s.pix_fmt)) return 8;
  return undefined;
}

export function containerName(formatName: string | undefined, fileName: string): string | undefined {
  if (!formatName) return undefined;
  const ext = fileName.includes('.') ? fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase() : '';
  const family = formatName.split(',');
  if (family.includes('mov') || family.includes('mp4')) return MOV_EXTENSIONS.has(ext) ? (ext === 'm4b' ? 'm4a' : ext) : 'mp4';
  if (family.includes('matroska')) return ext === 'webm' ? 'webm' : 'mkv';
  if (family.includes(ext)) return ext;
  if (formatName === 'mpegts') return 'ts';
  return family[0];
}

function mapAudioTags(t: Record<string, string>): ProbeInfo['tags'] | undefined {
  const out: NonNullable<ProbeInfo['tags']> = {};
  if (t.title) out.title = t.title;
  if (t.artist) out.artist = t.artist;
  if (t.album_artist ?? t.albumartist) out.albumArtist = t.album_artist ?? t.albumartist;
  if (t.album) out.album = t.album;
  const track = parseInt(t.track ?? '', 10);
  if (Number.isFinite(track)) out.track = track;
  const disc = parseInt(t.disc ?? '', 10);
  if (Number.isFinite(disc)) out.disc = disc;
  const year = parseInt(t.date ?? t.year ?? '', 10);
  if (Number.isFinite(year)) out.year = year;
  if (t.genre) out.genre = t.genre.split(/[;/]/).map((g) => g.trim()).filter(Boolean);
  return Object.keys(out).length ? out : undefined;
}

function streamTitle(tags: Record<string, string>): string | undefined {
  if (tags.title) return tags.title;
  const h = tags.handler_name;
  return h && !GENERIC_HANDLER_NAMES.has(h) ? h : undefined;
}

function language(l: string | undefined): string | undefined {
  return l && l !== 'und' ? l : undefined;
}

function lowerKeys(tags: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags ?? {})) out[k.toLowerCase()] = v;
  return out;
}

function maxStreamDuration(streams: FfprobeStream[]): number | undefined {
  let max: number | undefined;
  for (const s of streams) {
    const d = num(s.duration);
    if (d !== undefined && (max === undefined || d > max)) max = d;
  }
  return max;
}

function num(v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : parseFloat(v);
  return Number.isFinite(n) ? n : undefined;
}

function int(v: string | number | undefined): number | undefined {
  const n = num(v);
  return n === undefined ? undefined : Math.round(n);
}

function fraction(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const [a, b] = v.split('/').map(Number);
  if (!Number.isFinite(a) || !a) return undefined;
  if (b === undefined) return a;
  return Number.isFinite(b) && b > 0 ? a / b : undefined;
}
