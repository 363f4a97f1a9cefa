/**
 * LibraryRepo over LMDB. A library record holds its locations; each location owns a root
 * directory item created in the same transaction as the library.
 *
 * Removal is two-phase: one transaction deletes the library record and its name/uuid
 * entries and writes a 'deleting-library' marker; the items are then purged in chunked
 * transactions, and the marker goes with the last chunk. A crash in between leaves no
 * visible half-library (the library is already gone from every listing) and the purge
 * resumes at the next open (resumeLibraryPurges). Each chunk keeps indexes, childCounts
 * and counters consistent, so verifyIndexConsistency holds between chunks too.
 */
import { randomUUID } from 'node:crypto';
import type { LibraryRepo } from '../domain/ports.js';
import type { Item, Library, LibraryLocation } from '../domain/types.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { nextSeq, writeTxn, type IndexState } from './env.js';
import { runItemTxn } from './item-txn.js';
import {
  DELETING_RANGE, deletingLibraryKey, libraryItemRange, libraryNameKey, seqKey,
} from './keys.js';

const PURGE_CHUNK = 2_000;

export class LmdbLibraryRepo implements LibraryRepo {
  constructor(private readonly state: IndexState) {}

  private get dbs() { return this.state.dbs; }

  list(): Library[] {
    return [...this.dbs.libraries.getRange({})].map((e) => e.value);
  }

  get(id: number): Library | undefined {
    return this.dbs.libraries.get(id);
  }

  getByUuid(uuid: string): Library | undefined {
    const id = this.dbs.libraryByUuid.get(uuid);
    return id === undefined ? undefined : this.get(id);
  }

  getByName(name: string): Library | undefined {
    const id = this.dbs.libraryByName.get(libraryNameKey(name));
    return id === undefined ? undefined : this.get(id);
  }

  async create(input: Parameters<LibraryRepo['create']>[0]): Promise<Library> {
    const name = input.name.trim();
    if (!name) throw new ValidationError('library name must not be empty');
    return runItemTxn(this.state, (tx) => {
      if (this.dbs.libraryByName.get(libraryNameKey(name)) !== undefined) {
        throw new ConflictError(`a library named '${name}' already exists`, 'LIBRARY_EXISTS');
      }
      const id = nextSeq(this.dbs, seqKey('library'));
      const now = tx.now;
      const locations: LibraryLocation[] = input.locations.map((loc) => {
        const locationId = nextSeq(this.dbs, seqKey('location'));
        const root: Item = {
          id: tx.nextId(), kind: 'dir', libraryId: id, locationId, parentId: 0, name, relPath: '',
          mediaType: 'folder', size: 0, mtimeMs: 0, addedAt: now, updatedAt: now, offline: false, childCount: 0,
        };
        tx.insert(root);
        return { id: locationId, rootId: loc.rootId, path: loc.path, rootItemId: root.id, online: true };
      });
      const library: Library = {
        id, uuid: randomUUID(), name, type: input.type, locations, purpose: input.purpose ?? 'library',
        createdAt: now, updatedAt: now, settings: input.settings ?? {},
      };
      this.dbs.libraries.put(id, library);
      this.dbs.libraryByName.put(libraryNameKey(name), id);
      this.dbs.libraryByUuid.put(library.uuid, id);
      return library;
    });
  }

  async update(id: number, patch: Partial<Pick<Library, 'name' | 'type' | 'settings'>>): Promise<Library> {
    return runItemTxn(this.state, (tx) => {
      const lib = this.get(id);
      if (!lib) throw new NotFoundError(`library ${id} not found`);
      const next: Library = { ...lib, updatedAt: tx.now };
      if (patch.type !== undefined) next.type = patch.type;
      if (patch.settings !== undefined) next.settings = patch.settings;
      if (patch.name !== undefined && patch.name.trim() !== lib.name) {
        const name = patch.name.trim();
        if (!name) throw new ValidationError('library name must not be empty');
        const owner = this.dbs.libraryByName.get(libraryNameKey(name));
        if (owner !== undefined && owner !== id) throw new ConflictError(`a library named '${name}' already exists`, 'LIBRARY_EXISTS');
        this.dbs.libraryByName.remove(libraryNameKey(lib.name));
        this.dbs.libraryByName.put(libraryNameKey(name), id);
        next.name = name;
        // Location root items carry the library's name.
        for (const loc of lib.locations) {
          const root = tx.get(loc.rootItemId);
          if (root) tx.update(root, { ...root, name, updatedAt: tx.now });
        }
      }
      this.dbs.libraries.put(id, next);
      return next;
    });
  }

  async remove(id: number): Promise<void> {
    const lib = this.get(id);
    if (!lib) throw new NotFoundError(`library ${id} not found`);
    writeTxn(this.dbs, () => {
      this.dbs.libraries.remove(id);
      this.dbs.libraryByName.remove(libraryNameKey(lib.name));
      this.dbs.libraryByUuid.remove(lib.uuid);
      this.dbs.meta.put(deletingLibraryKey(id), this.state.now());
    });
    purgeLibraryItems(this.state, id);
  }

  async updateLocation(libraryId: number, locationId: number, patch: Partial<Pick<LibraryLocation, 'online' | 'lastError' | 'lastScanAt'>>): Promise<void> {
    writeTxn(this.dbs, () => {
      const lib = this.get(libraryId);
      if (!lib) throw new NotFoundError(`library ${libraryId} not found`);
      const i = lib.locations.findIndex((l) => l.id === locationId);
      if (i < 0) throw new NotFoundError(`location ${locationId} not found in library ${libraryId}`);
      const loc: LibraryLocation = { ...lib.locations[i], ...patch };
      if (patch.lastError === undefined && 'lastError' in patch) delete loc.lastError;
      const locations = lib.locations.slice();
      locations[i] = loc;
      this.dbs.libraries.put(libraryId, { ...lib, locations, updatedAt: this.state.now() });
    });
  }
}

/** Delete every item of a (deleted) library in chunked transactions, then its marker. */
export function purgeLibraryItems(state: IndexState, libraryId: number): number {
  const range = libraryItemRange(libraryId);
  let removed = 0;
  for (;;) {
    const keys = [...state.dbs.itemByLibrary.getKeys({ ...range, limit: PURGE_CHUNK })] as [number, number][];
    const last = keys.length < PURGE_CHUNK;
    runItemTxn(state, (tx) => {
      for (const [, itemId] of keys) {
        const item = tx.get(itemId);
        if (item) { tx.removeOne(item); removed++; }
      }
      if (last) state.dbs.meta.remove(deletingLibraryKey(libraryId));
    });
    if (last) return removed;
  }
}

/** Finish purges interrupted by a crash or shutdown (called when the store opens). */
export function resumeLibraryPurges(state: IndexState): number[] {
  const ids = [...state.dbs.meta.getKeys(DELETING_RANGE)].map((k) => (k as [string, number])[1]);
  for (const id of ids) purgeLibraryItems(state, id);
  return ids;
}
