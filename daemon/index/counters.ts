/**
 * IndexCounters arithmetic. The same `applyItem` is used for incremental upkeep and for
 * the recount in verify.ts, so the two can only disagree if an index write was lost.
 *
 * Contract: `items` counts every item (virtual ones too); files/dirs/bytes/byMediaType
 * count storage items only (kind 'file' or 'dir'); bytes are file sizes; offline, probed
 * (probeState 'done') and probeFailed count every item.
 */
import type { IndexCounters, Item } from '../domain/types.js';

export function emptyCounters(): IndexCounters {
  return { items: 0, files: 0, dirs: 0, bytes: 0, byMediaType: {}, offline: 0, probed: 0, probeFailed: 0 };
}

export function cloneCounters(c: IndexCounters): IndexCounters {
  const byMediaType: IndexCounters['byMediaType'] = {};
  for (const [k, v] of Object.entries(c.byMediaType)) byMediaType[k] = { count: v.count, bytes: v.bytes };
  return { ...c, byMediaType };
}

/** Add (sign 1) or remove (sign -1) one item's contribution. */
export function applyItem(c: IndexCounters, item: Item, sign: 1 | -1): void {
  c.items += sign;
  if (item.offline) c.offline += sign;
  if (item.probeState === 'done') c.probed += sign;
  if (item.probeState === 'failed') c.probeFailed += sign;
  if (item.kind !== 'file' && item.kind !== 'dir') return;
  const bytes = item.kind === 'file' ? item.size : 0;
  if (item.kind === 'file') { c.files += sign; c.bytes += sign * bytes; } else c.dirs += sign;
  const m = c.byMediaType[item.mediaType] ?? (c.byMediaType[item.mediaType] = { count: 0, bytes: 0 });
  m.count += sign;
  m.bytes += sign * bytes;
  if (m.count === 0 && m.bytes === 0) delete c.byMediaType[item.mediaType];
}

/** Differences between two counter sets, as readable strings (empty when equal). */
export function diffCounters(stored: IndexCounters, actual: IndexCounters): string[] {
  const out: string[] = [];
  for (const k of ['items', 'files', 'dirs', 'bytes', 'offline', 'probed', 'probeFailed'] as const) {
    if (stored[k] !== actual[k]) out.push(`counters.${k}: stored ${stored[k]}, actual ${actual[k]}`);
  }
  const types = new Set([...Object.keys(stored.byMediaType), ...Object.keys(actual.byMediaType)]);
  for (const t of types) {
    const s = stored.byMediaType[t] ?? { count: 0, bytes: 0 };
    const a = actual.byMediaType[t] ?? { count: 0, bytes: 0 };
    if (s.count !== a.count || s.bytes !== a.bytes) {
      out.push(`counters.byMediaType.${t}: stored ${s.count}/${s.bytes}, actual ${a.count}/${a.bytes}`);
    }
  }
  return out;
}
