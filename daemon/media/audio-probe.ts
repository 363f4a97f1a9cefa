/**
 * In-process audio probing with music-metadata: no process spawn, a few ms per file.
 * Duration comes from headers only (`duration: false`: no full scan of VBR files without
 * a Xing/VBRI header). Covers are read (not skipped) because hasCoverArt needs them; the
 * picture data is dropped at once.
 */
import type { Readable } from 'node:stream';
import type { IAudioMetadata, IOptions } from 'music-metadata';
import { loadMusicMetadata } from './lazy-modules.js';
import type { ProbeInfo } from '../domain/types.js';
import { extensionOf } from './source-read.js';

const OPTIONS: IOptions = { duration: false, skipCovers: false };
/** Streams cannot seek to trailing tags (ID3v1, APE): skip them rather than read it all. */
const STREAM_OPTIONS: IOptions = { ...OPTIONS, skipPostHeaders: true };

export async function probeAudioFile(path: string, name: string): Promise<ProbeInfo> {
  const { parseFile } = await loadMusicMetadata();
  return mapAudioMetadata(await parseFile(path, OPTIONS), name);
}

export async function probeAudioStream(stream: Readable, size: number, name: string): Promise<ProbeInfo> {
  // An error the stream emits while music-metadata loads is kept, not unhandled.
  let early: unknown;
  const onEarly = (err: unknown): void => { early = err; };
  stream.on('error', onEarly);
  try {
    const { parseStream } = await loadMusicMetadata();
    stream.off('error', onEarly);
    if (early) throw early;
    return mapAudioMetadata(await parseStream(stream, { size, path: name }, STREAM_OPTIONS), name);
  } finally {
    stream.destroy();
  }
}

const AUDIO_CONTAINERS = new Set(['mp3', 'flac', 'm4a', 'm4b', 'aac', 'ogg', 'oga', 'opus', 'wav', 'aiff', 'aif', 'wma', 'ape', 'wv', 'mka', 'dsf', 'dff', 'mpc']);

/** Throws when music-metadata learned nothing useful (the caller falls back to ffprobe). */
export function mapAudioMetadata(m: IAudioMetadata, name: string): ProbeInfo {
  const f = m.format;
  if (!f.codec && f.duration === undefined && !f.sampleRate) throw new Error('no audio stream recognised');
  const ext = extensionOf(name);
  const info: ProbeInfo = {
    prober: 'music-metadata',
    container: AUDIO_CONTAINERS.has(ext) ? ext : (f.container ?? '').toLowerCase().split('/')[0] || undefined,
  };
  if (f.duration !== undefined && Number.isFinite(f.duration)) info.durationMs = Math.round(f.duration * 1000);
  if (f.bitrate !== undefined && Number.isFinite(f.bitrate)) info.bitRate = Math.round(f.bitrate);
  info.audio = [{
    index: 0,
    codec: codecName(f.codec),
    ...(f.numberOfChannels ? { channels: f.numberOfChannels } : {}),
    ...(f.sampleRate ? { sampleRate: f.sampleRate } : {}),
    ...(info.bitRate ? { bitRate: info.bitRate } : {}),
  }];
  const c = m.common;
  const tags: NonNullable<ProbeInfo['tags']> = {};
  if (c.title) tags.title = c.title;
  if (c.artist) tags.artist = c.artist;
  if (c.albumartist) tags.albumArtist = c.albumartist;
  if (c.album) tags.album = c.album;
  if (c.track?.no) tags.track = c.track.no;
  if (c.disk?.no) tags.disc = c.disk.no;
  if (c.year) tags.year = c.year;
  if (c.genre?.length) tags.genre = c.genre;
  if (Object.keys(tags).length) info.tags = tags;
  info.hasCoverArt = Boolean(c.picture?.length);
  return info;
}

/** music-metadata's codec names -> ffmpeg's, so transcoding decisions see one vocabulary. */
export function codecName(codec: string | undefined): string {
  if (!codec) return 'unknown';
  const c = codec.toLowerCase();
  if (c.includes('layer 3')) return 'mp3';
  if (c.includes('layer 2')) return 'mp2';
  if (c.includes('aac')) return 'aac';
  if (c.includes('alac')) return 'alac';
  if (c.includes('flac')) return 'flac';
  if (c.includes('opus')) return 'opus';
  if (c.includes('vorbis')) return 'vorbis';
  if (c.includes('e-ac-3') || c.includes('eac3')) return 'eac3';
  if (c.includes('ac-3') || c === 'ac3') return 'ac3';
  if (c.includes('wma') || c.includes('windows media audio')) return 'wmav2';
  if (c.startsWith('pcm')) return 'pcm';
  if (c.includes('wavpack')) return 'wavpack';
  if (c.includes('monkey')) return 'ape';
  if (c.includes('dsd')) return 'dsd';
  return c;
}
