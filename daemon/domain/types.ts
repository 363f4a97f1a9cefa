/**
 * The core data model, shared by every API surface (see ../shared/API-NOTES.md).
 * Pure types: no I/O here. All times are Unix epoch milliseconds unless named otherwise.
 *
 * One id space: storage roots, libraries and locations have their own small counters,
 * but every item (directory, file, and later virtual items such as show/season/album)
 * takes its id from the single item counter, so `/api/media/:id` is never ambiguous.
 */

export type LibraryType =
  | 'movie' | 'tv' | 'music' | 'photo' | 'book' | 'audiobook' | 'comic' | 'game' | 'mixed';

export const LIBRARY_TYPES: readonly LibraryType[] = [
  'movie', 'tv', 'music', 'photo', 'book', 'audiobook', 'comic', 'game', 'mixed',
];

/** Where bytes live. `url` never carries credentials; those are kept encrypted apart. */
export interface StorageRoot {
  id: number;
  /** Credential-free URL: file:///abs, smb://host[:port]/share/path, ftp://..., webdav(s)://... */
  url: string;
  scheme: 'file' | 'smb' | 'ftp' | 'ftps' | 'webdav' | 'webdavs';
  name: string;
  /** Encrypted credential blob (never serialized to API responses). */
  secret?: string;
  status: 'online' | 'offline' | 'error';
  lastError?: string;
  lastCheckedAt?: number;
  createdAt: number;
}

/** A library location: one folder of one storage root. */
export interface LibraryLocation {
  id: number;
  rootId: number;
  /** Path within the root, '/'-separated, no leading slash ('' = the root itself). */
  path: string;
  /** Item id of the directory item that stands for this location's folder. */
  rootItemId: number;
  online: boolean;
  lastError?: string;
  lastScanAt?: number;
}

export interface Library {
  id: number;
  uuid: string;
  name: string;
  type: LibraryType;
  locations: LibraryLocation[];
  /** Review locations (Media Reviewer) are kept in the same store but hidden from browse. */
  purpose: 'library' | 'review';
  createdAt: number;
  updatedAt: number;
  settings: Record<string, unknown>;
}

/** What an item is. 'dir' and 'file' are on storage; the rest are virtual. */
export type ItemKind =
  | 'dir' | 'file'
  | 'movie' | 'show' | 'season' | 'episode' | 'artist' | 'album' | 'track' | 'collection';

/** Classification of a file by extension (and for dirs, 'folder'). */
export type MediaType =
  | 'folder' | 'image' | 'video' | 'audio' | 'playlist' | 'subtitle' | 'nfo' | 'other';

export interface VideoStream {
  index: number; codec: string; profile?: string; width: number; height: number;
  bitDepth?: number; pixFmt?: string; frameRate?: number; bitRate?: number;
  hdr?: 'hdr10' | 'hlg' | 'dolby-vision' | 'hdr10+'; colorTransfer?: string;
  language?: string; default?: boolean;
}
export interface AudioStream {
  index: number; codec: string; channels?: number; channelLayout?: string; sampleRate?: number;
  bitRate?: number; language?: string; title?: string; default?: boolean;
}
export interface SubtitleStream {
  index: number; codec: string; language?: string; title?: string;
  default?: boolean; forced?: boolean; text: boolean;
}

/** What probing learned about a file. Every field optional: a probe may learn little. */
export interface ProbeInfo {
  container?: string;
  durationMs?: number;
  bitRate?: number;
  width?: number;
  height?: number;
  /** EXIF orientation 1..8 for images. */
  orientation?: number;
  /** When the photo was taken / the clip recorded (epoch ms). */
  takenAt?: number;
  video?: VideoStream[];
  audio?: AudioStream[];
  subtitles?: SubtitleStream[];
  /** Audio tags (music-metadata). */
  tags?: {
    title?: string; artist?: string; albumArtist?: string; album?: string;
    track?: number; disc?: number; year?: number; genre?: string[];
  };
  hasCoverArt?: boolean;
  camera?: { make?: string; model?: string };
  gps?: { lat: number; lon: number };
  /** Which tool produced this: 'ffprobe', 'music-metadata', 'exifr', 'sharp'. */
  prober?: string;
}

export type ProbeState = 'pending' | 'done' | 'failed' | 'skipped';

export interface Item {
  id: number;
  kind: ItemKind;
  libraryId: number;
  /** 0 for virtual items. */
  locationId: number;
  /** 0 for a location's root directory and for top-level virtual items. */
  parentId: number;
  name: string;
  /** Path within the location, '/'-separated; '' for the location root. Virtual items: ''. */
  relPath: string;
  mediaType: MediaType;
  mime?: string;
  size: number;
  mtimeMs: number;
  /** When the item entered the index. */
  addedAt: number;
  updatedAt: number;
  /** The location could not be reached at the last look; the item is kept, unavailable. */
  offline: boolean;
  /** Directories: number of direct children (any type), kept incrementally. */
  childCount?: number;
  probeState?: ProbeState;
  probeError?: string;
  probe?: ProbeInfo;
  /** For media files: ids of sidecar items attached to it (subtitles, .nfo). */
  sidecarIds?: number[];
  /** For sidecars: the media item it belongs to. */
  ownerId?: number;
  /**
   * Identified metadata (title, year, plot, genres, people, ratings, provider ids...),
   * written by the metadata engine. Free-form here; the metadata issue types it.
   */
  meta?: Record<string, unknown>;
  /** Field names a manual edit locked against automatic overwrite. */
  lockedFields?: string[];
}

/**
 * A tag: shared library data (Media Viewer). `name` is shown as first written; `key` is the
 * folded form used for matching, so 'Beach' and 'beach' are one tag.
 */
export interface Tag {
  id: number;
  name: string;
  key: string;
  color?: string;
  createdAt: number;
  /** Items carrying the tag; kept in the same transaction as the links. */
  itemCount: number;
}

export type Role = 'admin' | 'user' | string;

export interface User {
  id: number;
  username: string;
  /** scrypt$N$r$p$salt$hash (base64). Never serialized. */
  passwordHash: string;
  role: Role;
  email?: string;
  displayName?: string;
  locked: boolean;
  /** Bumped on password change; sessions older than this die. */
  createdAt: number;
  updatedAt: number;
  lastLoginAt?: number;
  /** Restrictions (h3xed): library ids the user may see (undefined = all), max content rating, labels. */
  restrictions?: { libraryIds?: number[]; maxContentRating?: string; excludedLabels?: string[] };
}

/** The public view of a user: what any endpoint may return. */
export interface PublicUser {
  id: number; username: string; role: Role; isAdmin: boolean;
  email?: string; displayName?: string; locked: boolean; createdAt: number; lastLoginAt?: number;
}

export interface Session {
  /** Random, url-safe; carried inside the JWT. */
  id: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
  ip?: string;
  userAgent?: string;
  /** 'web' for cookie/Bearer sessions, 'share' for scoped share links, 'cli' for local admin tokens. */
  kind: 'web' | 'share' | 'cli';
  /** Refresh-token family: the id of the first session of a rotation chain (reuse revokes the family). */
  family?: string;
}

export interface ScanRecord {
  id: number;
  libraryId: number;
  kind: 'full' | 'incremental';
  trigger: 'manual' | 'startup' | 'watch' | 'schedule' | 'api';
  startedAt: number;
  finishedAt?: number;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  added: number; changed: number; removed: number; unchanged: number;
  /** Locations that could not be reached (their items were marked offline). */
  offlineLocations: number;
  errors: number;
  error?: string;
}

/**
 * Totals of one library's media files (video, audio, image), kept in the same transaction
 * as item and probe writes (OmniLux roots and /api/library/stats). byCategory keys are
 * OmniLux media types (movie, tv, music, photo...); byCodec/byResolution count probed videos.
 */
export interface LibraryCounters {
  fileCount: number;
  totalSizeBytes: number;
  byCategory: Record<string, { count: number; sizeBytes: number }>;
  byCodec: Record<string, number>;
  byResolution: Record<string, number>;
}

/** Incrementally kept totals, for stats endpoints (never a full pass per request). */
export interface IndexCounters {
  items: number;
  files: number;
  dirs: number;
  bytes: number;
  byMediaType: Record<string, { count: number; bytes: number }>;
  offline: number;
  probed: number;
  probeFailed: number;
}
