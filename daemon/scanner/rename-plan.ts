/**
 * Rename (move) detection for one scan. A file that vanished and a file that appeared with
 * the same size, mtime and extension are taken to be the same file moved: the index keeps
 * its id (and with it favorites, progress, tags, probe results) and only changes its path.
 *
 * When several candidates share a signature, a candidate with the same name wins (a moved
 * folder), then one in the same directory (an in-place rename), then the first seen.
 */
import type { ItemUpsert } from '../domain/ports.js';
import type { Item } from '../domain/types.js';
import { extensionOf } from './classify.js';

export interface RemovedFile {
  item: Item;
  /** Removed anyway with an ancestor directory: no removeId of its own needed. */
  covered: boolean;
}

export interface RenamePlan {
  moves: { id: number; relPath: string; name: string }[];
  /** Added files that matched nothing: plain inserts. */
  upserts: ItemUpsert[];
  /** Removed files that matched nothing and are not covered by a directory removal. */
  removeIds: number[];
}

function signature(size: number, mtimeMs: number, name: string): string {
  return `${size}:${mtimeMs}:${extensionOf(name)}`;
}

function parentOf(relPath: string): string {
  const slash = relPath.lastIndexOf('/');
  return slash < 0 ? '' : relPath.slice(0, slash);
}

export function planRenames(removed: readonly RemovedFile[], added: readonly ItemUpsert[]): RenamePlan {
  const plan: RenamePlan = { moves: [], upserts: [], removeIds: [] };
  if (removed.length === 0) {
    plan.upserts = added.slice();
    return plan;
  }
  const bySig = new Map<string, RemovedFile[]>();
  for (const r of removed) {
    const key = signature(r.item.size, r.item.mtimeMs, r.item.name);
    const list = bySig.get(key);
    if (list) list.push(r); else bySig.set(key, [r]);
  }
  const matched = new Set<RemovedFile>();
  for (const upsert of added) {
    const list = bySig.get(signature(upsert.size, upsert.mtimeMs, upsert.name));
    if (!list || list.length === 0) { plan.upserts.push(upsert); continue; }
    const dir = parentOf(upsert.relPath);
    let pick = list.findIndex((r) => r.item.name === upsert.name);
    if (pick < 0) pick = list.findIndex((r) => parentOf(r.item.relPath) === dir);
    if (pick < 0) pick = 0;
    const [hit] = list.splice(pick, 1);
    matched.add(hit);
    plan.moves.push({ id: hit.item.id, relPath: upsert.relPath, name: upsert.name });
  }
  for (const r of removed) if (!matched.has(r) && !r.covered) plan.removeIds.push(r.item.id);
  return plan;
}
