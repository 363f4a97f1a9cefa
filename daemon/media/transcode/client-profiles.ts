/**
 * What a client can play: containers, codecs, size, bitrate, HDR. Either sent by the client
 * (query or body of playback-info) or one of the named profiles below, or a named profile
 * with overrides. Pure.
 *
 * The named profiles are deliberately conservative (what every device of that family in
 * use today plays without plug-ins); a client that knows better sends its own lists.
 */
import { ValidationError } from '../../domain/errors.js';

export interface ClientCapabilities {
  /** Canonical container names (mp4, mkv, webm, ts, mov...). */
  containers: string[];
  /** ffprobe codec names (h264, hevc, vp9, av1...). */
  videoCodecs: string[];
  audioCodecs: string[];
  /** Longest edge limits in pixels; undefined = no limit. */
  maxWidth?: number;
  maxHeight?: number;
  /** Bits per second; undefined = no limit. */
  maxBitrate?: number;
  /** Can show HDR10/HLG as is (else tone mapping). */
  hdr: boolean;
  /** Highest video bit depth decoded (8 or 10). */
  maxBitDepth: number;
  /** Most audio channels passed through (else downmix by transcoding audio). */
  maxAudioChannels?: number;
}

export type ProfileName = 'browser' | 'android-tv' | 'apple-tv' | 'kodi';

export const CLIENT_PROFILES: Readonly<Record<ProfileName, Readonly<ClientCapabilities>>> = Object.freeze({
  browser: {
    containers: ['mp4', 'webm', 'mov', 'm4a', 'mp3', 'ogg', 'flac', 'wav'],
    videoCodecs: ['h264', 'vp8', 'vp9', 'av1'],
    audioCodecs: ['aac', 'mp3', 'opus', 'vorbis', 'flac'],
    hdr: false, maxBitDepth: 8, maxAudioChannels: 2,
  },
  'android-tv': {
    containers: ['mp4', 'mkv', 'webm', 'ts', 'm2ts', 'mov', 'mp3', 'flac', 'm4a', 'ogg'],
    videoCodecs: ['h264', 'hevc', 'vp8', 'vp9', 'av1', 'mpeg2video', 'mpeg4'],
    audioCodecs: ['aac', 'ac3', 'eac3', 'mp3', 'opus', 'vorbis', 'flac'],
    maxWidth: 3840, maxHeight: 2160, hdr: true, maxBitDepth: 10, maxAudioChannels: 8,
  },
  'apple-tv': {
    containers: ['mp4', 'mov', 'ts', 'm4a', 'mp3'],
    videoCodecs: ['h264', 'hevc'],
    audioCodecs: ['aac', 'ac3', 'eac3', 'alac', 'mp3', 'flac'],
    maxWidth: 3840, maxHeight: 2160, hdr: true, maxBitDepth: 10, maxAudioChannels: 8,
  },
  kodi: {
    containers: ['mp4', 'mkv', 'webm', 'ts', 'm2ts', 'mov', 'avi', 'mpeg', 'flv', 'wmv', 'ogg', 'mp3', 'flac', 'm4a', 'wav'],
    videoCodecs: ['h264', 'hevc', 'vp8', 'vp9', 'av1', 'mpeg2video', 'mpeg4', 'vc1', 'wmv3'],
    audioCodecs: ['aac', 'ac3', 'eac3', 'dts', 'truehd', 'mp3', 'opus', 'vorbis', 'flac', 'alac', 'pcm_s16le', 'pcm_s24le'],
    hdr: true, maxBitDepth: 10, maxAudioChannels: 8,
  },
});

export function isProfileName(v: string): v is ProfileName {
  return Object.prototype.hasOwnProperty.call(CLIENT_PROFILES, v);
}

/** Loose input: query strings (comma lists) or a JSON body (arrays or comma lists). */
export interface CapabilityInput {
  profile?: unknown;
  containers?: unknown;
  videoCodecs?: unknown;
  audioCodecs?: unknown;
  maxWidth?: unknown;
  maxHeight?: unknown;
  /** '720', '1080', '2160' or '1280x720'. */
  maxResolution?: unknown;
  maxBitrate?: unknown;
  hdr?: unknown;
  maxBitDepth?: unknown;
  maxAudioChannels?: unknown;
}

function list(v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : undefined;
  if (!items || items.some((x) => typeof x !== 'string')) throw new ValidationError(`${field} must be a list of names`, { field });
  return (items as string[]).map((x) => x.trim().toLowerCase()).filter(Boolean);
}

function positive(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new ValidationError(`${field} must be a positive number`, { field });
  return Math.floor(n);
}

function bool(v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ValidationError(`${field} must be true or false`, { field });
}

/** '1080' -> 1920x1080 box; '1280x720' -> that box. */
export function parseResolution(v: string): { maxWidth: number; maxHeight: number } {
  const box = /^(\d{2,5})x(\d{2,5})$/i.exec(v.trim());
  if (box) return { maxWidth: Number(box[1]), maxHeight: Number(box[2]) };
  const h = /^(\d{3,4})p?$/i.exec(v.trim());
  if (h) {
    const height = Number(h[1]);
    return { maxWidth: Math.round((height * 16) / 9), maxHeight: height };
  }
  if (v.trim().toLowerCase() === '4k') return { maxWidth: 3840, maxHeight: 2160 };
  throw new ValidationError('maxResolution must look like 720, 1080p, 4k or 1280x720', { field: 'maxResolution' });
}

/**
 * Capabilities from loose input: a named profile (default 'browser') with any given field
 * overriding it. Unknown profile -> ValidationError.
 */
export function resolveCapabilities(input: CapabilityInput): ClientCapabilities {
  const name = typeof input.profile === 'string' && input.profile ? input.profile.toLowerCase() : 'browser';
  if (!isProfileName(name)) {
    throw new ValidationError(`Unknown profile "${name}" (known: ${Object.keys(CLIENT_PROFILES).join(', ')})`, { field: 'profile' });
  }
  const base = CLIENT_PROFILES[name];
  const caps: ClientCapabilities = { ...base, containers: [...base.containers], videoCodecs: [...base.videoCodecs], audioCodecs: [...base.audioCodecs] };
  caps.containers = list(input.containers, 'containers') ?? caps.containers;
  caps.videoCodecs = list(input.videoCodecs, 'videoCodecs') ?? caps.videoCodecs;
  caps.audioCodecs = list(input.audioCodecs, 'audioCodecs') ?? caps.audioCodecs;
  if (typeof input.maxResolution === 'string' && input.maxResolution) Object.assign(caps, parseResolution(input.maxResolution));
  caps.maxWidth = positive(input.maxWidth, 'maxWidth') ?? caps.maxWidth;
  caps.maxHeight = positive(input.maxHeight, 'maxHeight') ?? caps.maxHeight;
  caps.maxBitrate = positive(input.maxBitrate, 'maxBitrate') ?? caps.maxBitrate;
  caps.hdr = bool(input.hdr, 'hdr') ?? caps.hdr;
  caps.maxBitDepth = positive(input.maxBitDepth, 'maxBitDepth') ?? caps.maxBitDepth;
  caps.maxAudioChannels = positive(input.maxAudioChannels, 'maxAudioChannels') ?? caps.maxAudioChannels;
  return caps;
}
