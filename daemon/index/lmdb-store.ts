/**
 * openIndexStore: the composition root of daemon/index. Opens the LMDB environment (a
 * directory, created if missing), runs migrations, resumes interrupted library purges and
 * hands out the repos. One process opens an index at a time (the in-memory counters are
 * the writer's copy).
 */
import { mkdir } from 'node:fs/promises';
import { systemClock, type Clock, type IndexStore } from '../domain/ports.js';
import type { IndexCounters } from '../domain/types.js';
import type { Logger } from '../log/logger.js';
import { emptyCounters } from './counters.js';
import { defaultMapSize, openDbs, type IndexDbs, type IndexState } from './env.js';
import { MapRelease, type MapReleaseOptions } from './map-release.js';
import { LmdbItemRepo } from './item.repo.js';
import { LmdbKvRepo } from './kv.repo.js';
import { LmdbLibraryRepo, resumeLibraryPurges } from './library.repo.js';
import { runMigrations } from './migrations.js';
import { LmdbRootRepo } from './root.repo.js';
import { LmdbScanRepo } from './scan.repo.js';
import { LmdbSessionRepo } from './session.repo.js';
import { LmdbUserRepo } from './user.repo.js';
import { LmdbTagRepo } from './tag.repo.js';
import { LmdbFavoriteRepo } from './favorite.repo.js';
import { LmdbProgressRepo } from './progress.repo.js';
import { LmdbWatchlistRepo } from './watchlist.repo.js';
import { LmdbInviteRepo } from './invite.repo.js';
import { META_COUNTERS } from './keys.js';
import { LmdbRecordRepo } from './record.repo.js';
import type { RecordRepo } from '../domain/ports.js';

export interface OpenIndexStoreOptions {
  /** Directory of the LMDB environment (data.mdb, lock.mdb). */
  path: string;
  logger?: Logger;
  clock?: Clock;
  /** Initial map size (default: env.ts defaultMapSize); LMDB grows it as needed. */
  mapSizeBytes?: number;
  /**
   * Close and reopen the environment once writes have gone quiet after a burst, so the
   * map pages the burst touched leave RSS (map-release.ts). Off unless given; the daemon
   * turns it on.
   */
  releaseMapWhenIdle?: MapReleaseOptions | boolean;
}

/** The IndexStore plus access for index-internal tools (verify.ts, benchmarks). */
export interface LmdbIndexStore extends IndexStore {
  readonly path: string;
  /** @internal for daemon/index tools only (verify); services must use the repos. */
  readonly dbs: IndexDbs;
  /** Generic JSON records by collection (Catalogizer reports, logs, profiles, ...). */
  readonly records: RecordRepo;
  /** @internal present when releaseMapWhenIdle was given (tests, benchmarks). */
  readonly mapRelease?: MapRelease;
}

export async function openIndexStore(options: OpenIndexStoreOptions): Promise<LmdbIndexStore> {
  await mkdir(options.path, { recursive: true });
  const clock = options.clock ?? systemClock;
  const log = options.logger?.child({ component: 'index' });
  const mapSize = options.mapSizeBytes ?? defaultMapSize();
  const dbs = openDbs(options.path, mapSize);
  // Created first, so it sees every env.on(...) registration (it replays them on reopen).
  const release = options.releaseMapWhenIdle;
  const mapRelease = release ? new MapRelease(dbs, options.path, mapSize, release === true ? {} : release, log) : undefined;
  let schemaVersion: number;
  let state: IndexState;
  try {
    schemaVersion = runMigrations(dbs, { logger: log, path: options.path }).to;
    const counters = (dbs.meta.get(META_COUNTERS) as IndexCounters | undefined) ?? emptyCounters();
    state = { dbs, counters, now: () => clock.now() };
    const resumed = resumeLibraryPurges(state);
    if (resumed.length) log?.info({ libraryIds: resumed }, 'finished interrupted library removals');
  } catch (err) {
    await mapRelease?.close();
    await dbs.env.close();
    throw err;
  }
  let closed = false;
  mapRelease?.start();
  return {
    path: options.path,
    dbs,
    schemaVersion,
    items: new LmdbItemRepo(state),
    libraries: new LmdbLibraryRepo(state),
    roots: new LmdbRootRepo(state),
    users: new LmdbUserRepo(state),
    sessions: new LmdbSessionRepo(state),
    scans: new LmdbScanRepo(state),
    kv: new LmdbKvRepo(state),
    tags: new LmdbTagRepo(state),
    favorites: new LmdbFavoriteRepo(state),
    progress: new LmdbProgressRepo(state),
    watchlist: new LmdbWatchlistRepo(state),
    invites: new LmdbInviteRepo(state),
    records: new LmdbRecordRepo(state),
    mapRelease,
    async close() {
      if (closed) return;
      closed = true;
      await mapRelease?.close();
      await dbs.env.flushed;
      await dbs.env.close();
    },
  };
}
