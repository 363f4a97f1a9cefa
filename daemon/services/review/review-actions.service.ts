/**
 * POST /api/media-actions: review state as companion files next to the media, named after
 * the full file name (photo.jpg.lock, photo.jpg.trash, photo.jpg.seen). lock and trash
 * imply seen; trashing a locked item is a conflict. Files on disk are the truth; the
 * index's item.meta.review is updated before the answer so index readers agree at once.
 * Actions on one file are serialized (two clicks in flight cannot interleave).
 */
import { finished } from 'node:stream/promises';
import type { IndexStore } from '../../domain/ports.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../domain/errors.js';
import { StorageError, type StorageAdapter } from '../../../storage-adapters/types.js';
import { companionName, reviewMediaType, type CompanionKind, type ReviewStatus } from './review-media.js';
import { normalizeClientPath, type ReviewPathService } from './review-paths.service.js';

export const REVIEW_ACTIONS = ['lock', 'unlock', 'trash', 'untrash', 'seen', 'unseen'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

export interface ActionResult { path: string; action: ReviewAction; status: ReviewStatus }

const NOT_MEDIA = 'Path must be an existing media file.';

export class ReviewActionService {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: { index: IndexStore; paths: ReviewPathService }) {}

  async apply(body: unknown): Promise<ActionResult> {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('Expected JSON object body.');
    const { path, action } = body as Record<string, unknown>;
    const abs = normalizeClientPath(path);
    if (typeof action !== 'string' || !(REVIEW_ACTIONS as readonly string[]).includes(action)) {
      throw new ValidationError(`Field 'action' must be one of ${REVIEW_ACTIONS.join(', ')}.`, { field: 'action' });
    }
    const resolved = await this.deps.paths.resolve(abs);
    if (!resolved || !resolved.rel) throw new ForbiddenError('Path is not under a configured review path.', 'OUTSIDE_REVIEW_PATHS');
    const { owner, rel } = resolved;
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    if (rel.split('/').some((seg) => seg.startsWith('.')) || !reviewMediaType(name)) {
      throw new ValidationError(NOT_MEDIA, { field: 'path' }, 'NOT_MEDIA');
    }
    return this.serialized(abs, async () => {
      const entry = await owner.adapter.stat(rel).catch((err: unknown) => {
        if (err instanceof StorageError && (err.code === 'NOT_FOUND' || err.code === 'NOT_DIR')) return undefined;
        throw err;
      });
      if (!entry || entry.type !== 'file') throw new ValidationError(NOT_MEDIA, { field: 'path' }, 'NOT_MEDIA');
      const status = await applyAction(owner.adapter, rel, action as ReviewAction);
      const item = this.deps.index.items.getByPath(owner.locationId, rel);
      if (item) await this.deps.index.items.updateMeta(item.id, { review: status });
      return { path: abs, action: action as ReviewAction, status };
    });
  }

  private async serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.inFlight.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.inFlight.set(key, tail);
    void tail.then(() => { if (this.inFlight.get(key) === tail) this.inFlight.delete(key); });
    return run;
  }
}

/** Reads the three companions of `rel` (parallel stats; no directory listing). */
export async function readStatus(adapter: StorageAdapter, rel: string): Promise<ReviewStatus> {
  const [locked, trashed, seen] = await Promise.all(
    (['lock', 'trash', 'seen'] as const).map((k) => exists(adapter, companionName(rel, k))),
  );
  return { locked, trashed, seen };
}

async function applyAction(adapter: StorageAdapter, rel: string, action: ReviewAction): Promise<ReviewStatus> {
  const status = await readStatus(adapter, rel);
  switch (action) {
    case 'lock':
      await touch(adapter, rel, 'lock');
      await touch(adapter, rel, 'seen');
      return { ...status, locked: true, seen: true };
    case 'unlock':
      await removeCompanion(adapter, rel, 'lock');
      return { ...status, locked: false };
    case 'trash':
      if (status.locked) throw new ConflictError('Cannot trash a locked item. Unlock it first.', 'ITEM_LOCKED');
      await touch(adapter, rel, 'trash');
      await touch(adapter, rel, 'seen');
      return { ...status, trashed: true, seen: true };
    case 'untrash':
      await removeCompanion(adapter, rel, 'trash');
      return { ...status, trashed: false };
    case 'seen':
      await touch(adapter, rel, 'seen');
      return { ...status, seen: true };
    case 'unseen':
      await removeCompanion(adapter, rel, 'seen');
      return { ...status, seen: false };
  }
}

async function exists(adapter: StorageAdapter, rel: string): Promise<boolean> {
  try {
    return (await adapter.stat(rel)).type === 'file';
  } catch (err) {
    if (err instanceof StorageError && (err.code === 'NOT_FOUND' || err.code === 'NOT_DIR')) return false;
    throw err;
  }
}

async function touch(adapter: StorageAdapter, rel: string, kind: CompanionKind): Promise<void> {
  const out = await adapter.createWriteStream(companionName(rel, kind), { overwrite: true });
  out.end();
  await finished(out);
}

/** Deletes a companion; one that is already gone is fine. */
export async function removeCompanion(adapter: StorageAdapter, rel: string, kind: CompanionKind): Promise<void> {
  try {
    await adapter.delete(companionName(rel, kind));
  } catch (err) {
    if (!(err instanceof StorageError && err.code === 'NOT_FOUND')) throw err;
  }
}
