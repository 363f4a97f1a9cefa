/**
 * A write generation for the whole index: a number that changes after every committed
 * write, whichever repo made it. Caches of derived answers (presented listing pages, a
 * request's session and user) remember the generation they were built at and are dropped
 * as soon as it moves, so they never answer with data older than the last write.
 *
 * Both write paths of lmdb-js are covered:
 * - synchronous transactions: env.ts writeTxn bumps after transactionSync returns (the
 *   commit and lmdb-js's read-snapshot reset have happened by then);
 * - asynchronous put/remove batches: the env's 'aftercommit' event.
 * Each bump happens now and once more two microtasks later, after lmdb-js has reset its
 * read snapshot following an asynchronous commit (it does that right after 'aftercommit'
 * or in a microtask): anything cached in between, possibly from the old snapshot, is
 * dropped by the second bump. Over-invalidation (a write that changed nothing a cache
 * holds) only costs a rebuild.
 */
import type { IndexDbs } from './env.js';
import type { LmdbIndexStore } from './lmdb-store.js';

interface Counter { n: number; watching: boolean }

/** Keyed by the IndexDbs object, which outlives a reopened environment. */
const counters = new WeakMap<object, Counter>();

function counterOf(dbs: IndexDbs): Counter {
  let c = counters.get(dbs);
  if (!c) counters.set(dbs, c = { n: 0, watching: false });
  return c;
}

/** Called by writeTxn after every synchronous transaction (committed or not). */
export function bumpWriteGeneration(dbs: IndexDbs): void {
  const c = counters.get(dbs);
  if (!c) return; // nobody reads it
  bump(c);
}

function bump(c: Counter): void {
  c.n++;
  queueMicrotask(() => queueMicrotask(() => { c.n++; }));
}

/** The generation reader for `dbs`; the first call subscribes to asynchronous commits. */
export function writeGenerationOf(dbs: IndexDbs): () => number {
  const c = counterOf(dbs);
  if (!c.watching) {
    c.watching = true;
    dbs.env.on('aftercommit', () => bump(c));
  }
  return () => c.n;
}

/** The store with `writeGeneration` set (the composition root wraps openIndexStore's result). */
export function withWriteGeneration<T extends LmdbIndexStore>(store: T): T & { writeGeneration(): number } {
  return Object.assign(store, { writeGeneration: writeGenerationOf(store.dbs) });
}
