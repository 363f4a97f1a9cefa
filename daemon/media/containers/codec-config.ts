/**
 * Decoder configuration records shared by the MP4 and Matroska parsers (avcC, hvcC, vpcC,
 * av1C, AudioSpecificConfig) and the names ffprobe gives what they hold, so ProbeInfo from
 * an in-process parse reads exactly like one from ffprobe (ffprobe-map.ts).
 * Every function returns `{}` or undefined fields for what it cannot read; none throws on
 * short input.
 */
import type { VideoStream } from '../../domain/types.js';

export interface VideoConfig {
  profile?: string;
  bitDepth?: number;
  pixFmt?: string;
  /** ISO/IEC 23091-2 transfer characteristics, when the record carries them. */
  transfer?: number;
}

/** ffmpeg's names for ISO/IEC 23091-2 transfer characteristics (AVColorTransferCharacteristic). */
const TRANSFER_NAMES: Record<number, string> = {
  1: 'bt709', 4: 'gamma22', 5: 'gamma28', 6: 'smpte170m', 7: 'smpte240m', 8: 'linear', 9: 'log100',
  10: 'log316', 11: 'iec61966-2-4', 12: 'bt1361e', 13: 'iec61966-2-1', 14: 'bt2020-10', 15: 'bt2020-12',
  16: 'smpte2084', 17: 'smpte428', 18: 'arib-std-b67',
};

export function transferName(code: number | undefined): string | undefined {
  return code === undefined ? undefined : TRANSFER_NAMES[code];
}

/** Same rule as ffprobe-map's hdrKind for what containers can tell without side data. */
export function hdrFromTransfer(code: number | undefined): VideoStream['hdr'] | undefined {
  if (code === 16) return 'hdr10';
  if (code === 18) return 'hlg';
  return undefined;
}

/** ffmpeg pixel format name for planar YUV / gray at a depth (little-endian above 8 bits). */
export function pixFmtName(chroma: 0 | 1 | 2 | 3, depth: number): string {
  const base = chroma === 0 ? 'gray' : chroma === 1 ? 'yuv420p' : chroma === 2 ? 'yuv422p' : 'yuv444p';
  return depth > 8 ? `${base}${depth}le` : base;
}

/** Exp-Golomb bit reader over an RBSP (emulation-prevention bytes removed first). */
class Bits {
  private pos = 0;
  private readonly data: Buffer;
  constructor(nal: Buffer) {
    const out: number[] = [];
    let zeros = 0;
    for (const byte of nal) {
      if (zeros >= 2 && byte === 3) { zeros = 0; continue; }
      out.push(byte);
      zeros = byte === 0 ? zeros + 1 : 0;
    }
    this.data = Buffer.from(out);
  }
  bit(): number {
    const byte = this.data[this.pos >> 3];
    if (byte === undefined) throw new RangeError('bitstream end');
    const b = (byte >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return b;
  }
  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) if (++zeros > 31) throw new RangeError('bad exp-golomb');
    return zeros === 0 ? 0 : 2 ** zeros - 1 + this.bits(zeros);
  }
}

const H264_PROFILES: Record<number, string> = {
  66: 'Baseline', 77: 'Main', 88: 'Extended', 100: 'High', 110: 'High 10', 122: 'High 4:2:2', 244: 'High 4:4:4 Predictive', 44: 'CAVLC 4:4:4',
};
const H264_HIGH_FAMILY = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** avcC (AVCDecoderConfigurationRecord): profile as ffprobe names it, depth and chroma from the SPS. */
export function parseAvcC(b: Buffer): VideoConfig {
  if (b.length < 7 || b[0] !== 1) return {};
  const profileIdc = b[1];
  const constraints = b[2];
  let name = H264_PROFILES[profileIdc];
  if (name && profileIdc === 66 && constraints & 0x40) name = 'Constrained Baseline';
  else if (name && (profileIdc === 110 || profileIdc === 122 || profileIdc === 244) && constraints & 0x10) name = `${name} Intra`;
  const out: VideoConfig = name ? { profile: name } : {};
  let chroma: 0 | 1 | 2 | 3 = 1;
  let depth = 8;
  if (H264_HIGH_FAMILY.has(profileIdc)) {
    const spsLen = (b[5] & 0x1f) > 0 ? b.readUInt16BE(6) : 0;
    const sps = b.subarray(8, 8 + spsLen);
    try {
      const r = new Bits(sps.subarray(4)); // skip NAL header, profile, constraints, level
      r.ue(); // seq_parameter_set_id
      chroma = r.ue() as 0 | 1 | 2 | 3;
      if (chroma === 3) r.bit();
      depth = 8 + r.ue();
    } catch {
      return out;
    }
  }
  if (chroma > 3 || depth > 16) return out;
  out.bitDepth = depth;
  out.pixFmt = pixFmtName(chroma, depth);
  return out;
}

const HEVC_PROFILES: Record<number, string> = { 1: 'Main', 2: 'Main 10', 3: 'Main Still Picture', 4: 'Rext', 9: 'Screen Content Coding Extensions' };

/** hvcC (HEVCDecoderConfigurationRecord). */
export function parseHvcC(b: Buffer): VideoConfig {
  if (b.length < 23) return {};
  let profileIdc = b[1] & 0x1f;
  if (profileIdc === 0) {
    const compat = b.readUInt32BE(2);
    for (let p = 1; p < 32; p++) if (compat & (1 << (31 - p))) { profileIdc = p; break; }
  }
  const chroma = (b[16] & 0x03) as 0 | 1 | 2 | 3;
  const depth = 8 + (b[17] & 0x07);
  const out: VideoConfig = { bitDepth: depth, pixFmt: pixFmtName(chroma, depth) };
  const name = HEVC_PROFILES[profileIdc];
  if (name) out.profile = name;
  return out;
}

/** vpcC payload after its FullBox header (VP Codec ISO Media File Format Binding, v1). */
export function parseVpcC(b: Buffer): VideoConfig {
  if (b.length < 6) return {};
  const depth = b[2] >> 4;
  const sub = (b[2] >> 1) & 0x07; // 0/1: 4:2:0, 2: 4:2:2, 3: 4:4:4
  const chroma = sub <= 1 ? 1 : sub === 2 ? 2 : 3;
  return { profile: `Profile ${b[0]}`, bitDepth: depth, pixFmt: pixFmtName(chroma, depth), transfer: b[4] === 2 ? undefined : b[4] };
}

/** Matroska VP9 CodecPrivate: (id, length, value) triples; 1 profile, 3 bit depth, 4 chroma. */
export function parseVp9CodecPrivate(b: Buffer): VideoConfig {
  const out: VideoConfig = {};
  let chroma: 0 | 1 | 2 | 3 = 1;
  for (let i = 0; i + 2 <= b.length;) {
    const id = b[i]; const len = b[i + 1]; const v = b[i + 2];
    if (len === 1 && v !== undefined) {
      if (id === 1) out.profile = `Profile ${v}`;
      else if (id === 3) out.bitDepth = v;
      else if (id === 4) chroma = v <= 1 ? 1 : v === 2 ? 2 : 3;
    }
    i += 2 + len;
  }
  if (out.bitDepth) out.pixFmt = pixFmtName(chroma, out.bitDepth);
  return out;
}

const AV1_PROFILES = ['Main', 'High', 'Professional'];

/** av1C (AV1CodecConfigurationRecord). */
export function parseAv1C(b: Buffer): VideoConfig {
  if (b.length < 4 || (b[0] & 0x80) === 0) return {};
  const profile = b[1] >> 5;
  const high = (b[2] >> 6) & 1; const twelve = (b[2] >> 5) & 1; const mono = (b[2] >> 4) & 1;
  const sx = (b[2] >> 3) & 1; const sy = (b[2] >> 2) & 1;
  const depth = twelve ? 12 : high ? 10 : 8;
  const chroma = mono ? 0 : sx && sy ? 1 : sx ? 2 : 3;
  const out: VideoConfig = { bitDepth: depth, pixFmt: pixFmtName(chroma, depth) };
  if (AV1_PROFILES[profile]) out.profile = AV1_PROFILES[profile];
  return out;
}

const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

export interface AudioConfig { channels?: number; sampleRate?: number }

/** MPEG-4 AudioSpecificConfig: channels and output sample rate (explicit SBR doubles it). */
export function parseAudioSpecificConfig(b: Buffer): AudioConfig {
  if (b.length < 2) return {};
  try {
    const r = new Bits(b);
    let aot = r.bits(5);
    if (aot === 31) aot = 32 + r.bits(6);
    const rateAt = (): number | undefined => {
      const idx = r.bits(4);
      return idx === 15 ? r.bits(24) : AAC_RATES[idx];
    };
    let rate = rateAt();
    const channels = r.bits(4);
    if (aot === 5 || aot === 29) rate = rateAt();
    const out: AudioConfig = {};
    if (rate) out.sampleRate = rate;
    if (channels > 0 && channels < 7) out.channels = channels;
    else if (channels === 7) out.channels = 8;
    return out;
  } catch {
    return {};
  }
}

/** ffprobe's layout names that do not depend on the codec. */
export function channelLayoutName(channels: number | undefined): string | undefined {
  return channels === 1 ? 'mono' : channels === 2 ? 'stereo' : undefined;
}
