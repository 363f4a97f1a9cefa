/**
 * A write generation for the index: a number that changes after every write transaction
 * (env.ts writeTxn), whichever repo made it. Caches of derived answers (presented listing
 * pages, a request's session and user) remember the generation they were built at and are
 * dropped as soon as it moves, so they never answer with data older than the last write.
 *
 * Every repo write goes through writeTxn, except the Catalogizer's hash and duplicate
 * records (catalog.repo.ts, asynchronous puts wrapped in map-release's trackAsyncWrite):
 * those are read by nothing that is cached, and they arrive by the thousand while
 * duplicate detection hashes a library after a scan. They deliberately do not move the
 * generation; a new asynchronous write of anything a cache shows must call
 * bumpWriteGeneration after its commit.
 *
 * writeTxn bodies are synchronous, and transactionSync resets lmdb-js's read snapshot
 * before it returns, so a bump after it is exact. A second bump two microtasks later
 * costs nothing and covers a caller that reads between its own commit and return.
 * Over-invalidation (a write that changed nothing a cache holds) only costs a rebuild.
 */
import type { IndexDbs } from './env.js';
import type { LmdbIndexStore } from './lmdb-store.js';

interface Counter { n: number }

/** Keyed by the IndexDbs object, which outlives a reopened environment. */
const counters = new WeakMap<object, Counter>();

function counterOf(dbs: IndexDbs): Counter {
  let c = counters.get(dbs);
  if (!c) counters.set(dbs, c = { n: 0 });
  return c;
}

/** Called by writeTxn after every transaction (committed or not). */
export function bumpWriteGeneration(dbs: IndexDbs): void {
  const c = counters.get(dbs);
  if (!c) return; // nobody reads it
  bump(c);
}

function bump(c: Counter): void {
  c.n++;
  queueMicrotask(() => queueMicrotask(() => { c.n++; }));
}

/** The generation reader for `dbs` (counting starts with the first call). */
export function writeGenerationOf(dbs: IndexDbs): () => number {
  const c = counterOf(dbs);
  return () => c.n;
}

/** The store with `writeGeneration` set (the composition root wraps openIndexStore's result). */
export function withWriteGeneration<T extends LmdbIndexStore>(store: T): T & { writeGeneration(): number } {
  return Object.assign(store, { writeGeneration: writeGenerationOf(store.dbs) });
}
