/**
 * The virtual namespace of path-based surfaces (Media Viewer, Catalogizer catalog paths):
 * the root's folders are the libraries, by name; below them, each library's locations are
 * merged. `resolve` never touches storage: it reads the index only, so a path not in the
 * index is NOT_FOUND, and traversal attempts are refused before any lookup.
 */
import type { IndexStore } from '../../domain/ports.js';
import type { Item, Library } from '../../domain/types.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';

export type Resolved =
  | { kind: 'root' }
  | { kind: 'library'; library: Library; /** Root dir items of its locations. */ roots: Item[] }
  | { kind: 'item'; library: Library; item: Item };

/**
 * Normalises a client path: strips surrounding slashes, treats '' and '.' as the root, and
 * refuses '..' segments, NUL bytes, backslashes and absolute paths (ValidationError
 * 'INVALID_PATH'). Returns the segments.
 */
export function splitVirtualPath(raw: string | null | undefined): string[] {
  const input = raw ?? '';
  if (input.includes('\0')) throw new ValidationError('Invalid path', { field: 'path' }, 'INVALID_PATH');
  if (input.includes('\\')) throw new ValidationError('Invalid path', { field: 'path' }, 'INVALID_PATH');
  // Media Viewer paths are relative: a leading '/' means an absolute filesystem path.
  if (input.startsWith('/') && input !== '/') throw new ValidationError('Invalid path', { field: 'path' }, 'INVALID_PATH');
  const segments = input.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) throw new ValidationError('Invalid path', { field: 'path' }, 'INVALID_PATH');
  return segments;
}

/** Library lookups remembered between index writes (names asked for, found or not). */
const LIBRARY_MEMO_MAX = 64;

export class VirtualPathService {
  /**
   * Libraries by name as of `memoGeneration`: every path request starts with this lookup
   * (two LMDB reads and a record decode, ~9 us of a ~35 us ranged GET before its first
   * read), while libraries change only by index writes, which move the write generation.
   */
  private readonly libraryMemo = new Map<string, Library | undefined>();
  private memoGeneration = -1;

  constructor(private readonly index: IndexStore) {}

  /** The library named `name`, from the memo while the index has not been written since. */
  private libraryNamed(name: string): Library | undefined {
    const generation = this.index.writeGeneration?.();
    if (generation === undefined) return this.index.libraries.getByName(name);
    if (generation !== this.memoGeneration || this.libraryMemo.size >= LIBRARY_MEMO_MAX) {
      this.libraryMemo.clear();
      this.memoGeneration = generation;
    }
    if (this.libraryMemo.has(name)) return this.libraryMemo.get(name);
    const library = this.index.libraries.getByName(name);
    this.libraryMemo.set(name, library);
    return library;
  }

  /** Libraries visible at the virtual root (browse libraries, not review locations). */
  libraries(allowedIds?: readonly number[]): Library[] {
    return this.index.libraries.list()
      .filter((lib) => lib.purpose === 'library' && (!allowedIds || allowedIds.includes(lib.id)))
      .sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true }));
  }

  resolve(raw: string | null | undefined, allowedIds?: readonly number[]): Resolved {
    const segments = splitVirtualPath(raw);
    if (segments.length === 0) return { kind: 'root' };
    const library = this.libraryNamed(segments[0]!);
    if (!library || library.purpose !== 'library' || (allowedIds && !allowedIds.includes(library.id))) {
      throw new NotFoundError('File not found', 'PATH_NOT_FOUND');
    }
    if (segments.length === 1) {
      const roots = library.locations.map((loc) => this.index.items.get(loc.rootItemId)).filter((i): i is Item => Boolean(i));
      return { kind: 'library', library, roots };
    }
    const relPath = segments.slice(1).join('/');
    for (const location of library.locations) {
      const item = this.index.items.getByPath(location.id, relPath);
      if (item) return { kind: 'item', library, item };
    }
    throw new NotFoundError('File not found', 'PATH_NOT_FOUND');
  }

  /** The virtual path of an indexed item ('' for none). */
  pathOf(item: Item, library?: Library): string {
    const lib = library ?? this.index.libraries.get(item.libraryId);
    if (!lib) return '';
    return item.relPath ? `${lib.name}/${item.relPath}` : lib.name;
  }
}
