/**
 * Locked fields: a manual edit locks the meta fields it touches (Item.lockedFields); every
 * automatic writer (scan/name parse, NFO, TMDb refresh) merges through `mergeUnlocked`, so
 * a locked field is never overwritten.
 */
import type { Item } from '../domain/types.js';

/** The fields of `incoming` that may be written over `item` (locked ones removed; unchanged ones too). */
export function mergeUnlocked(item: Pick<Item, 'meta' | 'lockedFields'>, incoming: Record<string, unknown>): Record<string, unknown> | undefined {
  const locked = new Set(item.lockedFields ?? []);
  const current = item.meta ?? {};
  const out: Record<string, unknown> = {};
  let changed = false;
  for (const [k, v] of Object.entries(incoming)) {
    if (locked.has(k) || v === undefined) continue;
    if (JSON.stringify(current[k]) === JSON.stringify(v)) continue;
    out[k] = v;
    changed = true;
  }
  return changed ? out : undefined;
}

/** Normalised match key of a title: folded, letters and digits only ('The Office (US)' -> 'theofficeus'). */
export function matchKey(title: string): string {
  return title.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/&/g, 'and').replace(/[^\p{L}\p{N}]+/gu, '');
}
