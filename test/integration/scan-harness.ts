/**
 * Shared set-up for the scanner integration tests (scan-*.test.ts): a real LMDB index in a
 * temp dir, one library whose single location is served by the given adapter, an event
 * recorder, and an applyBatch call counter (a Proxy over the real ItemRepo, so "no writes"
 * can be checked without poking into LMDB).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { openIndexStore, type LmdbIndexStore } from '../../daemon/index/lmdb-store.js';
import type { IndexStore, ItemRepo, ServerEvent } from '../../daemon/domain/ports.js';
import type { Item, Library, StorageRoot } from '../../daemon/domain/types.js';
import { InProcessEventBus } from '../../daemon/services/event-bus.js';
import { silentLogger } from '../../daemon/log/logger.js';
import { ScanService, type ScanServiceOptions, type ProbeKicker } from '../../daemon/scanner/scan.service.js';
import type { StorageAdapter } from '../../storage-adapters/types.js';

export interface ScanEnv {
  dir: string;
  store: LmdbIndexStore;
  /** The store as the scanner sees it (items wrapped to count applyBatch calls). */
  index: IndexStore;
  events: InProcessEventBus;
  seen: ServerEvent[];
  library: Library;
  root: StorageRoot;
  adapter: StorageAdapter;
  getAdapter: (rootId: number) => Promise<StorageAdapter>;
  sut: ScanService;
  applyBatchCalls: () => number;
  /** Items of the library by relPath (dirs and files, root excluded). */
  tree: () => Map<string, Item>;
  /** Current library record (locations' online flags change). */
  lib: () => Library;
}

export interface ScanEnvOptions {
  adapter: StorageAdapter;
  url?: string;
  scanOptions?: ScanServiceOptions;
  probeQueue?: ProbeKicker;
  locationPath?: string;
}

export async function makeScanEnv(t: Test, options: ScanEnvOptions): Promise<ScanEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-scan-idx-'));
  const store = await openIndexStore({ path: join(dir, 'index') });
  t.teardown(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  let calls = 0;
  const items = new Proxy(store.items, {
    get(target, prop, receiver) {
      if (prop === 'applyBatch') {
        return (batch: Parameters<ItemRepo['applyBatch']>[0]) => { calls++; return target.applyBatch(batch); };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const index: IndexStore = {
    items, libraries: store.libraries, roots: store.roots, users: store.users, sessions: store.sessions,
    scans: store.scans, kv: store.kv, tags: store.tags, favorites: store.favorites,
    progress: store.progress, watchlist: store.watchlist, invites: store.invites,
    schemaVersion: store.schemaVersion, close: () => store.close(),
  };
  const scheme = options.adapter.scheme === 'file' ? 'file' : 'webdav';
  const root = await store.roots.create({ url: options.url ?? options.adapter.displayUrl, scheme, name: 'media', status: 'online' });
  const library = await store.libraries.create({ name: 'Media', type: 'mixed', locations: [{ rootId: root.id, path: options.locationPath ?? '' }] });
  const events = new InProcessEventBus();
  const seen: ServerEvent[] = [];
  events.on((e) => seen.push(e));
  const getAdapter = async (rootId: number): Promise<StorageAdapter> => {
    if (rootId !== root.id) throw new Error(`unknown root ${rootId}`);
    return options.adapter;
  };
  const sut = new ScanService({
    index, getAdapter, events, logger: silentLogger(), probeQueue: options.probeQueue, options: options.scanOptions,
  });
  const lib = (): Library => store.libraries.get(library.id) as Library;
  const tree = (): Map<string, Item> => {
    const map = new Map<string, Item>();
    for (const item of store.items.iterateLibrary(library.id)) if (item.relPath !== '') map.set(item.relPath, item);
    return map;
  };
  return {
    dir, store, index, events, seen, library, root, adapter: options.adapter, getAdapter, sut,
    applyBatchCalls: () => calls, tree, lib,
  };
}

/** Events of one type, typed. */
export function eventsOf<T extends ServerEvent['type']>(seen: ServerEvent[], type: T): (ServerEvent & { type: T })[] {
  return seen.filter((e): e is ServerEvent & { type: T } => e.type === type);
}
