/**
 * In-process probe of Matroska and WebM: EBML header, then the Segment's top-level
 * elements up to the first Cluster (SeekHead, Info, Tracks, Attachments), and SeekHead
 * targets for whichever of Info/Tracks/Attachments were not before it. Media data is not
 * read, except a few KiB of the first Cluster when a VP9 track needs its first frame.
 * Produces what ffprobe-map.ts makes of ffprobe's output for the same file.
 *
 * Throws UnsupportedMediaError for what it does not model (no Duration, unknown codec ids,
 * no video track, 10-bit video without Colour); ProbeService then runs ffprobe.
 */
import type { AudioStream, ProbeInfo, SubtitleStream, VideoStream } from '../../domain/types.js';
import { UnsupportedMediaError, type ByteSource } from './byte-source.js';
import { body, elementAt, elements, float, sint, text, uint, type Element } from './ebml.js';
import { audioStream, ID as TRACK_ID, parseTrackEntry, subtitleStream, videoStream, type MkvTrack } from './matroska-tracks.js';

const ID = {
  EBML: 0x1a45dfa3, DocType: 0x4282, Segment: 0x18538067, SeekHead: 0x114d9b74, Seek: 0x4dbb, SeekID: 0x53ab,
  SeekPosition: 0x53ac, Info: 0x1549a966, TimestampScale: 0x2ad7b1, Duration: 0x4489, DateUTC: 0x4461,
  Tracks: 0x1654ae6b, Attachments: 0x1941a469, AttachedFile: 0x61a7, FileMimeType: 0x4660, Cluster: 0x1f43b675,
  SimpleBlock: 0xa3, BlockGroup: 0xa0, Block: 0xa1,
} as const;

const HEAD_BYTES = 64 * 1024;
const MAX_ELEMENT_BYTES = 16 * 1024 * 1024;
const CLUSTER_PEEK_BYTES = 64 * 1024;
/** 2001-01-01T00:00:00Z, Matroska's DateUTC epoch. */
const MKV_EPOCH_MS = Date.UTC(2001, 0, 1);

interface Found { info?: Buffer; tracks?: Buffer; attachments?: Buffer; clusterAt?: number; seeks: Map<number, number> }

export async function probeMatroska(src: ByteSource, name: string): Promise<ProbeInfo> {
  const head = await src.read(0, HEAD_BYTES);
  const ebml = elementAt(head, 0);
  if (!ebml || ebml.id !== ID.EBML || ebml.size < 0) throw new UnsupportedMediaError('not an EBML file', true);
  let docType = 'matroska';
  for (const el of elements(body(head, ebml))) if (el.id === ID.DocType) docType = text(body(body(head, ebml), el));
  if (docType !== 'matroska' && docType !== 'webm') throw new UnsupportedMediaError(`EBML doc type ${docType}`);
  const seg = elementAt(head, ebml.dataStart + ebml.size);
  if (!seg || seg.id !== ID.Segment) throw new UnsupportedMediaError('no Segment');
  const segData = seg.dataStart;
  const found = await scanSegment(src, head, segData);
  // Whatever was not before the first Cluster, SeekHead says where it is.
  for (const [id, key] of [[ID.Info, 'info'], [ID.Tracks, 'tracks'], [ID.Attachments, 'attachments']] as const) {
    const pos = found.seeks.get(id);
    if (found[key] || pos === undefined) continue;
    found[key] = await readElement(src, segData + pos, id);
  }
  if (!found.info || !found.tracks) throw new UnsupportedMediaError('no Info or Tracks');

  let scale = 1_000_000; let duration: number | undefined; let date: number | undefined;
  for (const el of elements(found.info)) {
    const b = body(found.info, el);
    if (el.id === ID.TimestampScale) scale = uint(b) || scale;
    else if (el.id === ID.Duration) duration = float(b);
    else if (el.id === ID.DateUTC && b.length === 8) date = sint(b);
  }
  if (!duration || !(duration > 0)) throw new UnsupportedMediaError('no Duration');
  const durationS = (duration * scale) / 1e9;
  const tracks: MkvTrack[] = [];
  for (const el of elements(found.tracks)) if (el.id === TRACK_ID.TrackEntry) tracks.push(parseTrackEntry(body(found.tracks, el), tracks.length));

  const info: ProbeInfo = {
    prober: 'matroska',
    container: docType === 'webm' || name.toLowerCase().endsWith('.webm') ? 'webm' : 'mkv',
    durationMs: Math.round(durationS * 1000),
    bitRate: Math.floor((src.size * 8) / durationS),
  };
  const video: VideoStream[] = [];
  const audio: AudioStream[] = [];
  const subtitles: SubtitleStream[] = [];
  for (const t of tracks) {
    if (t.type === 1) {
      const frame = t.codecId === 'V_VP9' ? await firstFrame(src, found.clusterAt, t.number) : undefined;
      video.push(videoStream(t, frame));
    } else if (t.type === 2) audio.push(audioStream(t));
    else if (t.type === 17) subtitles.push(subtitleStream(t));
  }
  if (!video.length) throw new UnsupportedMediaError('no video track');
  info.video = video;
  info.width = video[0].width;
  info.height = video[0].height;
  if (audio.length) info.audio = audio;
  if (subtitles.length) info.subtitles = subtitles;
  if (found.attachments && hasImageAttachment(found.attachments)) info.hasCoverArt = true;
  if (date !== undefined) {
    const taken = MKV_EPOCH_MS + Math.round(date / 1e6);
    if (taken > Date.UTC(1971, 0, 1)) info.takenAt = taken;
  }
  return info;
}

/** Top-level Segment children up to the first Cluster (or the end of what is readable). */
async function scanSegment(src: ByteSource, head: Buffer, segData: number): Promise<Found> {
  const found: Found = { seeks: new Map() };
  let base = 0;
  let buf = head;
  let at = segData;
  for (let guard = 0; guard < 4096 && base + at < src.size; guard++) {
    let el = elementAt(buf, at);
    if (!el) {
      base += at;
      buf = await src.read(base, HEAD_BYTES);
      at = 0;
      el = elementAt(buf, 0);
      if (!el) break;
    }
    if (el.size < 0) break; // unknown-size Cluster (live streams)
    const abs = base + el.start;
    if (el.id === ID.Cluster) { found.clusterAt = abs; break; }
    const want = el.id === ID.SeekHead || el.id === ID.Info || el.id === ID.Tracks || el.id === ID.Attachments;
    if (want) {
      const data = el.dataStart + el.size <= buf.length ? body(buf, el) : await readElement(src, abs, el.id);
      if (data) {
        if (el.id === ID.SeekHead) readSeekHead(data, found.seeks);
        else if (el.id === ID.Info) found.info ??= data;
        else if (el.id === ID.Tracks) found.tracks ??= data;
        else found.attachments ??= data;
      }
    }
    const next = abs + (el.dataStart - el.start) + el.size;
    if (next - base < buf.length) at = next - base;
    else { base = next; at = 0; buf = next < src.size ? await src.read(next, HEAD_BYTES) : Buffer.alloc(0); }
  }
  return found;
}

function readSeekHead(data: Buffer, seeks: Map<number, number>): void {
  for (const seek of elements(data)) {
    if (seek.id !== ID.Seek) continue;
    const s = body(data, seek);
    let id: number | undefined; let pos: number | undefined;
    for (const el of elements(s)) {
      if (el.id === ID.SeekID) id = uint(body(s, el));
      else if (el.id === ID.SeekPosition) pos = uint(body(s, el));
    }
    if (id !== undefined && pos !== undefined && !seeks.has(id)) seeks.set(id, pos);
  }
}

/** The data of the element of type `id` at absolute offset `at` (undefined when it is not one or too big). */
async function readElement(src: ByteSource, at: number, id: number): Promise<Buffer | undefined> {
  const hdr = await src.read(at, 16);
  const el = elementAt(hdr, 0);
  if (!el || el.id !== id || el.size < 0 || el.size > MAX_ELEMENT_BYTES) return undefined;
  const data = await src.read(at + el.dataStart, el.size);
  return data.length === el.size ? Buffer.from(data) : undefined;
}

function hasImageAttachment(data: Buffer): boolean {
  for (const file of elements(data)) {
    if (file.id !== ID.AttachedFile) continue;
    const f = body(data, file);
    for (const el of elements(f)) if (el.id === ID.FileMimeType && text(body(f, el)).startsWith('image/')) return true;
  }
  return false;
}

/** The first frame of track `number` in the first Cluster (a few KiB read). */
async function firstFrame(src: ByteSource, clusterAt: number | undefined, number: number): Promise<Buffer | undefined> {
  if (clusterAt === undefined) return undefined;
  const buf = await src.read(clusterAt, CLUSTER_PEEK_BYTES);
  const cluster = elementAt(buf, 0);
  if (!cluster || cluster.id !== ID.Cluster) return undefined;
  const data = buf.subarray(cluster.dataStart, cluster.size < 0 ? buf.length : Math.min(buf.length, cluster.dataStart + cluster.size));
  for (const el of elements(data)) {
    let block: Buffer | undefined;
    if (el.id === ID.SimpleBlock) block = body(data, el);
    else if (el.id === ID.BlockGroup) {
      const g = body(data, el);
      const b = [...elements(g)].find((x: Element) => x.id === ID.Block);
      if (b) block = body(g, b);
    }
    if (!block || block.length < 5) continue;
    const track = elementTrackNumber(block);
    if (track && track.number === number && (block[track.len + 2] & 0x06) === 0) return Buffer.from(block.subarray(track.len + 3));
  }
  return undefined;
}

/** A Block's leading track number (an EBML vint). */
function elementTrackNumber(block: Buffer): { number: number; len: number } | undefined {
  const len = Math.clz32(block[0]) - 23;
  if (len < 1 || len > 4) return undefined;
  let n = block[0] & (0xff >> len);
  for (let i = 1; i < len; i++) n = n * 256 + block[i];
  return { number: n, len };
}
