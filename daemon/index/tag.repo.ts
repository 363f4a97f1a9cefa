/**
 * TagRepo over LMDB (contract in domain/ports.ts). Layout (keys.ts):
 *   tags        id -> Tag (itemCount kept in step with the links)
 *   tag-by-key  folded name -> id
 *   tag-items   [tagId, itemId] -> null    (items of a tag, a range scan)
 *   item-tags   [itemId, tagId] -> null    (tags of an item, a range scan)
 * Every write is one transaction; `unlinkItemTags` is called by ItemTxn.removeOne so an
 * item's links leave in the transaction that removes the item.
 */
import type { TagRepo } from '../domain/ports.js';
import type { Tag } from '../domain/types.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { nextSeq, writeTxn, type IndexDbs, type IndexState } from './env.js';
import { itemTagKey, itemTagRange, seqKey, tagItemKey, tagItemRange, tagKey } from './keys.js';

/** Longest tag name accepted (characters, after trimming). */
export const MAX_TAG_NAME = 100;
const COLOR_RE = /^#[0-9a-fA-F]{3,8}$|^[a-zA-Z]{1,20}$/;

export function cleanTagName(name: unknown): string {
  if (typeof name !== 'string') throw new ValidationError('Tag is required', { field: 'tag' }, 'TAG_REQUIRED');
  const trimmed = name.trim().replace(/\s+/gu, ' ');
  if (!trimmed) throw new ValidationError('Tag is required', { field: 'tag' }, 'TAG_REQUIRED');
  if ([...trimmed].length > MAX_TAG_NAME) {
    throw new ValidationError(`Tag name must not exceed ${MAX_TAG_NAME} characters`, { field: 'tag' }, 'TAG_TOO_LONG');
  }
  return trimmed;
}

const byName = (a: Tag, b: Tag): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id - b.id);

/** Remove every tag link of an item (call inside a write transaction). */
export function unlinkItemTags(dbs: IndexDbs, itemId: number): void {
  const tagIds = [...dbs.itemTags.getKeys(itemTagRange(itemId))].map((k) => (k as [number, number])[1]);
  for (const tagId of tagIds) {
    dbs.itemTags.remove(itemTagKey(itemId, tagId));
    dbs.tagItems.remove(tagItemKey(tagId, itemId));
    const tag = dbs.tags.get(tagId);
    if (tag) dbs.tags.put(tagId, { ...tag, itemCount: Math.max(0, tag.itemCount - 1) });
  }
}

export class LmdbTagRepo implements TagRepo {
  constructor(private readonly state: IndexState) {}

  private get dbs() { return this.state.dbs; }

  list(): Tag[] {
    return [...this.dbs.tags.getRange({})].map((e) => e.value).sort(byName);
  }

  get(id: number): Tag | undefined {
    return this.dbs.tags.get(id);
  }

  getByName(name: string): Tag | undefined {
    const key = tagKey(name);
    if (!key) return undefined;
    const id = this.dbs.tagByKey.get(key);
    return id === undefined ? undefined : this.get(id);
  }

  count(): number {
    return this.dbs.tags.getCount();
  }

  tagsOf(itemId: number): Tag[] {
    const out: Tag[] = [];
    for (const key of this.dbs.itemTags.getKeys(itemTagRange(itemId))) {
      const tag = this.dbs.tags.get((key as [number, number])[1]);
      if (tag) out.push(tag);
    }
    return out.sort(byName);
  }

  itemIdsOf(tagId: number, afterItemId = 0, limit = 10_000): number[] {
    const range = tagItemRange(tagId);
    return [...this.dbs.tagItems.getKeys({ start: [tagId, afterItemId], end: range.end, exclusiveStart: true, limit })]
      .map((k) => (k as [number, number])[1]);
  }

  hasTag(itemId: number, tagId: number): boolean {
    return this.dbs.itemTags.doesExist(itemTagKey(itemId, tagId));
  }

  async add(itemIds: number[], name: string): Promise<{ tag: Tag; added: number; missing: number[] }> {
    const clean = cleanTagName(name);
    return writeTxn(this.dbs, () => {
      const tag = this.ensure(clean);
      const missing: number[] = [];
      let added = 0;
      for (const itemId of new Set(itemIds)) {
        if (!this.dbs.items.doesExist(itemId)) { missing.push(itemId); continue; }
        if (this.link(tag.id, itemId)) added++;
      }
      const next = { ...tag, itemCount: tag.itemCount + added };
      this.dbs.tags.put(tag.id, next);
      return { tag: next, added, missing };
    });
  }

  async remove(itemIds: number[], name: string): Promise<number> {
    const key = tagKey(typeof name === 'string' ? name : '');
    if (!key) throw new ValidationError('Tag is required', { field: 'tag' }, 'TAG_REQUIRED');
    return writeTxn(this.dbs, () => {
      const id = this.dbs.tagByKey.get(key);
      const tag = id === undefined ? undefined : this.dbs.tags.get(id);
      if (!tag) return 0;
      let removed = 0;
      for (const itemId of new Set(itemIds)) if (this.unlink(tag.id, itemId)) removed++;
      if (removed) this.dbs.tags.put(tag.id, { ...tag, itemCount: Math.max(0, tag.itemCount - removed) });
      return removed;
    });
  }

  async setTags(itemId: number, names: string[]): Promise<Tag[]> {
    const clean = names.map(cleanTagName);
    return writeTxn(this.dbs, () => {
      if (!this.dbs.items.doesExist(itemId)) throw new NotFoundError('File not found', 'PATH_NOT_FOUND');
      const wanted = new Map<string, string>();
      for (const n of clean) if (!wanted.has(tagKey(n))) wanted.set(tagKey(n), n);
      for (const old of this.tagsOfInTxn(itemId)) {
        if (wanted.has(old.key)) continue;
        if (this.unlink(old.id, itemId)) this.dbs.tags.put(old.id, { ...old, itemCount: Math.max(0, old.itemCount - 1) });
      }
      for (const n of wanted.values()) {
        const tag = this.ensure(n);
        if (this.link(tag.id, itemId)) this.dbs.tags.put(tag.id, { ...tag, itemCount: tag.itemCount + 1 });
      }
      return this.tagsOfInTxn(itemId).sort(byName);
    });
  }

  async update(id: number, patch: { name?: string; color?: string | null }): Promise<Tag> {
    const name = patch.name === undefined ? undefined : cleanTagName(patch.name);
    if (patch.color !== undefined && patch.color !== null && !COLOR_RE.test(patch.color)) {
      throw new ValidationError('Invalid tag color', { field: 'color' }, 'INVALID_COLOR');
    }
    return writeTxn(this.dbs, () => {
      const tag = this.dbs.tags.get(id);
      if (!tag) throw new NotFoundError('Tag not found', 'TAG_NOT_FOUND');
      const next: Tag = { ...tag };
      if (name !== undefined) {
        const key = tagKey(name);
        const other = this.dbs.tagByKey.get(key);
        if (other !== undefined && other !== id) throw new ConflictError(`A tag named '${name}' already exists`, 'TAG_EXISTS');
        this.dbs.tagByKey.remove(tag.key);
        this.dbs.tagByKey.put(key, id);
        next.name = name;
        next.key = key;
      }
      if (patch.color === null) delete next.color;
      else if (patch.color !== undefined) next.color = patch.color;
      this.dbs.tags.put(id, next);
      return next;
    });
  }

  async delete(id: number): Promise<number> {
    return writeTxn(this.dbs, () => {
      const tag = this.dbs.tags.get(id);
      if (!tag) throw new NotFoundError('Tag not found', 'TAG_NOT_FOUND');
      let n = 0;
      for (const key of [...this.dbs.tagItems.getKeys(tagItemRange(id))]) {
        const itemId = (key as [number, number])[1];
        this.dbs.tagItems.remove(key);
        this.dbs.itemTags.remove(itemTagKey(itemId, id));
        n++;
      }
      this.dbs.tagByKey.remove(tag.key);
      this.dbs.tags.remove(id);
      return n;
    });
  }

  /** The tag for a cleaned name, created when missing (inside a write transaction). */
  private ensure(name: string): Tag {
    const key = tagKey(name);
    const existing = this.dbs.tagByKey.get(key);
    if (existing !== undefined) {
      const tag = this.dbs.tags.get(existing);
      if (tag) return tag;
    }
    const tag: Tag = { id: nextSeq(this.dbs, seqKey('tag')), name, key, createdAt: this.state.now(), itemCount: 0 };
    this.dbs.tags.put(tag.id, tag);
    this.dbs.tagByKey.put(key, tag.id);
    return tag;
  }

  private link(tagId: number, itemId: number): boolean {
    if (this.dbs.itemTags.doesExist(itemTagKey(itemId, tagId))) return false;
    this.dbs.itemTags.put(itemTagKey(itemId, tagId), null);
    this.dbs.tagItems.put(tagItemKey(tagId, itemId), null);
    return true;
  }

  private unlink(tagId: number, itemId: number): boolean {
    if (!this.dbs.itemTags.doesExist(itemTagKey(itemId, tagId))) return false;
    this.dbs.itemTags.remove(itemTagKey(itemId, tagId));
    this.dbs.tagItems.remove(tagItemKey(tagId, itemId));
    return true;
  }

  private tagsOfInTxn(itemId: number): Tag[] {
    const out: Tag[] = [];
    for (const key of [...this.dbs.itemTags.getKeys(itemTagRange(itemId))]) {
      const tag = this.dbs.tags.get((key as [number, number])[1]);
      if (tag) out.push(tag);
    }
    return out;
  }
}
