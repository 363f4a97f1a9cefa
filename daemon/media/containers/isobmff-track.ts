/**
 * One `trak` of an ISO BMFF moov, reduced to what a probe reports: handler, flags,
 * language, title, timing (mdhd, stts), size (stsz) and the first sample entry with its
 * configuration boxes. Pure over a Buffer; out-of-range reads throw RangeError, which
 * ProbeService treats like any parse failure (ffprobe fallback).
 */
import { child, children } from './isobmff-box.js';

export interface SampleEntry {
  fourcc: string;
  width?: number;
  height?: number;
  channels?: number;
  sampleRate?: number;
  /** Child boxes of the sample entry by type (avcC, hvcC, vpcC, av1C, dac3, dOps, ...). */
  boxes: Map<string, Buffer>;
  esds?: { oti: number; dsi?: Buffer };
  colr?: { transfer?: number };
}

export interface Track {
  /** Stream index as ffprobe numbers it: the trak's position in moov. */
  index: number;
  trackId: number;
  handler: string;
  enabled: boolean;
  language?: string;
  title?: string;
  timescale: number;
  durationS: number;
  frames: number;
  /** Sum of stts deltas (media timescale units). */
  sampleDelta: number;
  bitRate?: number;
  /** Track ids this track names as its chapter track (tref/chap). */
  chapterRefs: number[];
  entry: SampleEntry;
}

/** ffmpeg's table for QuickTime's old numeric language codes (mov_mdhd_language_map). */
const MAC_LANGUAGES = ['eng', 'fra', 'ger', 'ita', 'dut', 'sve', 'spa', 'dan', 'por', 'nor', 'heb', 'jpn', 'ara', 'fin', 'gre', 'ice', 'mlt', 'tur', 'hr ', 'chi', 'urd', 'hin', 'tha', 'kor'];

function language(code: number): string | undefined {
  let lang: string | undefined;
  if (code >= 0x400 && code !== 0x7fff) {
    lang = String.fromCharCode(0x60 + ((code >> 10) & 0x1f), 0x60 + ((code >> 5) & 0x1f), 0x60 + (code & 0x1f));
  } else {
    lang = MAC_LANGUAGES[code];
  }
  return lang && lang !== 'und' ? lang : undefined;
}

function handlerName(hdlr: Buffer): string | undefined {
  let name = hdlr.subarray(24);
  if (name.length > 1 && name[0] === name.length - 1) name = name.subarray(1); // QuickTime Pascal string
  const nul = name.indexOf(0);
  const text = (nul >= 0 ? name.subarray(0, nul) : name).toString('utf8');
  return text || undefined;
}

const GENERIC_HANDLER_NAMES = new Set(['VideoHandler', 'SoundHandler', 'SubtitleHandler', 'Core Media Video',
  'Core Media Audio', 'Mainconcept MP4 Sound Media Handler', 'ISO Media file produced by Google Inc.']);

export function trackStreams(trak: Buffer, index: number): Track {
  const boxes = children(trak);
  const tkhd = boxes.find((b) => b.type === 'tkhd')?.body;
  const mdia = boxes.find((b) => b.type === 'mdia')?.body;
  if (!tkhd || !mdia) throw new RangeError('trak without tkhd/mdia');
  const tref = boxes.find((b) => b.type === 'tref')?.body;
  const chap = tref ? child(tref, 'chap') : undefined;
  const chapterRefs: number[] = [];
  for (let i = 0; chap && i + 4 <= chap.length; i += 4) chapterRefs.push(chap.readUInt32BE(i));

  const mdhd = child(mdia, 'mdhd');
  const hdlr = child(mdia, 'hdlr');
  const stbl = child(child(mdia, 'minf') ?? Buffer.alloc(0), 'stbl');
  if (!mdhd || !hdlr || !stbl) throw new RangeError('mdia without mdhd/hdlr/stbl');
  const v1 = mdhd[0] === 1;
  const timescale = mdhd.readUInt32BE(v1 ? 20 : 12);
  const duration = v1 ? Number(mdhd.readBigUInt64BE(24)) : mdhd.readUInt32BE(16);
  const durationS = timescale > 0 ? duration / timescale : 0;
  const handler = hdlr.toString('latin1', 8, 12);
  const title = handlerName(hdlr);

  const { frames, delta } = sttsTotals(child(stbl, 'stts'));
  const bytes = stszBytes(child(stbl, 'stsz'));
  const track: Track = {
    index,
    trackId: tkhd.readUInt32BE(tkhd[0] === 1 ? 20 : 12),
    handler,
    enabled: (tkhd[3] & 1) === 1,
    timescale, durationS, frames, sampleDelta: delta, chapterRefs,
    entry: sampleEntry(child(stbl, 'stsd'), handler),
  };
  const lang = language(mdhd.readUInt16BE(v1 ? 32 : 20));
  if (lang) track.language = lang;
  if (title && !GENERIC_HANDLER_NAMES.has(title)) track.title = title;
  if (bytes > 0 && durationS > 0) track.bitRate = Math.floor((bytes * 8) / durationS);
  return track;
}

function sttsTotals(stts: Buffer | undefined): { frames: number; delta: number } {
  let frames = 0; let delta = 0;
  if (!stts) return { frames, delta };
  const n = stts.readUInt32BE(4);
  for (let i = 0, at = 8; i < n && at + 8 <= stts.length; i++, at += 8) {
    const count = stts.readUInt32BE(at);
    frames += count;
    delta += count * stts.readUInt32BE(at + 4);
  }
  return { frames, delta };
}

function stszBytes(stsz: Buffer | undefined): number {
  if (!stsz || stsz.length < 12) return 0;
  const size = stsz.readUInt32BE(4);
  const count = stsz.readUInt32BE(8);
  if (size) return size * count;
  let total = 0;
  const end = Math.min(stsz.length, 12 + count * 4);
  for (let at = 12; at + 4 <= end; at += 4) total += stsz.readUInt32BE(at);
  return total;
}

function sampleEntry(stsd: Buffer | undefined, handler: string): SampleEntry {
  if (!stsd || stsd.length < 16 || stsd.readUInt32BE(4) < 1) throw new RangeError('empty stsd');
  const entry = children(stsd.subarray(8))[0];
  if (!entry) throw new RangeError('empty stsd');
  const b = entry.body;
  const out: SampleEntry = { fourcc: entry.type, boxes: new Map() };
  let childrenAt = 8;
  if (handler === 'vide') {
    out.width = b.readUInt16BE(24);
    out.height = b.readUInt16BE(26);
    childrenAt = 78;
  } else if (handler === 'soun') {
    const version = b.readUInt16BE(8);
    out.channels = b.readUInt16BE(16);
    out.sampleRate = b.readUInt32BE(24) >>> 16;
    childrenAt = 28;
    if (version === 1) childrenAt = 44;
    else if (version === 2) {
      out.sampleRate = Math.round(b.readDoubleBE(32));
      out.channels = b.readUInt32BE(40);
      childrenAt = 64;
    }
  }
  for (const c of children(b.subarray(Math.min(childrenAt, b.length)))) {
    out.boxes.set(c.type, c.body);
    if (c.type === 'wave') for (const w of children(c.body)) if (!out.boxes.has(w.type)) out.boxes.set(w.type, w.body);
  }
  const esds = out.boxes.get('esds');
  if (esds) out.esds = parseEsds(esds);
  const colr = out.boxes.get('colr');
  if (colr && colr.length >= 10) {
    const kind = colr.toString('latin1', 0, 4);
    if (kind === 'nclx' || kind === 'nclc') {
      const transfer = colr.readUInt16BE(6);
      out.colr = transfer === 2 ? {} : { transfer };
    }
  }
  return out;
}

/** esds (after its FullBox header): objectTypeIndication and DecoderSpecificInfo. */
function parseEsds(esds: Buffer): { oti: number; dsi?: Buffer } | undefined {
  let at = 4;
  const descriptor = (): { tag: number; start: number; len: number } => {
    const tag = esds[at++];
    let len = 0;
    for (let i = 0; i < 4; i++) {
      const byte = esds[at++];
      len = (len << 7) | (byte & 0x7f);
      if (!(byte & 0x80)) break;
    }
    return { tag, start: at, len };
  };
  let d = descriptor();
  if (d.tag === 3) {
    const flags = esds[at + 2];
    at += 3;
    if (flags & 0x80) at += 2;
    if (flags & 0x40) at += 1 + esds[at];
    if (flags & 0x20) at += 2;
    d = descriptor();
  }
  if (d.tag !== 4) return undefined;
  const oti = esds[d.start];
  at = d.start + 13;
  if (at >= d.start + d.len) return { oti };
  const dsi = descriptor();
  return dsi.tag === 5 ? { oti, dsi: esds.subarray(dsi.start, dsi.start + dsi.len) } : { oti };
}
