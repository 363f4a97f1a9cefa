/**
 * Tags (api-000 §4): shared library data addressed by virtual path. Names are trimmed,
 * matched case-insensitively and shown as first written (TagRepo). Writes need admin or
 * `media.edit` (enforced by the routes); reads are open to every user, limited to the
 * libraries the viewer may see.
 */
import type { IndexStore } from '../../domain/ports.js';
import type { Library, Tag } from '../../domain/types.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { VirtualPathService } from '../browse/virtual-path.service.js';
import { rfc3339, type BulkResult, type MediaFile, type MediaFilePresenter, type Viewer } from './media-file.js';
import { requirePath, resolveItem, resolveMany } from './viewer-items.js';

/** Most paths one bulk/batch call takes (upstream's limit). */
export const MAX_BULK_PATHS = 10_000;

export interface TagView { id: number; name: string; color?: string; itemCount: number; createdAt: string }

export function presentTag(t: Tag): TagView {
  const out: TagView = { id: t.id, name: t.name } as TagView;
  if (t.color) out.color = t.color;
  out.itemCount = t.itemCount;
  out.createdAt = rfc3339(t.createdAt);
  return out;
}

export function requireTag(raw: unknown, message = 'Tag is required'): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new ValidationError(message, { field: 'tag' }, 'TAG_REQUIRED');
  return raw;
}

export function requirePaths(raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new ValidationError('Paths array is required', { field: 'paths' }, 'PATHS_REQUIRED');
  if (raw.some((p) => typeof p !== 'string')) throw new ValidationError('Paths must be strings', { field: 'paths' }, 'PATHS_REQUIRED');
  if (raw.length > MAX_BULK_PATHS) throw new ValidationError(`Too many paths (max ${MAX_BULK_PATHS})`, { field: 'paths' }, 'TOO_MANY_PATHS');
  return raw as string[];
}

export class TagService {
  constructor(
    private readonly index: IndexStore,
    private readonly paths: VirtualPathService,
    private readonly presenter: MediaFilePresenter,
  ) {}

  list(): TagView[] {
    return this.index.tags.list().map(presentTag);
  }

  /** Tag names of one file, sorted case-insensitively; [] when untagged. */
  ofFile(viewer: Viewer, rawPath: unknown): string[] {
    const path = requirePath(rawPath);
    try {
      return this.index.tags.tagsOf(resolveItem(this.paths, path, viewer).item.id).map((t) => t.name);
    } catch (err) {
      if (err instanceof NotFoundError) return [];
      throw err;
    }
  }

  async add(viewer: Viewer, rawPath: unknown, rawTag: unknown): Promise<void> {
    const [path, tag] = this.pathAndTag(rawPath, rawTag);
    await this.index.tags.add([resolveItem(this.paths, path, viewer).item.id], tag);
  }

  async remove(viewer: Viewer, rawPath: unknown, rawTag: unknown): Promise<void> {
    const [path, tag] = this.pathAndTag(rawPath, rawTag);
    let id: number;
    try {
      id = resolveItem(this.paths, path, viewer).item.id;
    } catch (err) {
      if (err instanceof NotFoundError) return; // nothing to remove: ok, as upstream
      throw err;
    }
    await this.index.tags.remove([id], tag);
  }

  async set(viewer: Viewer, rawPath: unknown, rawTags: unknown): Promise<void> {
    const path = requirePath(rawPath);
    if (!Array.isArray(rawTags) || rawTags.some((t) => typeof t !== 'string')) {
      throw new ValidationError('Tags array is required', { field: 'tags' }, 'TAGS_REQUIRED');
    }
    const names = (rawTags as string[]).filter((t) => t.trim() !== '');
    await this.index.tags.setTags(resolveItem(this.paths, path, viewer).item.id, names);
  }

  async bulk(viewer: Viewer, rawPaths: unknown, rawTag: unknown, add: boolean): Promise<BulkResult> {
    const paths = requirePaths(rawPaths);
    const tag = requireTag(rawTag);
    const r = resolveMany(this.paths, paths, viewer);
    let missing = 0;
    if (add) missing = (await this.index.tags.add(r.ids, tag)).missing.length;
    else await this.index.tags.remove(r.ids, tag);
    const out: BulkResult = { success: r.ids.length - missing, failed: r.failed + missing };
    if (r.errors.length) out.errors = r.errors;
    return out;
  }

  /** { "<path>": [tag names] } for every non-empty requested path ([] when untagged or unknown). */
  batch(viewer: Viewer, rawPaths: unknown): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const path of requirePaths(rawPaths)) {
      if (path === '') continue;
      try {
        out[path] = this.index.tags.tagsOf(resolveItem(this.paths, path, viewer).item.id).map((t) => t.name);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        out[path] = [];
      }
    }
    return out;
  }

  /** Items carrying a tag (visible to the viewer), as MediaFile, by id; first `limit`. */
  filesWithTag(viewer: Viewer, name: string, limit: number): { items: MediaFile[]; total: number } {
    const tag = this.index.tags.getByName(name);
    if (!tag) return { items: [], total: 0 };
    const libs = new Map<number, Library | null>();
    const items: MediaFile[] = [];
    let total = 0;
    for (let after = 0; ;) {
      const ids = this.index.tags.itemIdsOf(tag.id, after, 1_000);
      for (const item of this.index.items.getMany(ids)) {
        if (!item) continue;
        const lib = this.presenter.libraryOf(item, viewer, libs);
        if (!lib) continue;
        total++;
        if (items.length < limit) items.push(this.presenter.present(item, lib, viewer, { thumbnails: 'media', tags: true, itemCount: false }));
      }
      if (ids.length < 1_000) break;
      after = ids[ids.length - 1];
    }
    return { items, total };
  }

  async rename(rawName: unknown, rawNew: unknown): Promise<{ affectedFiles: number; newName: string; oldName: string; status: 'ok' }> {
    const name = requireTag(rawName, 'Tag name and new name are required');
    const newName = requireTag(rawNew, 'Tag name and new name are required');
    const tag = this.mustGet(name);
    const next = await this.index.tags.update(tag.id, { name: newName });
    return { affectedFiles: next.itemCount, newName: next.name, oldName: tag.name, status: 'ok' };
  }

  async delete(rawName: unknown): Promise<{ affectedFiles: number; status: 'ok'; tagName: string }> {
    const tag = this.mustGet(requireTag(rawName));
    const affectedFiles = await this.index.tags.delete(tag.id);
    return { affectedFiles, status: 'ok', tagName: tag.name };
  }

  async setColor(rawName: unknown, color: unknown): Promise<TagView> {
    const tag = this.mustGet(requireTag(rawName));
    if (color !== null && typeof color !== 'string') throw new ValidationError('color must be a string or null', { field: 'color' });
    return presentTag(await this.index.tags.update(tag.id, { color: color === '' ? null : color }));
  }

  unused(): string[] {
    return this.index.tags.list().filter((t) => t.itemCount === 0).map((t) => t.name);
  }

  /** Upstream's /api/tags/stats: name, color, count; most used first. */
  stats(): { name: string; color?: string; count: number }[] {
    return this.index.tags.list()
      .sort((a, b) => b.itemCount - a.itemCount || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((t) => (t.color ? { name: t.name, color: t.color, count: t.itemCount } : { name: t.name, count: t.itemCount }));
  }

  private mustGet(name: string): Tag {
    const tag = this.index.tags.getByName(name);
    if (!tag) throw new NotFoundError('Tag not found', 'TAG_NOT_FOUND');
    return tag;
  }

  private pathAndTag(rawPath: unknown, rawTag: unknown): [string, string] {
    if (typeof rawPath !== 'string' || rawPath === '' || typeof rawTag !== 'string' || rawTag.trim() === '') {
      throw new ValidationError('Path and tag are required', { field: 'path' }, 'PATH_AND_TAG_REQUIRED');
    }
    return [rawPath, rawTag];
  }
}
