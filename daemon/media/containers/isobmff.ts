/**
 * In-process probe of ISO base media files (MP4, M4V, MOV): reads the box headers from the
 * start, the whole `moov` (wherever it is: after `mdat` it costs one more read at the
 * tail) and nothing of the media data. Produces the ProbeInfo that ffprobe-map.ts makes of
 * ffprobe's output for the same file: ffprobe's codec names, stream indexes in track order,
 * tkhd "enabled" as the default disposition, mdhd language, hdlr name as the track title.
 *
 * Throws UnsupportedMediaError for anything it does not model (fragmented files, sample
 * entries it has no name for, files without a video track); ProbeService then runs ffprobe.
 */
import type { AudioStream, ProbeInfo, SubtitleStream, VideoStream } from '../../domain/types.js';
import { extensionOf } from '../source-read.js';
import { UnsupportedMediaError, type ByteSource } from './byte-source.js';
import {
  channelLayoutName, hdrFromTransfer, parseAudioSpecificConfig, parseAv1C, parseAvcC, parseHvcC, parseVpcC,
  transferName, type VideoConfig,
} from './codec-config.js';
import { boxAt, child, children } from './isobmff-box.js';
import { trackStreams, type Track } from './isobmff-track.js';

const HEAD_BYTES = 64 * 1024;
/** Larger read windows once the head is passed (the moov of a long film is a few MB). */
const WINDOW_BYTES = 1024 * 1024;
const MAX_MOOV_BYTES = 128 * 1024 * 1024;
const TOP_LEVEL = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot', 'uuid', 'meta', 'pdin', 'styp', 'sidx', 'prfl', 'junk']);
/** Seconds between 1904-01-01 (QuickTime epoch) and 1970-01-01. */
const MAC_EPOCH_OFFSET = 2_082_844_800;

/** Read the top-level boxes up to and including `moov`; returns its payload. */
async function findMoov(src: ByteSource): Promise<Buffer> {
  let base = 0;
  let buf = await src.read(0, HEAD_BYTES);
  let at = 0;
  let first = true;
  while (base + at < src.size) {
    let box = boxAt(buf, at, base, src.size);
    if (!box) {
      base += at;
      buf = await src.read(base, Math.min(WINDOW_BYTES, src.size - base));
      at = 0;
      box = boxAt(buf, 0, base, src.size);
      if (!box) break;
    }
    if (first && !TOP_LEVEL.has(box.type)) throw new UnsupportedMediaError('not an ISO BMFF file', true);
    first = false;
    if (box.type === 'moov') {
      if (box.size > MAX_MOOV_BYTES) throw new UnsupportedMediaError('moov too large');
      const payloadStart = box.start + box.headerLen;
      const payloadLen = box.size - box.headerLen;
      if (at + box.size <= buf.length) return buf.subarray(at + box.headerLen, at + box.size);
      const moov = await src.read(payloadStart, payloadLen);
      if (moov.length < payloadLen) throw new UnsupportedMediaError('truncated moov');
      return moov;
    }
    if (box.type === 'moof') throw new UnsupportedMediaError('fragmented MP4 without moov first');
    const next = box.start + box.size;
    if (next - base < buf.length) at = next - base;
    else { base = next; at = 0; buf = next < src.size ? await src.read(next, Math.min(HEAD_BYTES, src.size - next)) : Buffer.alloc(0); }
  }
  throw new UnsupportedMediaError('no moov box', first);
}

/** Probe an MP4/MOV; `name` picks the container label as ffprobe-map does. */
export async function probeIsoBmff(src: ByteSource, name: string): Promise<ProbeInfo> {
  const moov = await findMoov(src);
  const boxes = children(moov);
  const mvhd = boxes.find((b) => b.type === 'mvhd')?.body;
  if (!mvhd) throw new UnsupportedMediaError('no mvhd');
  if (boxes.some((b) => b.type === 'mvex')) throw new UnsupportedMediaError('fragmented MP4');
  const v1 = mvhd[0] === 1;
  const created = v1 ? Number(mvhd.readBigUInt64BE(4)) : mvhd.readUInt32BE(4);
  const timescale = mvhd.readUInt32BE(v1 ? 20 : 12);
  const duration = v1 ? Number(mvhd.readBigUInt64BE(24)) : mvhd.readUInt32BE(16);

  const tracks = boxes.filter((b) => b.type === 'trak').map((b, index) => trackStreams(b.body, index));
  const chapterIds = new Set(tracks.flatMap((t) => t.chapterRefs));
  const info: ProbeInfo = { prober: 'isobmff', container: containerLabel(name) };
  let durationS = timescale > 0 && duration > 0 ? duration / timescale : 0;
  if (!durationS) for (const t of tracks) durationS = Math.max(durationS, t.durationS);
  if (durationS > 0) {
    info.durationMs = Math.round(durationS * 1000);
    info.bitRate = Math.floor((src.size * 8) / durationS);
  }
  const video: VideoStream[] = [];
  const audio: AudioStream[] = [];
  const subtitles: SubtitleStream[] = [];
  for (const t of tracks) {
    if (chapterIds.has(t.trackId)) {
      if (t.handler === 'vide') info.hasCoverArt = true;
      continue;
    }
    if (t.handler === 'vide') video.push(videoStream(t));
    else if (t.handler === 'soun') audio.push(audioStream(t));
    else if (t.handler === 'sbtl' || t.handler === 'text' || t.handler === 'subt' || t.handler === 'clcp') subtitles.push(subtitleStream(t));
  }
  if (!video.length) throw new UnsupportedMediaError('no video track');
  info.video = video;
  info.width = video[0].width;
  info.height = video[0].height;
  if (audio.length) info.audio = audio;
  if (subtitles.length) info.subtitles = subtitles;
  if (hasCover(boxes)) info.hasCoverArt = true;
  const createdS = created >= MAC_EPOCH_OFFSET ? created - MAC_EPOCH_OFFSET : created;
  // As ffprobe-map: 1970/1904 epochs written by muxers that know nothing are not dates.
  if (createdS * 1000 > Date.UTC(1971, 0, 1)) info.takenAt = createdS * 1000;
  return info;
}

const MOV_EXTENSIONS = new Set(['mp4', 'm4v', 'mov', '3gp', '3g2']);

function containerLabel(name: string): string {
  const ext = extensionOf(name);
  return MOV_EXTENSIONS.has(ext) ? ext : 'mp4';
}

function hasCover(moovChildren: { type: string; body: Buffer }[]): boolean {
  const udta = moovChildren.find((b) => b.type === 'udta')?.body;
  if (!udta) return false;
  let meta = child(udta, 'meta');
  if (!meta) return false;
  // ISO 'meta' is a FullBox (4 bytes of version/flags); QuickTime's is not.
  if (meta.length >= 4 && meta.readUInt32BE(0) === 0) meta = meta.subarray(4);
  const ilst = child(meta, 'ilst');
  return Boolean(ilst && child(ilst, 'covr'));
}

const VIDEO_CODECS: Record<string, string> = {
  avc1: 'h264', avc3: 'h264', dva1: 'h264', dvav: 'h264', hvc1: 'hevc', hev1: 'hevc', dvh1: 'hevc', dvhe: 'hevc',
  vp09: 'vp9', vp08: 'vp8', av01: 'av1', jpeg: 'mjpeg', mjpa: 'mjpeg', s263: 'h263', h263: 'h263',
  apch: 'prores', apcn: 'prores', apcs: 'prores', apco: 'prores', ap4h: 'prores', ap4x: 'prores',
};
/** MPEG-4 objectTypeIndication (esds) -> ffprobe codec name. */
const OTI_CODECS: Record<number, string> = {
  0x20: 'mpeg4', 0x21: 'h264', 0x23: 'hevc', 0x60: 'mpeg2video', 0x61: 'mpeg2video', 0x62: 'mpeg2video', 0x63: 'mpeg2video',
  0x64: 'mpeg2video', 0x65: 'mpeg2video', 0x6a: 'mpeg1video', 0x6c: 'mjpeg',
  0x40: 'aac', 0x66: 'aac', 0x67: 'aac', 0x68: 'aac', 0x69: 'mp3', 0x6b: 'mp3', 0xa5: 'ac3', 0xa6: 'eac3', 0xa9: 'dts', 0xdd: 'vorbis', 0xad: 'opus',
};
const AUDIO_CODECS: Record<string, string> = {
  'ac-3': 'ac3', 'ec-3': 'eac3', Opus: 'opus', fLaC: 'flac', alac: 'alac', '.mp3': 'mp3', samr: 'amr_nb', sawb: 'amr_wb',
};
const SUBTITLE_CODECS: Record<string, string> = { tx3g: 'mov_text', text: 'mov_text', wvtt: 'webvtt', stpp: 'ttml', c608: 'eia_608' };
const TEXT_SUBTITLES = new Set(['mov_text', 'webvtt', 'eia_608']);
const DOLBY_VISION = new Set(['dva1', 'dvav', 'dvh1', 'dvhe']);

function videoStream(t: Track): VideoStream {
  const e = t.entry;
  let codec = VIDEO_CODECS[e.fourcc];
  if (e.fourcc === 'mp4v' && e.esds) codec = OTI_CODECS[e.esds.oti];
  if (!codec) throw new UnsupportedMediaError(`video sample entry ${JSON.stringify(e.fourcc)}`);
  const v: VideoStream = { index: t.index, codec, width: e.width ?? 0, height: e.height ?? 0 };
  let cfg: VideoConfig = {};
  const box = (type: string): Buffer | undefined => e.boxes.get(type);
  if (codec === 'h264' && box('avcC')) cfg = parseAvcC(box('avcC')!);
  else if (codec === 'hevc' && box('hvcC')) cfg = parseHvcC(box('hvcC')!);
  else if (codec === 'vp9' && box('vpcC')) cfg = parseVpcC(box('vpcC')!.subarray(4));
  else if (codec === 'av1' && box('av1C')) cfg = parseAv1C(box('av1C')!);
  if (cfg.profile) v.profile = cfg.profile;
  if (cfg.pixFmt) v.pixFmt = cfg.pixFmt;
  if (cfg.bitDepth) v.bitDepth = cfg.bitDepth;
  const transfer = e.colr?.transfer ?? cfg.transfer;
  const trc = transferName(transfer);
  if (trc) v.colorTransfer = trc;
  // Without container colour info ffprobe reads the transfer from the bitstream (SPS VUI),
  // which this parser does not: a high-bit-depth stream may be HDR, so ask ffprobe.
  if (transfer === undefined && (cfg.bitDepth ?? 8) > 8) throw new UnsupportedMediaError('10-bit video without colr');
  const hdr = DOLBY_VISION.has(e.fourcc) || box('dvcC') || box('dvvC') || box('dvwC') ? 'dolby-vision' : hdrFromTransfer(transfer);
  if (hdr) v.hdr = hdr;
  if (t.frames > 0 && t.sampleDelta > 0 && t.timescale > 0) v.frameRate = Math.round((t.frames * t.timescale / t.sampleDelta) * 1000) / 1000;
  if (t.bitRate) v.bitRate = t.bitRate;
  if (t.language) v.language = t.language;
  if (t.enabled) v.default = true;
  return v;
}

function audioStream(t: Track): AudioStream {
  const e = t.entry;
  let codec = AUDIO_CODECS[e.fourcc];
  if (e.fourcc === 'mp4a' && e.esds) codec = OTI_CODECS[e.esds.oti];
  if (!codec) throw new UnsupportedMediaError(`audio sample entry ${JSON.stringify(e.fourcc)}`);
  const a: AudioStream = { index: t.index, codec };
  let channels = e.channels;
  let sampleRate = e.sampleRate;
  if (codec === 'aac' && e.esds?.dsi) {
    const asc = parseAudioSpecificConfig(e.esds.dsi);
    channels = asc.channels ?? channels;
    sampleRate = asc.sampleRate ?? sampleRate;
  } else if (codec === 'ac3' && e.boxes.get('dac3')) {
    const d = e.boxes.get('dac3')!;
    const acmod = (d[1] >> 3) & 0x07;
    channels = [2, 1, 2, 3, 3, 4, 4, 5][acmod] + ((d[1] >> 2) & 1);
    sampleRate = [48000, 44100, 32000][d[0] >> 6] ?? sampleRate;
  } else if (codec === 'eac3') {
    throw new UnsupportedMediaError('E-AC-3 channel count needs the bitstream');
  } else if (codec === 'opus') {
    const d = e.boxes.get('dOps');
    if (d && d.length >= 2) channels = d[1];
    sampleRate = 48000;
  }
  if (channels) a.channels = channels;
  const layout = channelLayoutName(channels);
  if (layout) a.channelLayout = layout;
  if (sampleRate) a.sampleRate = sampleRate;
  if (t.bitRate) a.bitRate = t.bitRate;
  if (t.language) a.language = t.language;
  if (t.title) a.title = t.title;
  if (t.enabled) a.default = true;
  return a;
}

function subtitleStream(t: Track): SubtitleStream {
  const codec = SUBTITLE_CODECS[t.entry.fourcc];
  if (!codec) throw new UnsupportedMediaError(`subtitle sample entry ${JSON.stringify(t.entry.fourcc)}`);
  const s: SubtitleStream = { index: t.index, codec, text: TEXT_SUBTITLES.has(codec) };
  if (t.language) s.language = t.language;
  if (t.title) s.title = t.title;
  if (t.enabled) s.default = true;
  return s;
}
