/**
 * Where a Catalogizer copy reads or writes: "host:path" (host = a library name, which is
 * Catalogizer's storage root name, or an Alcove storage root name or id), a catalog path
 * ("library/sub/file"), or an absolute local path inside a file:// storage root. Anything
 * else, and any '..' segment, is refused before storage is touched.
 */
import type { IndexStore } from '../../../domain/ports.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../domain/errors.js';
import type { StorageRoot } from '../../../domain/types.js';
import { joinStoragePath } from '../../media-viewer/item-storage.js';

export interface CopyTarget { rootId: number; path: string; display: string }

function cleanRel(rel: string, field: string): string {
  if (rel.includes('\0') || rel.includes('\\')) throw new ValidationError('Invalid path', { field }, 'INVALID_PATH');
  const segs = rel.split('/').filter((s) => s && s !== '.');
  if (segs.some((s) => s === '..')) throw new ValidationError('Path traversal is not allowed', { field }, 'PATH_TRAVERSAL');
  return segs.join('/');
}

export class CopyTargets {
  constructor(private readonly index: IndexStore) {}

  /** A root-relative target from a host (library / root name / root id) and a path. */
  fromHost(host: string, rel: string, field: string): CopyTarget {
    const path = cleanRel(rel, field);
    const lib = this.index.libraries.getByName(host);
    if (lib && lib.locations[0]) {
      const loc = lib.locations[0];
      return { rootId: loc.rootId, path: joinStoragePath(loc.path, path), display: `${host}:${path}` };
    }
    const root = this.rootByName(host) ?? (/^\d+$/.test(host) ? this.index.roots.get(Number(host)) : undefined);
    if (!root) throw new NotFoundError(`Storage root not found: ${host}`, 'ROOT_NOT_FOUND');
    return { rootId: root.id, path, display: `${host}:${path}` };
  }

  /** "host:path" (required form of /copy/local sources and /copy/upload destinations). */
  hostPath(spec: unknown, field: string, message: string): CopyTarget {
    if (typeof spec !== 'string') throw new ValidationError(message, { field }, 'INVALID_FORMAT');
    const i = spec.indexOf(':');
    if (i <= 0 || i === spec.length - 1) throw new ValidationError(message, { field }, 'INVALID_FORMAT');
    return this.fromHost(spec.slice(0, i), spec.slice(i + 1), field);
  }

  /** An absolute local path inside a file:// root, or "host:path", or a catalog path. */
  anywhere(spec: unknown, field: string): CopyTarget {
    if (typeof spec !== 'string' || !spec.trim()) throw new ValidationError(`${field} is required`, { field }, 'MISSING_FIELD');
    if (spec.startsWith('/')) return this.local(spec, field);
    const colon = spec.indexOf(':');
    if (colon > 0 && !spec.slice(0, colon).includes('/')) return this.hostPath(spec, field, `Invalid ${field}`);
    const [head, ...rest] = spec.split('/');
    return this.fromHost(head, rest.join('/'), field);
  }

  /** An absolute path that must lie inside one of the file:// storage roots (403 otherwise). */
  local(abs: string, field: string): CopyTarget {
    if (abs.split('/').some((s) => s === '..')) throw new ValidationError('Path traversal is not allowed', { field }, 'PATH_TRAVERSAL');
    const norm = `/${cleanRel(abs, field)}`;
    let best: { root: StorageRoot; base: string } | undefined;
    for (const root of this.index.roots.list()) {
      if (root.scheme !== 'file') continue;
      const base = decodeURIComponent(new URL(root.url).pathname).replace(/\/+$/, '') || '/';
      const inside = base === '/' || norm === base || norm.startsWith(`${base}/`);
      if (inside && (!best || base.length > best.base.length)) best = { root, base };
    }
    if (!best) throw new ForbiddenError('Destination is outside every local storage root', 'PATH_OUTSIDE_ROOTS');
    const rel = best.base === '/' ? norm.slice(1) : norm.slice(best.base.length + 1);
    return { rootId: best.root.id, path: rel, display: norm };
  }

  private rootByName(name: string): StorageRoot | undefined {
    return this.index.roots.list().find((r) => r.name === name);
  }
}
