/**
 * Opens the one LMDB environment and its named sub-databases, and owns the write
 * transaction helper. Only daemon/index imports this.
 */
import { arch } from 'node:os';
import { open, type Database, type Key, type RootDatabase, type TransactionFlags } from 'lmdb';
import type { Item, IndexCounters, Library, ScanRecord, Session, StorageRoot, Tag, User } from '../domain/types.js';
import { DB, type ContentMark } from './keys.js';
import { bumpWriteGeneration } from './write-generation.js';
import type { Invite, WatchProgress } from '../domain/ports.js';

export interface IndexDbs {
  env: RootDatabase;
  meta: Database<unknown, Key>;
  items: Database<Item, number>;
  itemPath: Database<number, Key>;
  itemChildren: Database<string, Key>;
  /** Raw UTF-8 string values (keys.ts tokenKey): no msgpack decode on a search. */
  itemTokens: Database<string, Key>;
  itemPending: Database<null, number>;
  itemByLibrary: Database<null, Key>;
  itemAccess: Database<ContentMark | null, Key>;
  libraries: Database<Library, number>;
  libraryByName: Database<number, string>;
  libraryByUuid: Database<number, string>;
  roots: Database<StorageRoot, number>;
  rootByUrl: Database<number, string>;
  users: Database<User, number>;
  userByName: Database<number, string>;
  sessions: Database<Session, string>;
  sessionByUser: Database<null, Key>;
  sessionByExpiry: Database<null, Key>;
  scans: Database<ScanRecord, number>;
  scanByLibrary: Database<null, Key>;
  kv: Database<string, string>;
  tags: Database<Tag, number>;
  tagByKey: Database<number, string>;
  tagItems: Database<null, Key>;
  itemTags: Database<null, Key>;
  favorites: Database<number, Key>;
  favoriteByItem: Database<null, Key>;
  itemMetaSort: Database<unknown, Key>;
  itemVirtual: Database<number, Key>;
  records: Database<unknown, Key>;
  progress: Database<WatchProgress, Key>;
  progressByItem: Database<null, Key>;
  progressRecent: Database<null, Key>;
  watchlist: Database<number, Key>;
  watchlistByItem: Database<null, Key>;
  invites: Database<Invite, string>;
  inviteByToken: Database<string, string>;
}

/** Mutable state shared by the repos of one open store. */
export interface IndexState {
  dbs: IndexDbs;
  /** In-memory copy of the persisted counters; replaced only after a commit succeeds. */
  counters: IndexCounters;
  now(): number;
}

/**
 * Address space reserved for the map on 64-bit systems. lmdb-js starts at 128 KiB and
 * grows the map when it fills, but it never unmaps the old maps (lingering readers may
 * still point into them) until the environment closes: every page the old maps touched
 * stays in RSS. A 100,000-file first scan went through ~10 maps and held ~200 MB of
 * data.mdb pages for a 109 MB file. Reserving the space up front keeps one map. It is
 * address space only: without MDB_WRITEMAP the file grows with the data, not the map.
 * 16 GiB holds ~10 million items; past it LMDB still grows the map as before.
 */
export const DEFAULT_MAP_SIZE_64 = 16 * 1024 ** 3;

/** The map size to open with: the caller's, or the 64-bit default; on 32-bit systems
 * lmdb-js's own default (remapped chunks, which fit a 3 GB address space). */
export function defaultMapSize(cpuArch = arch()): number | undefined {
  return cpuArch.endsWith('64') ? DEFAULT_MAP_SIZE_64 : undefined;
}

export function openDbs(path: string, mapSizeBytes?: number): IndexDbs {
  const mapSize = mapSizeBytes ?? defaultMapSize();
  const env = open({
    path,
    maxDbs: 64,
    // overlappingSync (the Linux default) keeps commits atomic and the file consistent
    // after a crash, while the disk flush happens after the write lock is released.
    overlappingSync: true,
    ...(mapSize ? { mapSize } : {}),
  });
  const sub = <V, K extends Key>(name: string, opts: Record<string, unknown> = {}) =>
    env.openDB<V, K>({ name, ...opts });
  return {
    env,
    meta: sub(DB.meta),
    // Shared msgpack structures: items are uniform records, this roughly halves their size.
    items: sub(DB.items, { sharedStructuresKey: Symbol.for('structures') }),
    itemPath: sub(DB.itemPath),
    itemChildren: sub(DB.itemChildren),
    itemTokens: sub(DB.itemTokens, { encoding: 'string' }),
    itemPending: sub(DB.itemPending),
    itemByLibrary: sub(DB.itemByLibrary),
    itemAccess: sub(DB.itemAccess),
    libraries: sub(DB.libraries),
    libraryByName: sub(DB.libraryByName),
    libraryByUuid: sub(DB.libraryByUuid),
    roots: sub(DB.roots),
    rootByUrl: sub(DB.rootByUrl),
    users: sub(DB.users),
    userByName: sub(DB.userByName),
    sessions: sub(DB.sessions),
    sessionByUser: sub(DB.sessionByUser),
    sessionByExpiry: sub(DB.sessionByExpiry),
    scans: sub(DB.scans),
    scanByLibrary: sub(DB.scanByLibrary),
    kv: sub(DB.kv, { encoding: 'string' }),
    tags: sub(DB.tags),
    tagByKey: sub(DB.tagByKey),
    tagItems: sub(DB.tagItems),
    itemTags: sub(DB.itemTags),
    favorites: sub(DB.favorites),
    favoriteByItem: sub(DB.favoriteByItem),
    itemMetaSort: sub(DB.itemMetaSort),
    itemVirtual: sub(DB.itemVirtual),
    records: sub(DB.records),
    progress: sub(DB.progress),
    progressByItem: sub(DB.progressByItem),
    progressRecent: sub(DB.progressRecent),
    watchlist: sub(DB.watchlist),
    watchlistByItem: sub(DB.watchlistByItem),
    invites: sub(DB.invites),
    inviteByToken: sub(DB.inviteByToken),
  };
}

/**
 * lmdb-js transaction flags: ABORTABLE (1) | SYNCHRONOUS_COMMIT (2) | NO_SYNC_FLUSH
 * (0x10000). The commit is atomic and visible when the call returns; the fsync follows
 * asynchronously (overlappingSync), so a process crash loses nothing and a power loss
 * can lose only the last few commits, never consistency.
 */
const TXN_FLAGS = 0x10003 as TransactionFlags;

/** Run `fn` as one synchronous, atomic write transaction; a throw rolls everything back. */
export function writeTxn<T>(dbs: IndexDbs, fn: () => T): T {
  try {
    return dbs.env.transactionSync(fn, TXN_FLAGS);
  } finally {
    bumpWriteGeneration(dbs);
  }
}

/** Next value of a named id counter; call inside writeTxn (same transaction as the record). */
export function nextSeq(dbs: IndexDbs, key: Key): number {
  const n = ((dbs.meta.get(key) as number | undefined) ?? 0) + 1;
  dbs.meta.put(key, n);
  return n;
}
