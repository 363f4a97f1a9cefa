/**
 * applyBatch: the scanner's write path. Everything here runs inside one ItemTxn, i.e.
 * one LMDB transaction. Order: removals, then moves, then upserts (in the given order),
 * so a batch can rename a folder and add files into its new path, or replace a file by
 * a folder of the same name.
 */
import type { ItemBatch, ItemBatchResult, ItemUpsert } from '../domain/ports.js';
import type { Item, MediaType } from '../domain/types.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { ItemTxn } from './item-txn.js';

const PROBEABLE: ReadonlySet<MediaType> = new Set(['image', 'video', 'audio']);
export const isProbeable = (kind: Item['kind'], mediaType: MediaType): boolean =>
  kind === 'file' && PROBEABLE.has(mediaType);

export function parentPath(relPath: string): string {
  const i = relPath.lastIndexOf('/');
  return i < 0 ? '' : relPath.slice(0, i);
}

export function applyBatchInTxn(tx: ItemTxn, batch: ItemBatch): ItemBatchResult {
  const removedIds: number[] = [];
  const added = new Map<number, Item>();
  const changed = new Map<number, Item>();
  for (const id of batch.removeIds ?? []) removedIds.push(...tx.removeSubtree(id));
  for (const move of batch.moves ?? []) {
    const item = moveItem(tx, move);
    if (!added.has(item.id)) changed.set(item.id, item);
  }
  // Parent lookups repeat a lot inside a batch (siblings); memoise them per batch.
  const parentIds = new Map<string, number>();
  for (const u of batch.upserts ?? []) {
    const r = upsert(tx, u, parentIds);
    if (!r) continue;
    if (r.isNew) added.set(r.item.id, r.item);
    else if (added.has(r.item.id)) added.set(r.item.id, r.item);
    else changed.set(r.item.id, r.item);
    if (r.removedIds) removedIds.push(...r.removedIds);
  }
  // Report the final state of items whose parents changed later in the batch.
  const final = (i: Item): Item => tx.get(i.id) ?? i;
  return { added: [...added.values()].map(final), changed: [...changed.values()].map(final), removedIds };
}

function resolveParent(tx: ItemTxn, locationId: number, relPath: string, memo: Map<string, number>): number {
  const pp = parentPath(relPath);
  const memoKey = locationId + '\u0000' + pp;
  let id = memo.get(memoKey);
  if (id === undefined) {
    id = tx.idByPath(locationId, pp);
    if (id === undefined) throw new NotFoundError(`parent folder '${pp}' of '${relPath}' is not indexed (location ${locationId})`);
    memo.set(memoKey, id);
  }
  return id;
}

interface UpsertResult { item: Item; isNew: boolean; removedIds?: number[] }

function upsert(tx: ItemTxn, u: ItemUpsert, memo: Map<string, number>): UpsertResult | undefined {
  const existingId = tx.idByPath(u.locationId, u.relPath);
  let removedIds: number[] | undefined;
  if (existingId !== undefined) {
    const old = tx.get(existingId);
    if (old && old.kind === u.kind) return updateExisting(tx, old, u);
    // A file replaced by a folder (or the reverse): a new item at the same path.
    removedIds = tx.removeSubtree(existingId);
    memo.clear();
  }
  if (u.relPath === '') throw new ValidationError(`location ${u.locationId} has no root item`);
  const parentId = resolveParent(tx, u.locationId, u.relPath, memo);
  const parent = tx.get(parentId);
  const now = tx.now;
  const item: Item = {
    id: tx.nextId(),
    kind: u.kind,
    libraryId: u.libraryId,
    locationId: u.locationId,
    parentId,
    name: u.name,
    relPath: u.relPath,
    mediaType: u.mediaType,
    size: u.size,
    mtimeMs: u.mtimeMs,
    addedAt: now,
    updatedAt: now,
    // Offline is a property of the whole location; a new item inherits it.
    offline: parent?.offline ?? false,
  };
  if (u.mime !== undefined) item.mime = u.mime;
  if (u.kind === 'dir') item.childCount = 0;
  if (isProbeable(u.kind, u.mediaType)) item.probeState = 'pending';
  return { item: tx.insert(item), isNew: true, removedIds };
}

function updateExisting(tx: ItemTxn, old: Item, u: ItemUpsert): UpsertResult | undefined {
  // A location root is named after its library, whatever the folder is called.
  const name = old.relPath === '' ? old.name : u.name;
  const contentChanged = old.size !== u.size || old.mtimeMs !== u.mtimeMs;
  const typeChanged = old.mediaType !== u.mediaType || old.mime !== u.mime;
  const nameChanged = old.name !== name;
  if (!contentChanged && !typeChanged && !nameChanged) return undefined;
  const next: Item = { ...old, name, mediaType: u.mediaType, size: u.size, mtimeMs: u.mtimeMs, updatedAt: tx.now };
  if (u.mime !== undefined) next.mime = u.mime; else delete next.mime;
  const probeable = isProbeable(next.kind, next.mediaType);
  if (probeable && (contentChanged || typeChanged)) {
    next.probeState = 'pending';
    delete next.probeError;
  } else if (!probeable && next.probeState === 'pending') {
    delete next.probeState;
  }
  return { item: tx.update(old, next), isNew: false };
}

function moveItem(tx: ItemTxn, move: { id: number; relPath: string; name: string }): Item {
  const item = tx.get(move.id);
  if (!item) throw new NotFoundError(`item ${move.id} to move does not exist`);
  if (item.relPath === '' || item.locationId === 0) throw new ValidationError(`item ${move.id} cannot be moved`);
  const occupant = tx.idByPath(item.locationId, move.relPath);
  if (occupant !== undefined && occupant !== item.id) {
    throw new ConflictError(`cannot move item ${move.id}: '${move.relPath}' is taken by item ${occupant}`);
  }
  const oldPrefix = item.relPath + '/';
  if (move.relPath.startsWith(oldPrefix)) throw new ValidationError(`item ${move.id} cannot move into itself`);
  const parentId = resolveParent(tx, item.locationId, move.relPath, new Map());
  const moved = tx.update(item, { ...item, relPath: move.relPath, name: move.name, parentId, updatedAt: tx.now });
  if (item.kind === 'dir' && item.relPath !== move.relPath) rewriteDescendantPaths(tx, item.id, oldPrefix, move.relPath + '/');
  return moved;
}

/** A moved folder keeps its descendants' ids and parents; only their paths change. */
function rewriteDescendantPaths(tx: ItemTxn, dirId: number, oldPrefix: string, newPrefix: string): void {
  const stack = [dirId];
  while (stack.length) {
    for (const childId of tx.childIds(stack.pop() as number)) {
      const child = tx.get(childId);
      if (!child) continue;
      if (child.relPath.startsWith(oldPrefix)) {
        tx.update(child, { ...child, relPath: newPrefix + child.relPath.slice(oldPrefix.length) });
      }
      if (child.kind === 'dir') stack.push(childId);
    }
  }
}
