/**
 * The metadata part of verifyIndexConsistency: recount per-library counters and per-scope
 * sort counts from the items and compare them with what the writers kept. (The
 * item-meta-sort and item-virtual entries themselves are checked with the other item
 * indexes through indexEntries.) O(items): tests and admin checks only.
 */
import type { IndexDbs } from './env.js';
import {
  LIBRARY_COUNTERS_RANGE, SORT_COUNT_RANGE, addLibraryFile, categoryOf, emptyLibraryCounters,
  sortScopes, type LibraryCounters,
} from './meta-indexes.js';

export function verifyMetaCounters(dbs: IndexDbs): string[] {
  const problems: string[] = [];
  const libs = new Map<number, LibraryCounters>();
  const scopes = new Map<number, number>();
  for (const { value: item } of dbs.items.getRange({})) {
    for (const s of sortScopes(item)) scopes.set(s, (scopes.get(s) ?? 0) + 1);
    const cat = categoryOf(item);
    if (!cat) continue;
    let c = libs.get(item.libraryId);
    if (!c) libs.set(item.libraryId, (c = emptyLibraryCounters()));
    addLibraryFile(c, item, cat, 1);
  }
  const storedLibs = new Map<number, LibraryCounters>();
  for (const { key, value } of dbs.meta.getRange(LIBRARY_COUNTERS_RANGE)) storedLibs.set((key as [string, number])[1], value as LibraryCounters);
  for (const id of new Set([...libs.keys(), ...storedLibs.keys()])) {
    const want = JSON.stringify(sortDeep(libs.get(id)));
    const have = JSON.stringify(sortDeep(storedLibs.get(id)));
    if (want !== have) problems.push(`library ${id} counters: stored ${have}, actual ${want}`);
  }
  const storedScopes = new Map<number, number>();
  for (const { key, value } of dbs.meta.getRange(SORT_COUNT_RANGE)) storedScopes.set((key as [string, number])[1], value as number);
  for (const s of new Set([...scopes.keys(), ...storedScopes.keys()])) {
    if ((scopes.get(s) ?? 0) !== (storedScopes.get(s) ?? 0)) problems.push(`meta sort scope ${s}: stored ${storedScopes.get(s) ?? 0}, actual ${scopes.get(s) ?? 0}`);
  }
  return problems;
}

function sortDeep(v: unknown): unknown {
  if (v === undefined) return null;
  if (Array.isArray(v) || v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]));
}
