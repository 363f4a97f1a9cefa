/**
 * In-process composition for benchmarks that measure services rather than HTTP: a real
 * LMDB index in a scratch dir, a storage root and one library over a local folder, the
 * real ScanService, and (optionally) the real ProbeJob + ProbeService, wired the way the
 * daemon wires them.
 */
import { join } from 'node:path';
import { openIndexStore, type LmdbIndexStore } from '../../daemon/index/lmdb-store.js';
import type { Library } from '../../daemon/domain/types.js';
import { InProcessEventBus } from '../../daemon/services/event-bus.js';
import { silentLogger } from '../../daemon/log/logger.js';
import { ScanService, type ScanServiceOptions } from '../../daemon/scanner/scan.service.js';
import { ProbeJob } from '../../daemon/jobs/probe.job.js';
import { ProbeService } from '../../daemon/media/probe.service.js';
import { locateMediaTools, type MediaTools } from '../../daemon/media/tools.js';
import { LocalAdapter } from '../../storage-adapters/local/local.adapter.js';

export interface InProcLibrary {
  store: LmdbIndexStore;
  library: Library;
  scanner: ScanService;
  /** Present when built with `probe`. */
  probeJob?: ProbeJob;
  tools?: MediaTools;
  close(): Promise<void>;
}

export interface InProcOptions {
  /** Scratch dir for the index. */
  dir: string;
  /** Local folder the library covers. */
  mediaRoot: string;
  /** Wire a ProbeJob (concurrency = probe concurrency, default 2 as in the daemon config). */
  probe?: { concurrency?: number; preferBundledFfprobe?: boolean };
  /** ScanService options (batch size, walk concurrency); the daemon's defaults when absent. */
  scan?: ScanServiceOptions;
}

export async function openInProcLibrary(o: InProcOptions): Promise<InProcLibrary> {
  const logger = silentLogger();
  const store = await openIndexStore({ path: join(o.dir, 'index'), logger });
  const adapter = new LocalAdapter(o.mediaRoot);
  const root = await store.roots.create({ url: adapter.displayUrl, scheme: 'file', name: 'bench', status: 'online' });
  const library = await store.libraries.create({ name: 'Bench', type: 'mixed', locations: [{ rootId: root.id, path: '' }] });
  const events = new InProcessEventBus();
  const getAdapter = async (rootId: number): Promise<LocalAdapter> => {
    if (rootId !== root.id) throw new Error(`unknown root ${rootId}`);
    return adapter;
  };
  let probeJob: ProbeJob | undefined;
  let tools: MediaTools | undefined;
  if (o.probe) {
    tools = await locateMediaTools(logger, { preferBundledFfprobe: o.probe.preferBundledFfprobe ?? true });
    const prober = new ProbeService(tools, logger, { ffprobeConcurrency: o.probe.concurrency ?? 2 });
    probeJob = new ProbeJob({ index: store, prober, getAdapter, events, logger, options: { concurrency: o.probe.concurrency ?? 2 } });
  }
  const job = probeJob;
  const scanner = new ScanService({ index: store, getAdapter, events, logger, probeQueue: job ? { kick: () => job.kick() } : undefined, options: o.scan });
  return {
    store, library, scanner, probeJob, tools,
    close: async () => {
      await job?.stop();
      await adapter.close();
      await store.close();
    },
  };
}
