/**
 * Ports: the small interfaces services depend on. daemon/index implements the repositories
 * over LMDB (the only LMDB user); daemon/media implements Prober and Thumbnailer; tests use
 * the same implementations on a temp dir, or fakes.
 */
import type {
  Item, IndexCounters, Library, LibraryCounters, LibraryLocation, ProbeInfo, ProbeState, ScanRecord, Session,
  StorageRoot, Tag, User, MediaType, ItemKind,
} from './types.js';

export interface Clock { now(): number }
export const systemClock: Clock = { now: () => Date.now() };

// ---------------------------------------------------------------- index

export type ChildSort = 'name' | 'date' | 'size' | 'type';

export interface ChildPageQuery {
  sort?: ChildSort;          // default 'name' (case-insensitive)
  order?: 'asc' | 'desc';    // default 'asc'
  /** Folders first (Media Viewer), default true. */
  foldersFirst?: boolean;
  /** Keep only these media types (folders are kept too when foldersFirst and 'folder' is listed). */
  mediaTypes?: MediaType[];
  offset?: number;
  limit?: number;
  includeOffline?: boolean;  // default true: offline items are listed, flagged
}

export interface Page<T> { items: T[]; total: number }

/** A new or changed file/dir found by the scanner. Identity is (locationId, relPath). */
export interface ItemUpsert {
  locationId: number;
  libraryId: number;
  relPath: string;
  name: string;
  kind: 'dir' | 'file';
  mediaType: MediaType;
  mime?: string;
  size: number;
  mtimeMs: number;
}

export interface ItemBatch {
  upserts?: ItemUpsert[];
  /** Items to delete, with their whole subtree (a deleted directory). */
  removeIds?: number[];
  /** Renames detected by the scanner: keep id (and user data), change path/name/parent. */
  moves?: { id: number; relPath: string; name: string }[];
}

export interface ItemBatchResult {
  added: Item[];
  changed: Item[];
  removedIds: number[];
}

export interface ItemRepo {
  get(id: number): Item | undefined;
  getMany(ids: number[]): (Item | undefined)[];
  getByPath(locationId: number, relPath: string): Item | undefined;
  /** One page of a directory's children, as a range scan over an ordered index. */
  listChildren(parentId: number, query?: ChildPageQuery): Page<Item>;
  /** All children of a directory (for scan diffs), in name order, streamed. */
  iterateChildren(parentId: number): Iterable<Item>;
  /** Iterate every item of a library (paged internally; never loads all at once). */
  iterateLibrary(libraryId: number): Iterable<Item>;
  /**
   * Apply a scanner batch in ONE transaction: items, path index, children index, sort
   * indexes, search tokens, parent childCount and global counters change together, so a
   * crash at any moment leaves them consistent. Parents must exist or be in the same batch
   * (upserts are applied in order).
   */
  applyBatch(batch: ItemBatch): Promise<ItemBatchResult>;
  /** Mark every item of a location offline/online (one transaction). Returns count. */
  setLocationOffline(locationId: number, offline: boolean): Promise<number>;
  /** Items still waiting for a probe, oldest first, paged by id. */
  pendingProbe(afterId: number, limit: number): Item[];
  setProbe(id: number, state: ProbeState, probe?: ProbeInfo, error?: string): Promise<void>;
  /** Attach sidecars (subtitles, nfo) to a media item. */
  setSidecars(ownerId: number, sidecarIds: number[]): Promise<void>;
  /** Merge `meta` fields (metadata engine, manual edits). */
  updateMeta(id: number, meta: Record<string, unknown>, lockedFields?: string[]): Promise<Item | undefined>;
  /** Name search: items whose name tokens start with every query token. Index-backed. */
  searchByName(query: string, opts?: { libraryIds?: number[]; mediaTypes?: MediaType[]; kinds?: ItemKind[]; offset?: number; limit?: number }): Page<Item>;
  counters(): IndexCounters;
  /** Allocate an id for a virtual item (shares the item counter). */
  createVirtual(item: Omit<Item, 'id' | 'addedAt' | 'updatedAt'>): Promise<Item>;
  /** Merge meta into many items in ONE transaction (bulk identification); missing ids are skipped. Returns items changed. */
  updateMetaMany(updates: { id: number; meta: Record<string, unknown> }[]): Promise<number>;
  /** Per-library media file totals (kept incrementally; zeros for an empty library). */
  libraryCounters(libraryId: number): LibraryCounters;
  /**
   * Library media files (or virtual items of one kind) in metadata order: a range scan of
   * the metadata sort index with native offset/limit; total from kept counts.
   */
  listByMeta(query: MetaListQuery): Page<Item>;
  /** A virtual item by its match key (normalised title) and year, or by a provider id. */
  findVirtual(query: VirtualLookup): Item | undefined;
  /**
   * Items of a library that carry their own content rating or labels (meta.contentRating,
   * meta.labels), from the item-access index: what a rating/label restriction starts from.
   */
  contentMarked(libraryId: number): ContentMarked[];
  /**
   * Items whose rating and labels follow one of `ids` (their meta.virtualId, ownerId,
   * meta.showId or, for virtual items, parentId is in `ids`): one level, index-backed.
   */
  inheritorsOf(ids: Iterable<number>): number[];
}

export interface ContentMarked { id: number; contentRating?: string; labels: string[] }

export type MetaSort = 'title' | 'addedAt' | 'year' | 'size';

export interface MetaListQuery {
  /** Media files of this library only. */
  libraryId?: number;
  /** OmniLux media type: movie, tv, music, photo, ... */
  category?: string;
  /** List virtual items of this kind instead of files (libraryId optional). */
  virtualKind?: ItemKind;
  sort?: MetaSort;           // default 'title'
  order?: 'asc' | 'desc';    // default 'asc'
  offset?: number;
  limit?: number;
  /**
   * Leave these ids out of the page and the total (a restricted user's hidden items; keep
   * the set small: each id is read). The page is still found with native offsets.
   */
  excludeIds?: ReadonlySet<number>;
}

export type VirtualLookup =
  | { libraryId: number; kind: ItemKind; parentId: number; matchKey: string; year?: number }
  | { libraryId: number; kind: ItemKind; provider: 'tmdbId' | 'imdbId' | 'tvdbId'; providerId: string | number };

export interface LibraryRepo {
  list(): Library[];
  get(id: number): Library | undefined;
  getByUuid(uuid: string): Library | undefined;
  getByName(name: string): Library | undefined;
  /** Creates the library and, for each location, its root directory item. */
  create(input: { name: string; type: Library['type']; purpose?: Library['purpose']; locations: { rootId: number; path: string }[]; settings?: Record<string, unknown> }): Promise<Library>;
  update(id: number, patch: Partial<Pick<Library, 'name' | 'type' | 'settings'>>): Promise<Library>;
  /** Removes the library and all its items and their user data. Never touches files. */
  remove(id: number): Promise<void>;
  updateLocation(libraryId: number, locationId: number, patch: Partial<Pick<LibraryLocation, 'online' | 'lastError' | 'lastScanAt'>>): Promise<void>;
}

export interface RootRepo {
  list(): StorageRoot[];
  get(id: number): StorageRoot | undefined;
  getByUrl(url: string): StorageRoot | undefined;
  create(input: Omit<StorageRoot, 'id' | 'createdAt'>): Promise<StorageRoot>;
  update(id: number, patch: Partial<Omit<StorageRoot, 'id'>>): Promise<StorageRoot>;
  remove(id: number): Promise<void>;
}

export interface UserRepo {
  list(): User[];
  get(id: number): User | undefined;
  getByUsername(username: string): User | undefined;   // case-insensitive
  count(): number;
  countAdmins(): number;
  create(input: Omit<User, 'id' | 'createdAt' | 'updatedAt'>): Promise<User>;
  update(id: number, patch: Partial<Omit<User, 'id' | 'createdAt'>>): Promise<User>;
  /** Deletes the user, their sessions and their per-user data in one transaction. */
  remove(id: number): Promise<void>;
}

export interface SessionRepo {
  get(id: string): Session | undefined;
  create(session: Session): Promise<void>;
  touch(id: string, lastSeenAt: number, expiresAt: number): Promise<void>;
  remove(id: string): Promise<void>;
  /** Remove all sessions of a user except `keepId`. Returns how many died. */
  removeForUser(userId: number, keepId?: string): Promise<number>;
  listForUser(userId: number): Session[];
  purgeExpired(now: number): Promise<number>;
  count(): number;
}

export interface ScanRepo {
  start(record: Omit<ScanRecord, 'id'>): Promise<ScanRecord>;
  finish(id: number, patch: Partial<ScanRecord>): Promise<void>;
  list(libraryId?: number, limit?: number): ScanRecord[];
}

/**
 * Generic JSON records grouped in named collections, ordered by id within a collection (a
 * range scan). For small feature data sets that need no secondary index (Catalogizer error
 * reports, log collections and their entries, profiles, wizard progress). Ids are numbers
 * (allocated by `insert`, ascending) or strings chosen by the caller (`put`).
 */
export interface RecordRepo {
  get<T>(collection: string, id: number | string): T | undefined;
  /** Allocate the next numeric id of `collection` and store `build(id)` in one transaction. */
  insert<T>(collection: string, build: (id: number) => T): Promise<T>;
  /** Store many records with fresh ids in one transaction; returns the first id. */
  insertMany(collection: string, values: unknown[]): Promise<number>;
  put(collection: string, id: number | string, value: unknown): Promise<void>;
  remove(collection: string, id: number | string): Promise<boolean>;
  /** Remove every record of `collection` (in chunks). Returns how many went. */
  removeCollection(collection: string): Promise<number>;
  /** Records in id order (numbers before strings); `reverse` for newest first. */
  scan<T>(collection: string, options?: { reverse?: boolean; offset?: number; limit?: number }): Iterable<{ id: number | string; value: T }>;
  count(collection: string): number;
}

/** A tiny key/value area for settings and per-feature state (JSON values). */
export interface KvRepo {
  get<T>(key: string): T | undefined;
  put(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
}

/**
 * Tags: shared library data. Names are trimmed and matched case-insensitively (the tag's
 * `key`); the first spelling is kept for display. Links go both ways (tag -> items, item
 * -> tags) and each tag's itemCount changes in the same transaction as its links. Removing
 * an item (applyBatch, library purge) removes its links in that same transaction. Tags
 * left with no items are kept (listed by `unused`) until deleted.
 */
export interface TagRepo {
  /** Every tag, sorted by name (case-insensitive). */
  list(): Tag[];
  get(id: number): Tag | undefined;
  /** By name, case-insensitively. */
  getByName(name: string): Tag | undefined;
  count(): number;
  /** Tags of one item, sorted by name. */
  tagsOf(itemId: number): Tag[];
  /** Ids of the items carrying a tag, ascending, paged by id (never loads all at once). */
  itemIdsOf(tagId: number, afterItemId?: number, limit?: number): number[];
  hasTag(itemId: number, tagId: number): boolean;
  /**
   * Link `name` (created on demand; ValidationError when empty or longer than
   * MAX_TAG_NAME) to every existing item of `itemIds` in ONE transaction. Already linked
   * items are no-ops; ids not in the index are returned in `missing`.
   */
  add(itemIds: number[], name: string): Promise<{ tag: Tag; added: number; missing: number[] }>;
  /** Unlink a tag from items (one transaction); unknown tag or link: nothing happens. Returns links removed. */
  remove(itemIds: number[], name: string): Promise<number>;
  /** Replace an item's tags with `names` (one transaction). NotFoundError when the item is missing. */
  setTags(itemId: number, names: string[]): Promise<Tag[]>;
  /** Rename / recolor. ConflictError when the new name matches another tag. */
  update(id: number, patch: { name?: string; color?: string | null }): Promise<Tag>;
  /** Delete a tag and all its links (one transaction). Returns the number of items it was on. */
  delete(id: number): Promise<number>;
}

/**
 * Favorites: per-user marks on items, keyed [userId, itemId] with a reverse [itemId, userId]
 * index. Removing an item or a user removes its favorites in the same transaction.
 */
export interface FavoriteRepo {
  /** A user's favorites, newest first. */
  list(userId: number): { itemId: number; createdAt: number }[];
  has(userId: number, itemId: number): boolean;
  /** Mark items (one transaction); existing marks are kept; ids not in the index are returned. */
  add(userId: number, itemIds: number[]): Promise<{ added: number; missing: number[] }>;
  /** Unmark items (one transaction). Returns how many marks were removed. */
  remove(userId: number, itemIds: number[]): Promise<number>;
  /** Favorites of one user, or of everyone. */
  count(userId?: number): number;
}

/**
 * Watch progress of one user on one item (h3xed home surface). Items are the metadata item
 * a client plays (movie, episode, track; a file without one). Times in ms.
 */
export interface WatchProgress {
  itemId: number;
  /** Resume point; 0 once watched (the next play starts over). */
  offsetMs: number;
  /** Duration known when the progress was written (0 = unknown). */
  durationMs: number;
  watched: boolean;
  /** Completed plays. */
  viewCount: number;
  /** When the user last played or marked it (ms). */
  lastViewedAt: number;
  updatedAt: number;
}

/**
 * Per-user watch progress: [userId, itemId] records, a reverse [itemId, userId] index (item
 * removal) and a recency index [userId, updatedAt, itemId] (continue watching). Removing
 * an item or a user removes its progress in the same transaction.
 */
export interface ProgressRepo {
  get(userId: number, itemId: number): WatchProgress | undefined;
  getMany(userId: number, itemIds: number[]): (WatchProgress | undefined)[];
  /** A user's progress, most recently updated first (a reverse range scan). */
  recent(userId: number, limit?: number): Iterable<WatchProgress>;
  /**
   * Write many records in ONE transaction (write-behind flushes). Entries whose user or item
   * is not in the index are skipped; returns how many were written.
   */
  putMany(entries: { userId: number; progress: WatchProgress }[]): Promise<number>;
  /** Remove a user's progress on items (one transaction). Returns how many went. */
  remove(userId: number, itemIds: number[]): Promise<number>;
  /** Records of one user, or of everyone. */
  count(userId?: number): number;
}

/** Per-user watchlist: [userId, itemId] -> addedAt with a reverse index; same removal rules as favorites. */
export interface WatchlistRepo {
  /** Newest first. */
  list(userId: number): { itemId: number; addedAt: number }[];
  has(userId: number, itemId: number): boolean;
  /** false when already listed; NotFoundError when the item is not in the index. */
  add(userId: number, itemId: number): Promise<boolean>;
  remove(userId: number, itemId: number): Promise<boolean>;
  count(userId?: number): number;
}

/** An invitation to create an account (h3xed). The token is never stored, only its sha256. */
export interface Invite {
  id: string;
  tokenHash: string;
  createdBy: number;
  createdAt: number;
  /** ms; undefined = never expires. */
  expiresAt?: number;
  /** 0 = unlimited. */
  maxUses: number;
  uses: number;
  /** Libraries the new accounts may see (undefined = all). */
  libraryIds?: number[];
  role: string;
  note?: string;
  revokedAt?: number;
  /** Accounts created through this invite. */
  usedBy: number[];
}

export interface InviteRepo {
  create(invite: Invite): Promise<Invite>;
  get(id: string): Invite | undefined;
  getByTokenHash(tokenHash: string): Invite | undefined;
  /** Newest first. */
  list(): Invite[];
  /** Mark revoked (kept for the record). NotFoundError when missing. */
  revoke(id: string, at: number): Promise<Invite>;
  /**
   * Take one use atomically: ConflictError (INVITE_REVOKED / INVITE_EXPIRED / INVITE_USED_UP)
   * when it may not be used at `now`; otherwise uses+1 and userId recorded.
   */
  consume(id: string, userId: number, now: number): Promise<Invite>;
  remove(id: string): Promise<boolean>;
}

export interface IndexStore {
  readonly items: ItemRepo;
  readonly libraries: LibraryRepo;
  readonly roots: RootRepo;
  readonly users: UserRepo;
  readonly sessions: SessionRepo;
  readonly scans: ScanRepo;
  readonly kv: KvRepo;
  readonly tags: TagRepo;
  readonly favorites: FavoriteRepo;
  /** Home surface per-user data (h3xed): watch progress, watchlist; invites. */
  readonly progress: ProgressRepo;
  readonly watchlist: WatchlistRepo;
  readonly invites: InviteRepo;
  /** Schema version after migrations. */
  readonly schemaVersion: number;
  /**
   * A number that changes after every committed write (any repo). Caches of derived data
   * key on it to never outlive a write. Optional: fakes without it simply disable caching.
   */
  writeGeneration?(): number;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- media

/** Probes one file. `localPath` when the bytes are local; otherwise a ranged reader. */
export interface ProbeSource {
  name: string;
  mediaType: MediaType;
  size: number;
  localPath?: string;
  /** Open a ranged stream (remote roots). */
  open?: (start: number, end?: number, signal?: AbortSignal) => Promise<NodeJS.ReadableStream>;
}

export interface Prober {
  probe(source: ProbeSource, signal?: AbortSignal): Promise<ProbeInfo>;
}

export interface ThumbnailRequest {
  /** Identity for the cache key: stable id of the source + size + mtime. */
  key: { id: string; size: number; mtimeMs: number };
  source: ProbeSource;
  /** Longest edge in px. */
  width: number;
  durationMs?: number;
  format?: 'jpeg' | 'webp' | 'png';
}

export interface Thumbnail {
  /** Path of the cached file. */
  path: string;
  contentType: string;
  size: number;
  etag: string;
  mtimeMs: number;
}

export interface Thumbnailer {
  /** Generates (once, even when asked concurrently) or returns the cached thumbnail. */
  get(request: ThumbnailRequest, signal?: AbortSignal): Promise<Thumbnail>;
  /** Drop every cached thumbnail. */
  clear(): Promise<void>;
}

// ---------------------------------------------------------------- events

/** Server events (the WebSocket issue publishes them; tests listen). */
export type ServerEvent =
  | { type: 'scan.started'; libraryId: number; scanId: number; kind: string }
  | { type: 'scan.progress'; libraryId: number; scanId: number; phase: 'walk' | 'probe'; done: number; total?: number; currentPath?: string }
  | { type: 'scan.finished'; libraryId: number; scanId: number; status: string; added: number; changed: number; removed: number; durationMs: number }
  | { type: 'items.added' | 'items.changed'; libraryId: number; ids: number[] }
  | { type: 'items.removed'; libraryId: number; ids: number[] }
  | { type: 'library.offline' | 'library.online'; libraryId: number; locationId: number; error?: string }
  | { type: 'job.progress'; job: string; done: number; total?: number; state: 'running' | 'done' | 'failed' | 'cancelled' }
  | { type: 'users.changed'; userId: number; change: 'created' | 'updated' | 'removed' }
  /** HLS transcode sessions: started (with what), ended (DELETE, idle reap, eviction, shutdown). */
  | { type: 'transcode.started'; sessionId: string; fileId: number; userId: number; method: string; sessions: number }
  | { type: 'transcode.ended'; sessionId: string; fileId: number; userId: number; reason: 'stopped' | 'idle' | 'shutdown'; sessions: number };

export interface EventBus {
  emit(event: ServerEvent): void;
  on(listener: (event: ServerEvent) => void): () => void;
}

// ---------------------------------------------------------------- catalog (Catalogizer statistics)

/**
 * Per-library catalog totals, kept in the item write transaction (index/catalog-counters.ts).
 * sizes: tiny (<1 KiB), small (<1 MiB), medium (<10 MiB), large (<100 MiB), huge (<1 GiB), massive.
 * ext: '.mkv' -> [count, bytes, mediaType]; months: 'YYYY-MM' of addedAt -> [files, bytes].
 */
export interface CatalogCounters {
  files: number;
  dirs: number;
  bytes: number;
  sizes: number[];
  ext: Record<string, [number, number, string]>;
  months: Record<string, [number, number]>;
}

/** Cached content hashes of a file, valid while size and mtime are unchanged. */
export interface FileHashes { size: number; mtimeMs: number; partial?: string; full?: string }

/** One set of files with identical content (same size, partial hash and full hash). */
export interface DuplicateGroup { hash: string; size: number; ids: number[] }

/** The duplicate detector's last result for a library. */
export interface DuplicateResult { libraryId: number; computedAt: number; groups: DuplicateGroup[]; filesHashed: number; bytesRead: number }

export interface CatalogRepo {
  /** Counters of one library (zeros when empty). */
  counters(libraryId: number): CatalogCounters;
  hashes(itemId: number): FileHashes | undefined;
  putHashes(itemId: number, hashes: FileHashes): Promise<void>;
  duplicates(libraryId: number): DuplicateResult | undefined;
  putDuplicates(result: DuplicateResult): Promise<void>;
}

/** Recorded reads (downloads, streams): daily buckets and per-item last access. */
export interface AccessRepo {
  record(item: Item, at: number): Promise<void>;
  /** Reads per day (UTC day number = floor(ms / 86,400,000)) in [fromDay, toDay] of a library (0 = all). */
  daily(libraryId: number, fromDay: number, toDay: number): Map<number, number>;
  /** Distinct items read since `sinceDay` (inclusive) in a library (0 = all). */
  recentlyAccessed(libraryId: number, sinceDay: number): number;
  /** Distinct items ever read in a library (0 = all). */
  accessedItems(libraryId: number): number;
  /** Most read extensions and parent folders (all time), highest first. */
  top(libraryId: number, kind: 'ext' | 'dir', limit: number): { key: string | number; count: number }[];
  /**
   * Items read since `sinceDay` (inclusive, all libraries) with their reads in that range and
   * their last read day; at most `cap` items, in last-read-day order (trending).
   */
  readsSince(sinceDay: number, cap?: number): { itemId: number; reads: number; lastDay: number }[];
}
