/**
 * Conditional request helpers (RFC 7232 / RFC 9110 §13). Pure functions.
 */

/** Quote a bare validator; keep 'W/"x"' and '"x"' as they are. */
export function normalizeEtag(etag: string): string {
  if (etag.startsWith('W/"') || etag.startsWith('"')) return etag;
  return `"${etag.replace(/"/g, '')}"`;
}

/** Strong validator for a file: changes when size or mtime changes. */
export function fileEtag(size: number, mtimeMs: number): string {
  return `"${Math.floor(mtimeMs).toString(16)}-${size.toString(16)}"`;
}

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

/** If-None-Match against `etag` with the weak comparison (RFC 7232 §3.2). */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = header.trim();
  if (value === '*') return true;
  const mine = opaque(etag);
  return value.split(',').some((t) => opaque(t.trim()) === mine);
}

/** If-Modified-Since: true when the resource was not modified since the date (second precision). */
export function notModifiedSince(header: string | undefined, lastModifiedMs: number): boolean {
  if (header === undefined) return false;
  const since = Date.parse(header);
  if (Number.isNaN(since)) return false;
  return Math.floor(lastModifiedMs / 1000) * 1000 <= since;
}

/**
 * If-Range: the Range applies only when the validator still matches. An entity tag needs the
 * strong comparison (a weak tag never matches); a date must equal Last-Modified exactly.
 */
export function ifRangeMatches(header: string | undefined, etag: string, lastModifiedMs: number): boolean {
  if (header === undefined) return true;
  const value = header.trim();
  if (value.startsWith('"') || value.startsWith('W/')) {
    return !value.startsWith('W/') && !etag.startsWith('W/') && value === etag;
  }
  const date = Date.parse(value);
  if (Number.isNaN(date)) return false;
  return Math.floor(lastModifiedMs / 1000) * 1000 === date;
}

export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}
