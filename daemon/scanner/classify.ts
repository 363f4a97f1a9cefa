/**
 * File classification and the scanner's ignore rules.
 *
 * `classify(name)` maps a file name to its MediaType and MIME type by extension (one table,
 * case-insensitive). `createIgnoreMatcher(patterns)` decides which directory entries the
 * scanner never indexes: hidden names, NAS system folders, our own temp files and Media
 * Reviewer companion files. Pure functions, no I/O.
 */
import type { MediaType } from '../domain/types.js';

export interface Classification {
  mediaType: MediaType;
  mime?: string;
}

type Row = [mediaType: MediaType, mime: string];

/** Extension (lower case, with dot) -> classification. */
const TABLE: ReadonlyMap<string, Row> = new Map<string, Row>([
  // images
  ['.jpg', ['image', 'image/jpeg']], ['.jpeg', ['image', 'image/jpeg']],
  ['.png', ['image', 'image/png']], ['.gif', ['image', 'image/gif']],
  ['.bmp', ['image', 'image/bmp']], ['.webp', ['image', 'image/webp']],
  ['.svg', ['image', 'image/svg+xml']], ['.ico', ['image', 'image/x-icon']],
  ['.tiff', ['image', 'image/tiff']], ['.tif', ['image', 'image/tiff']],
  ['.heic', ['image', 'image/heic']], ['.heif', ['image', 'image/heif']],
  ['.avif', ['image', 'image/avif']], ['.jxl', ['image', 'image/jxl']],
  ['.raw', ['image', 'image/x-raw']], ['.cr2', ['image', 'image/x-canon-cr2']],
  ['.nef', ['image', 'image/x-nikon-nef']], ['.arw', ['image', 'image/x-sony-arw']],
  ['.dng', ['image', 'image/x-adobe-dng']],
  // video
  ['.mp4', ['video', 'video/mp4']], ['.mkv', ['video', 'video/x-matroska']],
  ['.avi', ['video', 'video/x-msvideo']], ['.mov', ['video', 'video/quicktime']],
  ['.wmv', ['video', 'video/x-ms-wmv']], ['.flv', ['video', 'video/x-flv']],
  ['.m4v', ['video', 'video/x-m4v']], ['.mpeg', ['video', 'video/mpeg']],
  ['.mpg', ['video', 'video/mpeg']], ['.3gp', ['video', 'video/3gpp']],
  ['.ts', ['video', 'video/mp2t']], ['.webm', ['video', 'video/webm']],
  ['.m2ts', ['video', 'video/mp2t']], ['.mts', ['video', 'video/mp2t']],
  ['.vob', ['video', 'video/dvd']], ['.ogv', ['video', 'video/ogg']],
  // audio
  ['.mp3', ['audio', 'audio/mpeg']], ['.flac', ['audio', 'audio/flac']],
  ['.m4a', ['audio', 'audio/mp4']], ['.aac', ['audio', 'audio/aac']],
  ['.ogg', ['audio', 'audio/ogg']], ['.opus', ['audio', 'audio/opus']],
  ['.wav', ['audio', 'audio/wav']], ['.wma', ['audio', 'audio/x-ms-wma']],
  ['.alac', ['audio', 'audio/x-alac']], ['.aiff', ['audio', 'audio/aiff']],
  ['.ape', ['audio', 'audio/x-ape']], ['.wv', ['audio', 'audio/x-wavpack']],
  ['.dsf', ['audio', 'audio/x-dsf']],
  // playlists
  ['.m3u', ['playlist', 'audio/x-mpegurl']], ['.m3u8', ['playlist', 'application/vnd.apple.mpegurl']],
  ['.pls', ['playlist', 'audio/x-scpls']], ['.wpl', ['playlist', 'application/vnd.ms-wpl']],
  ['.xspf', ['playlist', 'application/xspf+xml']],
  // subtitles
  ['.srt', ['subtitle', 'application/x-subrip']], ['.ass', ['subtitle', 'text/x-ssa']],
  ['.ssa', ['subtitle', 'text/x-ssa']], ['.vtt', ['subtitle', 'text/vtt']],
  ['.sub', ['subtitle', 'text/x-microdvd']], ['.idx', ['subtitle', 'application/x-vobsub']],
  ['.sup', ['subtitle', 'application/x-pgs']],
  // metadata
  ['.nfo', ['nfo', 'text/x-nfo']],
]);

/** Lower-case extension with its dot ('' when the name has none or is a dot-name). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return '';
  return name.slice(dot).toLowerCase();
}

/** Name without its extension ('movie.en.srt' -> 'movie.en'). */
export function baseNameOf(name: string): string {
  const ext = extensionOf(name);
  return ext ? name.slice(0, -ext.length) : name;
}

/** Classify a file by extension. Unknown extensions are 'other' with no MIME type. */
export function classify(name: string): Classification {
  const row = TABLE.get(extensionOf(name));
  return row ? { mediaType: row[0], mime: row[1] } : { mediaType: 'other' };
}

/** The media types the prober handles. */
export const PROBED_MEDIA_TYPES: ReadonlySet<MediaType> = new Set<MediaType>(['image', 'video', 'audio']);

/**
 * Default ignore patterns. Syntax: a plain name matches exactly; `*` matches any run of
 * characters; patterns are matched against the entry's base name (case-sensitive, as on
 * the NAS filesystems this runs on).
 */
export const DEFAULT_IGNORE: readonly string[] = [
  '.*',                          // hidden files and dirs (also covers .Trash-*, .DS_Store, our .*.alcove-tmp-*)
  '@eaDir',                      // Synology thumbnails
  '#recycle',                    // Synology recycle bin
  '#snapshot',
  '.Trash-*',
  'lost+found',
  '$RECYCLE.BIN',
  'System Volume Information',
  '*.alcove-tmp-*',              // our own in-flight writes
  '*.lock', '*.trash', '*.seen', // Media Reviewer companion files next to media
];

export type IgnoreMatcher = (name: string, type: 'file' | 'dir') => boolean;

function compile(pattern: string): (name: string) => boolean {
  if (!pattern.includes('*')) return (name) => name === pattern;
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  const re = new RegExp(`^${source}$`, 's');
  return (name) => re.test(name);
}

/**
 * Build the ignore test. `patterns` replaces the defaults when given (pass
 * `[...DEFAULT_IGNORE, 'extra']` to extend). `type` is accepted so callers can keep a
 * directory-only rule later without changing the signature.
 */
export function createIgnoreMatcher(patterns: readonly string[] = DEFAULT_IGNORE): IgnoreMatcher {
  const tests = patterns.map(compile);
  return (name) => {
    for (const test of tests) if (test(name)) return true;
    return false;
  };
}
