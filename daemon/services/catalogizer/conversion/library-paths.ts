/**
 * Catalogizer-style paths resolved inside Alcove's libraries (conversion sources and
 * targets, subtitle search's media_path). Accepted forms:
 *   "/abs/local/path"      inside a library location on a file:// storage root
 *   "Library/sub/file"     first segment = a library name (case-insensitive)
 *   "Library:sub/file"     Catalogizer's host:path form, host = a library name
 * A '..' segment, NUL or backslash is a 400 before anything is touched; a path that is not
 * inside any library location is a 403. Review locations (Media Reviewer) are not libraries.
 */
import type { IndexStore } from '../../../domain/ports.js';
import { ForbiddenError, ValidationError } from '../../../domain/errors.js';
import type { Library, LibraryLocation } from '../../../domain/types.js';

export interface LibraryPath {
  library: Library;
  location: LibraryLocation;
  rootId: number;
  /** Path within the storage root (what the adapter takes). */
  storagePath: string;
  /** Path within the location (the item's relPath). */
  relPath: string;
  /** "Library/relPath", how Catalogizer clients see it. */
  display: string;
}

function segments(raw: string, field: string): string[] {
  if (raw.includes('\0') || raw.includes('\\')) throw new ValidationError('Invalid path', { field }, 'INVALID_PATH');
  const segs = raw.split('/').filter((s) => s && s !== '.');
  if (segs.some((s) => s === '..')) throw new ValidationError('Path traversal is not allowed', { field }, 'PATH_TRAVERSAL');
  return segs;
}

const join = (a: string, b: string): string => (a && b ? `${a}/${b}` : a || b);

export class LibraryPaths {
  constructor(private readonly index: IndexStore) {}

  resolve(raw: unknown, field: string): LibraryPath {
    if (typeof raw !== 'string' || !raw.trim()) throw new ValidationError(`${field} is required`, { field }, 'MISSING_FIELD');
    const spec = raw.trim();
    if (spec.startsWith('/')) return this.absolute(segments(spec, field), field);
    const colon = spec.indexOf(':');
    if (colon > 0 && !spec.slice(0, colon).includes('/')) return this.inLibrary(spec.slice(0, colon), segments(spec.slice(colon + 1), field), field);
    const [head, ...rest] = segments(spec, field);
    return this.inLibrary(head ?? '', rest, field);
  }

  private outside(field: string): ForbiddenError {
    return new ForbiddenError(`${field} is outside every library`, 'PATH_OUTSIDE_LIBRARY');
  }

  private inLibrary(name: string, segs: string[], field: string): LibraryPath {
    const library = this.index.libraries.getByName(name);
    if (!library || library.purpose === 'review' || library.locations.length === 0) throw this.outside(field);
    const rel = segs.join('/');
    // Several locations: the one that already holds this path (or its parent), else the first.
    const parent = segs.slice(0, -1).join('/');
    const location = library.locations.find((l) => this.index.items.getByPath(l.id, rel) !== undefined)
      ?? library.locations.find((l) => parent === '' || this.index.items.getByPath(l.id, parent) !== undefined)
      ?? library.locations[0];
    return { library, location, rootId: location.rootId, storagePath: join(location.path, rel), relPath: rel, display: join(library.name, rel) };
  }

  private absolute(segs: string[], field: string): LibraryPath {
    const abs = `/${segs.join('/')}`;
    let best: LibraryPath | undefined;
    let bestLen = -1;
    for (const library of this.index.libraries.list()) {
      if (library.purpose === 'review') continue;
      for (const location of library.locations) {
        const root = this.index.roots.get(location.rootId);
        if (!root || root.scheme !== 'file') continue;
        const rootBase = decodeURIComponent(new URL(root.url).pathname).replace(/\/+$/, '');
        const base = join(rootBase, location.path).replace(/\/+$/, '') || '/';
        const inside = base === '/' || abs === base || abs.startsWith(`${base}/`);
        if (!inside || base.length <= bestLen) continue;
        const rel = base === '/' ? abs.slice(1) : abs.slice(base.length + 1);
        bestLen = base.length;
        best = { library, location, rootId: root.id, storagePath: join(location.path, rel), relPath: rel, display: join(library.name, rel) };
      }
    }
    if (!best) throw this.outside(field);
    return best;
  }
}
