/**
 * Catalog search filters (GET /search, /search/files, POST /search/advanced): parsed once
 * from query strings or JSON, applied to items, sorted as Catalogizer sorts
 * (name | size | modified; anything else: folders first, then name).
 */
import type { Item } from '../../../domain/types.js';
import { ValidationError } from '../../../domain/errors.js';
import { nameKeyOf } from './sort.js';
import { fileExtension } from './file-info.js';

export interface SearchFilter {
  query?: string;
  /** Virtual path prefix ('nas-media/movies'). */
  path?: string;
  extensions?: string[];
  mimeTypes?: string[];
  minSize?: number;
  maxSize?: number;
  /** Library names (Catalogizer storage root names). */
  roots?: string[];
  isDirectory?: boolean;
  modifiedAfter?: number;
  modifiedBefore?: number;
  sortBy: string;
  sortOrder: 'asc' | 'desc';
  limit: number;
  offset: number;
}

const invalid = (field: string): ValidationError => new ValidationError('Invalid search parameters', { field }, 'INVALID_SEARCH_PARAMETERS');

function int(raw: unknown, field: string, min = 0): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw invalid(field);
  return n;
}

function bool(raw: unknown, field: string): boolean | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (raw === true || raw === 'true' || raw === '1') return true;
  if (raw === false || raw === 'false' || raw === '0') return false;
  throw invalid(field);
}

function list(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const parts = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
  const out = parts.map((s) => s.trim()).filter(Boolean);
  return out.length ? out : undefined;
}

function time(raw: unknown, field: string): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const ms = typeof raw === 'number' ? raw * 1000 : Date.parse(String(raw));
  if (!Number.isFinite(ms)) throw invalid(field);
  return ms;
}

/** From a flat record (query string or JSON body); keys are Catalogizer's snake_case names. */
export function parseSearchFilter(src: Record<string, unknown>, defaults: { limit: number } = { limit: 100 }): SearchFilter {
  const limit = int(src.limit, 'limit') ?? defaults.limit;
  return {
    query: typeof src.query === 'string' && src.query.trim() ? src.query.trim() : undefined,
    path: typeof src.path === 'string' && src.path.replace(/^\/+|\/+$/g, '') ? src.path.replace(/^\/+|\/+$/g, '') : undefined,
    extensions: (list(src.extension) ?? list(src.extensions))?.map((e) => e.replace(/^\./, '').toLowerCase()),
    mimeTypes: list(src.mime_type) ?? list(src.mime_types),
    minSize: int(src.min_size, 'min_size'),
    maxSize: int(src.max_size, 'max_size'),
    roots: list(src.smb_roots) ?? list(src.smb_root),
    isDirectory: bool(src.is_directory, 'is_directory'),
    modifiedAfter: time(src.modified_after, 'modified_after'),
    modifiedBefore: time(src.modified_before, 'modified_before'),
    sortBy: typeof src.sort_by === 'string' ? src.sort_by : 'name',
    sortOrder: src.sort_order === 'desc' ? 'desc' : 'asc',
    limit: limit === 0 ? 10_000 : Math.min(limit, 10_000),
    offset: int(src.offset, 'offset') ?? 0,
  };
}

/** Does the item pass every filter except query and roots (those pick the candidates)? */
export function matches(item: Item, virtualPath: string, f: SearchFilter): boolean {
  const isDir = item.kind === 'dir';
  if (f.isDirectory !== undefined && f.isDirectory !== isDir) return false;
  if (f.path && !(virtualPath === f.path || virtualPath.startsWith(`${f.path}/`))) return false;
  if (f.extensions && (isDir || !f.extensions.includes(fileExtension(item.name) ?? ''))) return false;
  if (f.mimeTypes && (!item.mime || !f.mimeTypes.includes(item.mime))) return false;
  if (f.minSize !== undefined && item.size < f.minSize) return false;
  if (f.maxSize !== undefined && item.size > f.maxSize) return false;
  if (f.modifiedAfter !== undefined && item.mtimeMs < f.modifiedAfter) return false;
  if (f.modifiedBefore !== undefined && item.mtimeMs > f.modifiedBefore) return false;
  return true;
}

export function compareItems(sortBy: string, order: 'asc' | 'desc'): (a: Item, b: Item) => number {
  const dir = order === 'desc' ? -1 : 1;
  const byName = (a: Item, b: Item): number => (nameKeyOf(a) < nameKeyOf(b) ? -1 : nameKeyOf(a) > nameKeyOf(b) ? 1 : a.id - b.id);
  if (sortBy === 'size') return (a, b) => dir * (a.size - b.size || byName(a, b));
  if (sortBy === 'modified') return (a, b) => dir * (a.mtimeMs - b.mtimeMs || byName(a, b));
  if (sortBy === 'name') return (a, b) => dir * byName(a, b);
  const rank = (i: Item): number => (i.kind === 'dir' ? 0 : 1);
  return (a, b) => rank(a) - rank(b) || dir * byName(a, b);
}
