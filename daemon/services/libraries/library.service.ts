/**
 * Libraries: named groups of locations (root + path) with a type. Every API surface's
 * notion of a library (OmniLux roots, h3xed libraries, Media Viewer top-level folders,
 * Media Reviewer review paths) is one of these.
 */
import type { IndexStore } from '../../domain/ports.js';
import type { Library, LibraryType } from '../../domain/types.js';
import { LIBRARY_TYPES } from '../../domain/types.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { StorageRootService } from '../storage/storage-root.service.js';
import type { StorageCredentials } from '../../../storage-adapters/types.js';
import { StorageError } from '../../../storage-adapters/types.js';

export interface LocationInput {
  /** A storage URL (file:///x, smb://host/share/x, ...) or an absolute local path. */
  url: string;
  credentials?: StorageCredentials;
}

export interface CreateLibraryInput {
  name: string;
  type?: string;
  purpose?: Library['purpose'];
  locations: LocationInput[];
  settings?: Record<string, unknown>;
  /** Check that each location exists and is a directory (400 otherwise). Default true. */
  validate?: boolean;
}

const NAME_MAX = 100;

export function validateLibraryType(type: string | undefined): LibraryType {
  const value = (type ?? 'mixed') as LibraryType;
  if (!LIBRARY_TYPES.includes(value)) {
    throw new ValidationError(`Invalid library type "${type}"; expected one of ${LIBRARY_TYPES.join(', ')}`, { field: 'type' });
  }
  return value;
}

function validateName(name: unknown): string {
  if (typeof name !== 'string' || !name.trim()) throw new ValidationError('Library name is required', { field: 'name' });
  const trimmed = name.trim();
  if (trimmed.length > NAME_MAX) throw new ValidationError(`Library name is longer than ${NAME_MAX} characters`, { field: 'name' });
  if (/[/\\\0]/.test(trimmed)) throw new ValidationError('Library name may not contain slashes or NUL', { field: 'name' });
  return trimmed;
}

export class LibraryService {
  constructor(
    private readonly index: IndexStore,
    private readonly roots: StorageRootService,
  ) {}

  list(purpose: Library['purpose'] = 'library'): Library[] {
    return this.index.libraries.list().filter((lib) => lib.purpose === purpose);
  }

  /** By numeric id or uuid (h3xed routes accept either). */
  get(idOrUuid: string | number): Library {
    const key = String(idOrUuid);
    const lib = /^\d+$/.test(key) ? this.index.libraries.get(Number(key)) : this.index.libraries.getByUuid(key);
    if (!lib) throw new NotFoundError(`Library ${key} not found`, 'LIBRARY_NOT_FOUND');
    return lib;
  }

  findByName(name: string): Library | undefined {
    return this.index.libraries.getByName(name);
  }

  async create(input: CreateLibraryInput): Promise<Library> {
    const name = validateName(input.name);
    const type = validateLibraryType(input.type);
    if (!Array.isArray(input.locations) || input.locations.length === 0) {
      throw new ValidationError('At least one location is required', { field: 'locations' });
    }
    if (this.index.libraries.getByName(name)) throw new ConflictError(`A library named "${name}" already exists`, 'LIBRARY_EXISTS');
    const locations: { rootId: number; path: string }[] = [];
    for (const location of input.locations) {
      if (!location || typeof location.url !== 'string' || !location.url) {
        throw new ValidationError('Each location needs a url or path', { field: 'locations' });
      }
      const root = await this.roots.ensure(location.url, { credentials: location.credentials });
      if (input.validate !== false) {
        try {
          await this.assertDirectory(root.id);
        } catch (err) {
          // Leave no orphan root behind for a location that was refused.
          await this.roots.remove(root.id).catch(() => undefined);
          throw err;
        }
      }
      locations.push({ rootId: root.id, path: '' });
    }
    return this.index.libraries.create({ name, type, purpose: input.purpose ?? 'library', locations, settings: input.settings });
  }

  async update(idOrUuid: string | number, patch: { name?: string; type?: string; settings?: Record<string, unknown> }): Promise<Library> {
    const lib = this.get(idOrUuid);
    const changes: Partial<Pick<Library, 'name' | 'type' | 'settings'>> = {};
    if (patch.name !== undefined) {
      const name = validateName(patch.name);
      const other = this.index.libraries.getByName(name);
      if (other && other.id !== lib.id) throw new ConflictError(`A library named "${name}" already exists`, 'LIBRARY_EXISTS');
      changes.name = name;
    }
    if (patch.type !== undefined) changes.type = validateLibraryType(patch.type);
    if (patch.settings !== undefined) changes.settings = { ...lib.settings, ...patch.settings };
    return this.index.libraries.update(lib.id, changes);
  }

  /** Removes the library and its index entries; files on disk are never touched. */
  async remove(idOrUuid: string | number): Promise<void> {
    const lib = this.get(idOrUuid);
    await this.index.libraries.remove(lib.id);
  }

  private async assertDirectory(rootId: number): Promise<void> {
    const adapter = await this.roots.getAdapter(rootId);
    try {
      const entry = await adapter.stat('');
      if (entry.type !== 'dir') throw new ValidationError(`${adapter.displayUrl} is not a directory`, { field: 'path' }, 'NOT_A_DIRECTORY');
    } catch (err) {
      if (err instanceof StorageError) {
        // A local root that is missing reads as OFFLINE to the adapter (a disk not mounted);
        // for someone adding a library it simply does not exist.
        const missing = err.code === 'NOT_FOUND' || (err.code === 'OFFLINE' && adapter.scheme === 'file');
        const message = missing ? `${adapter.displayUrl} does not exist` : `${adapter.displayUrl}: ${err.message}`;
        throw new ValidationError(message, { field: 'path' }, missing ? 'PATH_NOT_FOUND' : 'PATH_UNREACHABLE');
      }
      throw err;
    }
  }
}
