/**
 * Builds the Catalogizer catalog-side services (catalog, search, download, copy, storage,
 * scans, SMB discovery, statistics, duplicates) from the app's core services. The index
 * repos they need (catalog counters, hashes, access log) are opened here from the store.
 */
import { tmpdir } from 'node:os';
import type { EventBus } from '../../../domain/ports.js';
import type { Logger } from '../../../log/logger.js';
import type { LmdbIndexStore } from '../../../index/lmdb-store.js';
import { openCatalogRepos } from '../../../index/catalog.repo.js';
import type { LmdbAccessRepo } from '../../../index/access.repo.js';
import type { VirtualPathService } from '../../browse/virtual-path.service.js';
import type { StorageRootService } from '../../storage/storage-root.service.js';
import type { ScanService } from '../../../scanner/scan.service.js';
import { CatalogService } from './catalog.service.js';
import { DownloadService } from '../download/download.service.js';
import { CopyService } from '../copy/copy.service.js';
import { CatalogStorageService } from '../storage/storage.service.js';
import { ScanJobService } from '../storage/scan-jobs.service.js';
import { SmbDiscoveryService } from '../storage/smb.service.js';
import { CatalogStatsService } from '../stats/stats.service.js';
import { DuplicateService } from '../duplicates/duplicate.service.js';

export interface CatalogDeps {
  index: LmdbIndexStore;
  virtualPaths: VirtualPathService;
  roots: StorageRootService;
  scans: ScanService;
  events: EventBus;
  logger: Logger;
  /** Largest archive served (bytes, 0 = no limit). */
  maxArchiveBytes?: number;
  /** Where uploads whose destination arrives after the file are spooled (default os tmpdir). */
  spoolDir?: string;
}

export interface CatalogServices {
  catalog: CatalogService;
  download: DownloadService;
  copy: CopyService;
  /** Folder for upload spooling (see CatalogDeps.spoolDir). */
  spoolDir: string;
  storage: CatalogStorageService;
  scanJobs: ScanJobService;
  smb: SmbDiscoveryService;
  stats: CatalogStatsService;
  duplicates: DuplicateService;
  access: LmdbAccessRepo;
  stop(): Promise<void>;
}

export function createCatalogServices(deps: CatalogDeps): CatalogServices {
  const log = deps.logger.child({ component: 'catalogizer-catalog' });
  const { catalog: catalogRepo, access, backfilled } = openCatalogRepos(deps.index);
  if (backfilled >= 0) log.info({ items: backfilled }, 'catalog counters backfilled');
  const getAdapter = (rootId: number) => deps.roots.getAdapter(rootId);
  const duplicates = new DuplicateService(deps.index, catalogRepo, getAdapter, deps.events, log);
  duplicates.start();
  // Libraries without a result yet get one soon after start (bounded I/O, in the background).
  for (const lib of deps.index.libraries.list()) if (lib.purpose === 'library' && !catalogRepo.duplicates(lib.id)) duplicates.schedule(lib.id, 10_000);
  const scanJobs = new ScanJobService(deps.index, deps.scans, deps.events);
  return {
    catalog: new CatalogService(deps.index, deps.virtualPaths, catalogRepo),
    spoolDir: deps.spoolDir ?? tmpdir(),
    download: new DownloadService(deps.index, deps.virtualPaths, getAdapter, access, { maxArchiveBytes: deps.maxArchiveBytes }),
    copy: new CopyService(deps.index, getAdapter, deps.events),
    storage: new CatalogStorageService(deps.index, deps.roots),
    scanJobs,
    smb: new SmbDiscoveryService(),
    stats: new CatalogStatsService(deps.index, catalogRepo, access),
    duplicates,
    access,
    async stop() { scanJobs.close(); await duplicates.stop(); },
  };
}
