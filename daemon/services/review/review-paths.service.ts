/**
 * Known review paths (Media Reviewer) are libraries with purpose 'review' on file: roots,
 * one location each (the root is the review folder itself). This service adds, removes and
 * lists them, keeps the YAML mirror (review-config.ts) in sync, applies the hidden-path
 * policy, and maps absolute paths given by clients to (review location, relative path).
 *
 * Clients speak absolute local paths; everything below this service goes through the
 * location's StorageAdapter, so a non-local review root needs only a path mapping later.
 */
import { stat } from 'node:fs/promises';
import { basename, isAbsolute, resolve } from 'node:path';
import type { IndexStore } from '../../domain/ports.js';
import type { Library } from '../../domain/types.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Logger } from '../../log/logger.js';
import type { StorageAdapter } from '../../../storage-adapters/types.js';
import type { LibraryService } from '../libraries/library.service.js';
import { isHiddenPath, saveReviewSettings, type ReviewSettings } from './review-config.js';

export interface ReviewLocation {
  /** Absolute local path of the review folder. */
  path: string;
  library: Library;
  locationId: number;
  rootItemId: number;
  adapter: StorageAdapter;
}

/** An absolute path mapped into the review location that owns it (the deepest one). */
export interface ResolvedPath {
  owner: ReviewLocation;
  /** Path relative to the owner ('' = the review folder itself). */
  rel: string;
  abs: string;
}

export interface ReviewPathDeps {
  index: IndexStore;
  libraries: Pick<LibraryService, 'create' | 'remove' | 'list'>;
  getAdapter: (rootId: number) => Promise<StorageAdapter>;
  settings: ReviewSettings;
  /** The YAML mirror; undefined = do not write one (unit tests). */
  configFile?: string;
  logger: Logger;
}

/** 'removed' listeners run (and are awaited) before the library leaves the index. */
export type ReviewPathListener = (event: 'added' | 'removed', location: ReviewLocation) => void | Promise<void>;

/** Validates a client-given path: a non-empty absolute string, normalized ('..', '//', trailing '/'). */
export function normalizeClientPath(value: unknown, field = 'path', what = 'Field'): string {
  if (typeof value !== 'string' || !value.trim()) {
    throw new ValidationError(`${what} '${field}' must be a non-empty string.`, { field });
  }
  if (value.includes('\0')) throw new ValidationError(`${what} '${field}' contains a NUL byte.`, { field });
  if (!isAbsolute(value)) throw new ValidationError(`${what} '${field}' must be an absolute path.`, { field });
  return resolve(value);
}

export class ReviewPathService {
  private readonly listeners = new Set<ReviewPathListener>();

  constructor(private readonly deps: ReviewPathDeps) {}

  get settings(): Readonly<ReviewSettings> { return this.deps.settings; }

  onChange(listener: ReviewPathListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Review libraries currently in the index. */
  libraries(): Library[] {
    return this.deps.index.libraries.list().filter((lib) => lib.purpose === 'review');
  }

  /** Known review paths, sorted (code-point order). */
  list(): string[] {
    return this.libraries().map(pathOf).filter((p): p is string => Boolean(p)).sort(byCodePoint);
  }

  async locations(): Promise<ReviewLocation[]> {
    const out: ReviewLocation[] = [];
    for (const lib of this.libraries()) {
      const loc = await this.toLocation(lib);
      if (loc) out.push(loc);
    }
    return out.sort((a, b) => byCodePoint(a.path, b.path));
  }

  /** The review location whose folder is exactly `abs`. */
  async exact(abs: string): Promise<ReviewLocation | undefined> {
    const lib = this.libraries().find((l) => pathOf(l) === abs);
    return lib ? this.toLocation(lib) : undefined;
  }

  /** The deepest review location containing `abs` (equal or below), or undefined. */
  async resolve(abs: string): Promise<ResolvedPath | undefined> {
    let best: Library | undefined;
    let bestPath = '';
    for (const lib of this.libraries()) {
      const p = pathOf(lib);
      if (!p || !(abs === p || abs.startsWith(p === '/' ? '/' : `${p}/`))) continue;
      if (p.length > bestPath.length) { best = lib; bestPath = p; }
    }
    if (!best) return undefined;
    const owner = await this.toLocation(best);
    if (!owner) return undefined;
    const rel = abs === bestPath ? '' : abs.slice(bestPath === '/' ? 1 : bestPath.length + 1);
    return { owner, rel, abs };
  }

  isHidden(abs: string): boolean {
    return isHiddenPath(abs, this.deps.settings.hiddenPickerPaths);
  }

  /** Adds (idempotently) a review path: 400 not an existing directory, 403 hidden by policy. */
  async add(input: unknown): Promise<{ addedPath: string; knownPaths: string[]; location: ReviewLocation }> {
    const abs = normalizeClientPath(input);
    const isDir = await stat(abs).then((s) => s.isDirectory(), () => false);
    if (!isDir) throw new ValidationError('Path must exist and be a readable directory.', { field: 'path' }, 'NOT_A_DIRECTORY');
    if (this.isHidden(abs)) throw new ForbiddenError('Path is hidden by picker policy.', 'PATH_HIDDEN');
    let location = await this.exact(abs);
    if (!location) {
      const lib = await this.deps.libraries.create({
        name: this.freeName(abs), type: 'mixed', purpose: 'review', locations: [{ url: abs }],
        settings: { reviewPath: abs },
      });
      location = await this.toLocation(lib);
      if (!location) throw new Error('review library has no location');
      await this.persist();
      this.deps.logger.info({ path: abs, libraryId: lib.id }, 'review path added');
      void this.emit('added', location);
    }
    return { addedPath: abs, knownPaths: this.list(), location };
  }

  /** Removes a review path (the folder need not exist): 404 when it is not configured. */
  async remove(input: unknown): Promise<{ removedPath: string; knownPaths: string[] }> {
    const abs = normalizeClientPath(input);
    const location = await this.exact(abs);
    if (!location) throw new NotFoundError('Path is not a configured known review path.', 'REVIEW_PATH_NOT_FOUND');
    await this.emit('removed', location);
    await this.deps.libraries.remove(location.library.id);
    await this.persist();
    this.deps.logger.info({ path: abs, libraryId: location.library.id }, 'review path removed');
    return { removedPath: abs, knownPaths: this.list() };
  }

  /** Start-up: import paths written into the YAML by hand, then rewrite it from the index. */
  async reconcile(): Promise<void> {
    const known = new Set(this.list());
    for (const p of this.deps.settings.knownPaths) {
      if (known.has(p)) continue;
      try {
        await this.add(p);
      } catch (err) {
        this.deps.logger.warn({ path: p, err: (err as Error).message }, 'review path from config not added');
      }
    }
    await this.persist();
  }

  private async persist(): Promise<void> {
    this.deps.settings.knownPaths = this.list();
    if (this.deps.configFile) await saveReviewSettings(this.deps.configFile, this.deps.settings);
  }

  private async emit(event: 'added' | 'removed', location: ReviewLocation): Promise<void> {
    for (const l of this.listeners) {
      try { await l(event, location); } catch (err) { this.deps.logger.warn({ err }, 'review path listener failed'); }
    }
  }

  private freeName(abs: string): string {
    const base = `Review ${basename(abs) || 'root'}`.slice(0, 80);
    for (let i = 1; ; i++) {
      const name = i === 1 ? base : `${base} (${i})`;
      if (!this.deps.index.libraries.getByName(name)) return name;
    }
  }

  private async toLocation(lib: Library): Promise<ReviewLocation | undefined> {
    const path = pathOf(lib);
    const loc = lib.locations[0];
    if (!path || !loc) return undefined;
    return { path, library: lib, locationId: loc.id, rootItemId: loc.rootItemId, adapter: await this.deps.getAdapter(loc.rootId) };
  }
}

function pathOf(lib: Library): string | undefined {
  const p = lib.settings.reviewPath;
  return typeof p === 'string' ? p : undefined;
}

export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
