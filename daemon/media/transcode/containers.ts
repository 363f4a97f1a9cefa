/**
 * Container facts for playback: the Content-Type a direct-play answer carries, and the
 * canonical container name a client profile compares against. Pure.
 */

/** Canonical container names (what profiles list). */
export type ContainerName = 'mp4' | 'mkv' | 'webm' | 'mov' | 'avi' | 'ts' | 'm2ts' | 'flv' | 'wmv' | 'mpeg' | 'ogg'
  | 'mp3' | 'flac' | 'm4a' | 'wav' | 'aac' | 'opus' | string;

const BY_EXTENSION: Record<string, { container: ContainerName; mime: string }> = {
  mp4: { container: 'mp4', mime: 'video/mp4' },
  m4v: { container: 'mp4', mime: 'video/x-m4v' },
  mov: { container: 'mov', mime: 'video/quicktime' },
  mkv: { container: 'mkv', mime: 'video/x-matroska' },
  mk3d: { container: 'mkv', mime: 'video/x-matroska' },
  webm: { container: 'webm', mime: 'video/webm' },
  avi: { container: 'avi', mime: 'video/x-msvideo' },
  ts: { container: 'ts', mime: 'video/mp2t' },
  mts: { container: 'm2ts', mime: 'video/mp2t' },
  m2ts: { container: 'm2ts', mime: 'video/mp2t' },
  flv: { container: 'flv', mime: 'video/x-flv' },
  wmv: { container: 'wmv', mime: 'video/x-ms-wmv' },
  mpg: { container: 'mpeg', mime: 'video/mpeg' },
  mpeg: { container: 'mpeg', mime: 'video/mpeg' },
  ogv: { container: 'ogg', mime: 'video/ogg' },
  '3gp': { container: 'mp4', mime: 'video/3gpp' },
  mp3: { container: 'mp3', mime: 'audio/mpeg' },
  flac: { container: 'flac', mime: 'audio/flac' },
  m4a: { container: 'm4a', mime: 'audio/mp4' },
  m4b: { container: 'm4a', mime: 'audio/mp4' },
  aac: { container: 'aac', mime: 'audio/aac' },
  wav: { container: 'wav', mime: 'audio/wav' },
  ogg: { container: 'ogg', mime: 'audio/ogg' },
  oga: { container: 'ogg', mime: 'audio/ogg' },
  opus: { container: 'opus', mime: 'audio/ogg; codecs=opus' },
};

function ext(name: string): string {
  const i = name.lastIndexOf('.');
  return i > 0 ? name.slice(i + 1).toLowerCase() : '';
}

/**
 * The container of a file: the extension decides when it is known (ffprobe reports MP4 and
 * MOV as one family, "mov,mp4,m4a,..."), else the probed container name.
 */
export function containerOf(fileName: string, probed?: string): ContainerName {
  const known = BY_EXTENSION[ext(fileName)];
  if (known) return known.container;
  if (probed) {
    if (probed.includes('matroska')) return 'mkv';
    if (probed.includes('mp4') || probed.includes('mov')) return 'mp4';
    if (probed === 'mpegts') return 'ts';
    return probed.split(',')[0] ?? probed;
  }
  return ext(fileName) || 'unknown';
}

/** Content-Type for a direct-play answer (falls back to the indexed mime, then octet-stream). */
export function contentTypeOf(fileName: string, indexedMime?: string): string {
  return BY_EXTENSION[ext(fileName)]?.mime ?? indexedMime ?? 'application/octet-stream';
}
