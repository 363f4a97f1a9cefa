/**
 * The Media Reviewer's media item: what a file is (image/video by extension, the same
 * classification the scanner uses), its review status from companion files next to it
 * (`<full name>.lock`, `.trash`, `.seen`: the source of truth), and its JSON view.
 */
import type { Item } from '../../domain/types.js';
import type { StorageEntry } from '../../../storage-adapters/types.js';
import { classify } from '../../scanner/classify.js';

export type ReviewMediaType = 'image' | 'video';
export type CompanionKind = 'lock' | 'trash' | 'seen';
export const COMPANION_KINDS: readonly CompanionKind[] = ['lock', 'trash', 'seen'];

export interface ReviewStatus { locked: boolean; trashed: boolean; seen: boolean }

export interface ReviewMetadata { width: number | null; height: number | null; duration_seconds: number | null }

/** One media item as both listing endpoints return it (seed field names). */
export interface MediaItemView {
  path: string;
  name: string;
  mediaType: ReviewMediaType;
  thumbnailUrl: string;
  sizeBytes: number;
  modifiedAt: string;
  createdAt: string;
  status: ReviewStatus;
  metadata: ReviewMetadata;
}

export const STATUS_FILTERS = ['all', 'unseen', 'seen', 'locked', 'trashed'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export function isCompanion(name: string): boolean {
  return /\.(lock|trash|seen)$/i.test(name);
}

/** 'image' | 'video' for reviewable media, undefined otherwise (companions included). */
export function reviewMediaType(name: string): ReviewMediaType | undefined {
  if (isCompanion(name)) return undefined;
  const t = classify(name).mediaType;
  return t === 'image' || t === 'video' ? t : undefined;
}

export function companionName(name: string, kind: CompanionKind): string {
  return `${name}.${kind}`;
}

/** Status of `name` given the names present in its directory. */
export function statusFromNames(name: string, names: ReadonlySet<string>): ReviewStatus {
  return {
    locked: names.has(`${name}.lock`),
    trashed: names.has(`${name}.trash`),
    seen: names.has(`${name}.seen`),
  };
}

export function matchesFilter(status: ReviewStatus, filter: StatusFilter): boolean {
  switch (filter) {
    case 'all': return true;
    case 'unseen': return !status.seen && !status.trashed;
    case 'seen': return status.seen && !status.trashed;
    case 'locked': return status.locked;
    case 'trashed': return status.trashed;
  }
}

/** `/api/media-thumbnail?path=...&size=256`, form-encoded like upstream (space -> '+'). */
export function thumbnailUrl(abs: string, size = 256): string {
  return `/api/media-thumbnail?${new URLSearchParams({ path: abs, size: String(size) }).toString()}`;
}

/** ISO 8601 UTC with microseconds and an explicit offset: 2025-03-15T14:30:22.123456+00:00. */
export function isoTime(ms: number): string {
  const whole = Math.floor(ms);
  const base = new Date(whole).toISOString().slice(0, 19);
  const micros = Math.floor((((ms % 1000) + 1000) % 1000) * 1000);
  return `${base}.${String(micros).padStart(6, '0')}+00:00`;
}

export function metadataOf(item: Pick<Item, 'probe'> | undefined, mediaType: ReviewMediaType): ReviewMetadata {
  const probe = item?.probe;
  return {
    width: probe?.width ?? null,
    height: probe?.height ?? null,
    duration_seconds: mediaType === 'video' && probe?.durationMs !== undefined ? probe.durationMs / 1000 : null,
  };
}

/**
 * The view of one file. createdAt: storage adapters report only mtime, so createdAt is the
 * photo's capture time from the probe when known, else the mtime.
 */
export function toView(abs: string, entry: StorageEntry, mediaType: ReviewMediaType, status: ReviewStatus, item: Pick<Item, 'probe'> | undefined): MediaItemView {
  const created = item?.probe?.takenAt ?? entry.mtimeMs;
  return {
    path: abs,
    name: entry.name,
    mediaType,
    thumbnailUrl: thumbnailUrl(abs),
    sizeBytes: entry.size,
    modifiedAt: isoTime(entry.mtimeMs),
    createdAt: isoTime(created),
    status,
    metadata: metadataOf(item, mediaType),
  };
}

export function sameStatus(a: unknown, b: ReviewStatus): boolean {
  if (!a || typeof a !== 'object') return false;
  const s = a as Partial<ReviewStatus>;
  return s.locked === b.locked && s.trashed === b.trashed && s.seen === b.seen;
}
