/**
 * The composition root as a class: builds every service from the frozen config, starts
 * them in order, and owns shutdown. main.ts adds process concerns (argv, signals, exit).
 *
 * Start order: HTTP listens first with only the system routes (so /livez answers and
 * /readyz says 503), then the index opens, services are built, API routes registered,
 * readiness flips, and background work (startup scans, watchers, probing) begins.
 * Stop order is the reverse; every step is bounded so a stuck part cannot hang shutdown.
 */
import { chmod, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { AlcoveConfig } from './config/schema.js';
import { derivePaths, type DaemonPaths } from './config/paths.js';
import type { Logger } from './log/logger.js';
import { HttpServer, assertNativeUws } from './http/server.js';
import { flushPendingAccessLogs } from './http/access-log.js';
import { HttpMetrics, addGauge, createMetricsRegistry } from './http/metrics.js';
import { registerSystemRoutes } from './http/routes/system.routes.js';
import { registerApiRoutes } from './http/routes/index.js';
import { openIndexStore, type LmdbIndexStore } from './index/lmdb-store.js';
import { compactHeap } from './system/heap-compact.js';
import { withWriteGeneration } from './index/write-generation.js';
import { InProcessEventBus } from './services/event-bus.js';
import { SystemService } from './services/system/system.service.js';
import { createAuthServices, type AuthServices } from './services/auth/create-auth.js';
import { loadOrCreateSecretKey } from './services/auth/tokens.js';
import { SecretBox } from './services/storage/secret-box.js';
import { StorageRootService } from './services/storage/storage-root.service.js';
import { LibraryService } from './services/libraries/library.service.js';
import { ScanStatusService } from './services/scans/scan-status.service.js';
import { VirtualPathService } from './services/browse/virtual-path.service.js';
import { locateMediaTools } from './media/tools.js';
import { ProbeService } from './media/probe.service.js';
import { ThumbnailService, composeFolderGrid } from './media/thumbnail.service.js';
import { ScanService } from './scanner/scan.service.js';
import { WatchService } from './scanner/watch.service.js';
import { RootHealthService } from './services/storage/root-health.service.js';
import { RequestPacer } from './services/storage/request-pacer.js';
import { ProbeJob } from './jobs/probe.job.js';
import { ReviewService } from './services/review/review.service.js';
import { createMediaViewerServices, type MediaViewerServices } from './services/media-viewer/create-media-viewer.js';
import { attachWebSocket, type WebSocketHub } from './http/ws.js';
import { RealtimeService } from './services/realtime/realtime.service.js';
import type { LogTap } from './log/log-tap.js';
import { createPlaybackServices, type PlaybackServices } from './services/playback/create-playback.js';
import { createProductionRegistry } from '../storage-adapters/registry.js';
import { createCatalogizerLimits, type AdjustableCatalogizerLimits } from './services/catalogizer/config/limits.js';
import { createCatalogizerCore, type CatalogizerCore } from './services/catalogizer/create-catalogizer-core.js';
import { createStatusProbe } from './services/catalogizer/config/status-probe.js';
import { createCatalogServices, type CatalogServices } from './services/catalogizer/catalog/create-catalog.js';
import { ConversionService } from './services/catalogizer/conversion/conversion.service.js';
import { LibraryPaths } from './services/catalogizer/conversion/library-paths.js';
import { createCatalogizerSubtitles } from './services/catalogizer/subtitles/create-subtitles.js';
import type { CatalogizerSubtitleService } from './services/catalogizer/subtitles/subtitle.service.js';
import { createCatalogizerMediaServices, type CatalogizerMediaServices } from './services/catalogizer/media/create-media.js';
import { createLibraryApiServices, type LibraryApiServices } from './services/library-api/create-library-api.js';
import { MdnsAnnouncer } from './discovery/mdns.js';
import { loadDnsSdBackend } from './discovery/dns-sd.adapter.js';
import type { ServiceAnnouncer } from './discovery/announcer.port.js';
import { createHomeServices, type HomeServices } from './services/home/create-home.js';

/** Everything the API route modules may use. Built once the index is open. */
export interface AppServices {
  config: Readonly<AlcoveConfig>;
  paths: DaemonPaths;
  logger: Logger;
  index: LmdbIndexStore;
  events: InProcessEventBus;
  system: SystemService;
  auth: AuthServices;
  roots: StorageRootService;
  libraries: LibraryService;
  virtualPaths: VirtualPathService;
  scans: ScanService;
  scanStatus: ScanStatusService;
  probeJob: ProbeJob;
  thumbnails: ThumbnailService;
  prober: ProbeService;
  /** Media Reviewer: review paths, listings, actions, empty-trash, freedesktop thumbnails. */
  review: ReviewService;
  /** Media Viewer: browse, tags, favorites, search, thumbnails, stats (seed 000). */
  mediaViewer: MediaViewerServices;
  /** h3xed playback: direct play, decisions, HLS transcodes, subtitles, hardware (seed 004). */
  playback: PlaybackServices;
  /** Metadata engine (identification, TMDb) and the OmniLux library API (seed 002). */
  libraryApi: LibraryApiServices;
  /** h3xed home surface beyond playback: progress, watchlist, invites, browsing, users (seed 004). */
  home: HomeServices;
  /** Catalogizer /api/v1 per-IP rate limiters, shared by every route module of that surface. */
  catalogizerLimits: AdjustableCatalogizerLimits;
  /** Catalogizer auth, users, configuration/wizard, error reports, log management (seed 003). */
  catalogizerCore: CatalogizerCore;
  /** Catalogizer catalog, search, download, copy, storage, scans, SMB, stats, duplicates. */
  catalog: CatalogServices;
  /** Catalogizer conversion jobs (ffmpeg, bounded queue, persisted). */
  conversion: ConversionService;
  /** Catalogizer subtitles: tracks, OpenSubtitles, upload, sync verification, translation. */
  catalogizerSubtitles: CatalogizerSubtitleService;
  /** Catalogizer media items, search, stats and recommendations. */
  catalogizerMedia: CatalogizerMediaServices;
  /** The daemon's own recent log lines (may be absent in tests). */
  logs?: LogTap;
}

async function readBuildInfo(): Promise<{ version: string; commit: string; buildTime: string }> {
  try {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return { version: pkg.version ?? 'dev', commit: process.env.ALCOVE_COMMIT ?? 'unknown', buildTime: process.env.ALCOVE_BUILD_TIME ?? 'unknown' };
  } catch {
    return { version: 'dev', commit: 'unknown', buildTime: 'unknown' };
  }
}

export class AlcoveApp {
  readonly paths: DaemonPaths;
  readonly events = new InProcessEventBus();
  private http?: HttpServer;
  private services?: AppServices;
  private watch?: WatchService;
  private rootHealth?: RootHealthService;
  private ws?: WebSocketHub;
  private announcer?: ServiceAnnouncer;
  private readonly background = new AbortController();
  private port = 0;

  constructor(
    private readonly config: Readonly<AlcoveConfig>,
    private readonly logger: Logger,
    private readonly logTap?: LogTap,
  ) {
    this.paths = derivePaths(config.stateDir, config.cacheDir);
    // Readers of the in-process log (/api/logs, log collections) see access lines at once.
    logTap?.beforeRead(flushPendingAccessLogs);
  }

  get listeningPort(): number { return this.port; }
  get api(): AppServices | undefined { return this.services; }

  async start(): Promise<void> {
    const { config, logger, paths } = this;
    assertNativeUws();
    await mkdir(paths.stateDir, { recursive: true, mode: 0o750 });
    await mkdir(paths.cacheDir, { recursive: true });
    // The index holds password hashes and sealed storage credentials: owner only.
    await mkdir(paths.indexDir, { recursive: true, mode: 0o700 });
    await chmod(paths.indexDir, 0o700);

    const serverId = await this.serverId();
    const system = new SystemService(serverId, config.server.name, await readBuildInfo());
    const registry = createMetricsRegistry();
    const metrics = new HttpMetrics(registry);
    let authenticate: AuthServices['auth']['authenticate'] | undefined;
    let authenticateNow: AuthServices['auth']['authenticateRemembered'] | undefined;
    const http = new HttpServer({
      logger: logger.child({ component: 'http' }),
      authenticate: (req) => (authenticate ? authenticate(req) : Promise.resolve(undefined)),
      authenticateNow: (req) => authenticateNow?.(req),
      maxBodyBytes: config.server.maxBodyBytes,
      metrics,
      // Unexpected handler errors become crash reports (Catalogizer /api/v1/errors).
      onUnexpectedError: (err, where) => { void this.services?.catalogizerCore.errors.recordCrash(err, 'unexpectedError', where).catch(() => undefined); },
    });
    this.http = http;
    registerSystemRoutes(http.router, {
      system,
      renderMetrics: async () => ({ body: await registry.metrics(), contentType: metrics.contentType }),
    });
    this.port = await http.listen(config.server.host, config.server.port);
    logger.info({ host: config.server.host, port: this.port }, 'listening');
    await this.writeRuntimeFile().catch((err: unknown) => logger.warn({ err }, 'daemon.json not written'));

    // Once writes go quiet after a burst (a scan), the map pages it touched leave RSS
    // (index/map-release.ts) and the V8 heap it grew is compacted (system/heap-compact.ts).
    const releaseMapWhenIdle = { onReleased: () => { compactHeap(); } };
    const index = withWriteGeneration(await openIndexStore({ path: paths.indexDir, logger, releaseMapWhenIdle }));
    const auth = await createAuthServices({
      store: index, secretKeyFile: paths.secretKeyFile, localAdminTokenFile: paths.localAdminTokenFile,
      logger, bus: this.events,
      session: { sessionTtlSec: config.auth.sessionTtlHours * 3600 },
      passwordPolicy: { minLength: config.auth.minPasswordLength },
      throttle: {
        maxFailures: config.auth.maxLoginFailures,
        failureWindowSec: config.auth.loginWindowMinutes * 60,
        ipAttempts: config.auth.loginAttemptsPerMinute,
        ipWindowSec: 60,
      },
    });
    authenticate = (req) => auth.auth.authenticate(req);
    authenticateNow = (req) => auth.auth.authenticateRemembered(req);

    const adapters = createProductionRegistry();
    const secretBox = new SecretBox(Buffer.from(await loadOrCreateSecretKey(paths.secretKeyFile)));
    const roots = new StorageRootService(index, adapters, secretBox, logger.child({ component: 'storage' }));
    const libraries = new LibraryService(index, roots);
    const getAdapter = (rootId: number) => roots.getAdapter(rootId);

    // The static bundled ffprobe starts in ~5 ms against ~80 ms for Debian's dynamically linked
    // one: 4-5x more videos probed per second during scans. ffmpeg stays the system build,
    // which carries the hardware encoders.
    const tools = await locateMediaTools(logger, {
      ffmpegPath: config.media.ffmpegPath, ffprobePath: config.media.ffprobePath, preferBundledFfprobe: true,
    });
    system.setMediaTools(tools);
    const prober = new ProbeService(tools, logger, { ffprobeConcurrency: config.media.probeConcurrency });
    const thumbnails = new ThumbnailService({
      cacheDir: paths.thumbnailDir, tools, logger, imageConcurrency: config.media.thumbnailConcurrency,
    });
    // Scans and probes of remote roots may be paced (scan.remoteMaxRequestsPerSecond); user requests never are.
    const pacer = new RequestPacer(config.scan.remoteMaxRequestsPerSecond);
    const backgroundAdapter = async (rootId: number) => pacer.wrap(rootId, await roots.getAdapter(rootId));
    const probeJob = new ProbeJob({ index, prober, getAdapter: backgroundAdapter, events: this.events, logger, options: { concurrency: config.media.probeConcurrency } });
    const scans = new ScanService({ index, getAdapter: backgroundAdapter, events: this.events, logger, probeQueue: probeJob, options: { ignore: config.scan.ignore.length ? config.scan.ignore : undefined } });
    const scanStatus = new ScanStatusService(this.events);
    this.events.on((e) => {
      if (e.type === 'scan.started') system.scanStarted();
      else if (e.type === 'scan.finished') {
        system.scanFinished(Date.now());
        // Even a scan that changed nothing read every item through the map: give it back.
        index.mapRelease?.requestRelease();
      }
    });
    await scans.closeInterrupted();
    const review = await ReviewService.create({
      index, libraries, getAdapter, stateDir: paths.stateDir, configFile: paths.reviewConfigFile, prober,
      ffmpegPath: tools.ffmpeg.path, scanner: scans, logger, thumbnailConcurrency: config.media.thumbnailConcurrency,
    });

    const virtualPaths = new VirtualPathService(index);
    const mediaViewer = createMediaViewerServices({
      index, paths: virtualPaths, getAdapter, thumbnails, composeGrid: composeFolderGrid, events: this.events, logger,
      dirs: { thumbnailDir: paths.thumbnailDir, transcodeDir: paths.transcodeDir },
    });
    const playback = await createPlaybackServices({
      index, getAdapter, prober, logger, ffmpeg: tools.ffmpeg, transcodeDir: join(paths.transcodeDir, 'hls'), config: config.transcode,
      events: this.events,
    });
    const libraryApi = createLibraryApiServices({
      index, libraries, getAdapter, events: this.events, logger, artworkDir: paths.artworkDir, metadata: config.metadata,
      scans: { start: (id) => { scans.scanLibrary(id, { kind: 'incremental', trigger: 'api' }).catch((err: unknown) => logger.error({ err, libraryId: id }, 'scan failed')); } },
    });
    // Listening before any scan starts, so identification follows each walk.
    libraryApi.start();
    const home = createHomeServices({
      index, auth, events: this.events, getAdapter, tmdb: libraryApi.tmdb, logger, serverName: () => config.server.name,
      artworkDir: paths.artworkDir, cacheDir: paths.cacheDir,
    });
    home.start();
    const catalogizerLimits = createCatalogizerLimits(config.rateLimits);
    const catalogizerCore = await createCatalogizerCore({
      config, records: index.records, auth, limits: catalogizerLimits, logger, logs: this.logTap, overlayFile: paths.configOverrideFile,
      status: createStatusProbe(system, index, Boolean(tools.ffmpeg.path)), discovery: () => ({ host: config.server.host, port: this.port }), processHooks: true,
    });
    const catalog = createCatalogServices({
      index, virtualPaths, roots, scans, events: this.events, logger, spoolDir: paths.cacheDir,
    });
    const conversion = new ConversionService({
      index, records: index.records, paths: new LibraryPaths(index), getAdapter, prober, scanner: scans, events: this.events,
      ffmpegPath: async () => tools.ffmpeg.path, tempDir: join(paths.cacheDir, 'conversions'),
      maxConcurrent: config.conversion.maxConcurrent, logger,
    });
    void conversion.start().catch((err: unknown) => logger.error({ err }, 'conversion jobs not recovered'));
    const catalogizerSubtitles = createCatalogizerSubtitles({
      index, records: index.records, resolver: playback.resolver, scanner: scans,
      embeddedVtt: (fileId, stream, auth, signal) => playback.subtitles.webvtt(fileId, String(stream), auth, signal),
      ffmpegPath: async () => tools.ffmpeg.path, config: config.subtitles, stateDir: paths.stateDir, logger,
    });
    const catalogizerMedia = createCatalogizerMediaServices({ index, home, tmdb: libraryApi.tmdb });
    this.services = {
      config, paths, logger, index, events: this.events, system, auth, roots, libraries,
      virtualPaths, scans, scanStatus, probeJob, thumbnails, prober, review, mediaViewer, playback, libraryApi, home, catalogizerLimits, catalogizerCore, catalog,
      conversion, catalogizerSubtitles, catalogizerMedia, logs: this.logTap,
    };
    addGauge(registry, { name: 'alcove_items_indexed', help: 'Items in the index', collect: () => index.items.counters().items });
    addGauge(registry, { name: 'alcove_items_offline', help: 'Items on unreachable locations', collect: () => index.items.counters().offline });
    addGauge(registry, { name: 'alcove_scans_running', help: 'Library scans in progress', collect: () => scanStatus.all().filter((s) => s.state === 'running').length });
    addGauge(registry, { name: 'alcove_scans_total', help: 'Scans recorded in the index', collect: () => index.scans.list(undefined, 10_000).length });

    registerApiRoutes(http.router, this.services);
    const realtime = new RealtimeService(() => ({
      ...system.health(),
      libraries: index.libraries.list().length,
      counters: index.items.counters(),
      scans: scanStatus.all(),
      websocketClients: this.ws?.clients ?? 0,
    }));
    this.ws = attachWebSocket({
      app: http.app, authenticate: (req) => auth.auth.authenticate(req), realtime, events: this.events,
      logs: this.logTap, logger, hello: () => ({ serverId, name: config.server.name, version: system.build.version }),
    });
    await this.seedLibraries();
    system.attachIndex(index);
    logger.info({ schemaVersion: index.schemaVersion, ffmpeg: tools.ffmpeg.source, ffprobe: tools.ffprobe.source }, 'ready');
    this.startDiscovery(serverId, system.build.version);

    if (auth.auth.setupRequired()) logger.warn('no admin account yet: POST /api/auth/setup or run `alcove user add NAME --role admin`');
    // The local admin token lets `alcove tui` on this machine connect without a password;
    // written now if an admin exists, else as soon as the first one is created.
    const writeLocalToken = (): void => {
      void auth.auth.createLocalAdminToken().catch((err: unknown) => logger.warn({ err }, 'local admin token not written'));
    };
    if (!auth.auth.setupRequired()) writeLocalToken();
    else {
      const off = this.events.on((e) => {
        if (e.type === 'users.changed' && e.change === 'created' && !auth.auth.setupRequired()) { off(); writeLocalToken(); }
      });
    }
    this.startBackground();
  }

  /** mDNS announcement once the port listens and the API is ready (never fails start). */
  private startDiscovery(serverId: string, version: string): void {
    const { mdns, server } = this.config;
    const log = this.logger.child({ component: 'mdns' });
    if (!mdns.enabled) { log.info('mDNS disabled by configuration'); return; }
    this.announcer = new MdnsAnnouncer({ loadBackend: loadDnsSdBackend, logger: log });
    this.announcer.start({ name: mdns.name ?? server.name, port: this.port, serverId, version, tls: false });
  }

  /** `--library NAME=PATH[:TYPE]`: create each local library that does not exist yet. */
  private async seedLibraries(): Promise<void> {
    const { libraries, logger } = this.services!;
    for (const seed of this.config.libraries) {
      if (libraries.findByName(seed.name)) continue;
      try {
        const lib = await libraries.create({ name: seed.name, type: seed.type, locations: [{ url: seed.path }] });
        logger.info({ libraryId: lib.id, name: lib.name, path: seed.path }, 'library created from configuration');
      } catch (err) {
        logger.error({ err: (err as Error).message, name: seed.name, path: seed.path }, 'cannot create configured library');
      }
    }
  }

  private startBackground(): void {
    const s = this.services!;
    const { config } = this;
    if (config.scan.watch || config.scan.localIntervalMinutes || config.scan.remoteIntervalMinutes) {
      this.watch = new WatchService({
        index: s.index, scanner: s.scans, getAdapter: (id) => s.roots.getAdapter(id), events: this.events, logger: s.logger,
        options: {
          debounceMs: config.scan.watchDebounceMs,
          fullRescanLocalMs: config.scan.localIntervalMinutes * 60_000,
          fullRescanRemoteMs: config.scan.remoteIntervalMinutes * 60_000,
          periodic: config.scan.localIntervalMinutes > 0 || config.scan.remoteIntervalMinutes > 0,
          watch: config.scan.watch,
        },
      });
      void this.watch.start().catch((err: unknown) => s.logger.error({ err }, 'watchers failed to start'));
    }
    if (config.scan.onStartup) {
      for (const lib of s.index.libraries.list()) {
        s.scans.scanLibrary(lib.id, { kind: 'incremental', trigger: 'startup', signal: this.background.signal })
          .catch((err: unknown) => s.logger.error({ err, libraryId: lib.id }, 'startup scan failed'));
      }
    }
    if (config.scan.offlineRecheckSeconds > 0) {
      // Offline locations come back by themselves once their root answers again.
      this.rootHealth = new RootHealthService({
        index: s.index, scanner: s.scans, getAdapter: (id) => s.roots.getAdapter(id), logger: s.logger,
        intervalMs: config.scan.offlineRecheckSeconds * 1000,
      });
      this.rootHealth.start();
    }
    s.probeJob.kick();
    s.review.warmAll();
    const purge = setInterval(() => { void s.auth.auth.purgeExpired().catch(() => undefined); }, 3_600_000);
    purge.unref();
    this.background.signal.addEventListener('abort', () => clearInterval(purge));
  }

  private async serverId(): Promise<string> {
    const file = `${this.paths.stateDir}/server-id`;
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch {
      const id = randomUUID();
      await writeFile(file, `${id}\n`, { mode: 0o644 });
      return id;
    }
  }

  /**
   * `<stateDir>/daemon.json` ({pid, port, host, startedAt}): how `alcove tui --state-dir`
   * finds the port of the daemon running on that state dir (with --port 0 it is only known
   * once listening). Replaced atomically; removed on stop.
   */
  private get runtimeFile(): string { return join(this.paths.stateDir, 'daemon.json'); }

  private async writeRuntimeFile(): Promise<void> {
    const body = { pid: process.pid, port: this.port, host: this.config.server.host, startedAt: new Date().toISOString() };
    const tmp = `${this.runtimeFile}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(body)}\n`, { mode: 0o644 });
    await rename(tmp, this.runtimeFile);
  }

  /** Removes daemon.json only when it is this process's (a newer daemon may own it). */
  private async removeRuntimeFile(): Promise<void> {
    try {
      const current = JSON.parse(await readFile(this.runtimeFile, 'utf8')) as { pid?: number };
      if (current.pid === process.pid) await unlink(this.runtimeFile);
    } catch { /* absent or unreadable: nothing of ours to remove */ }
  }

  /** Stop accepting, abort background work, close the index. Safe to call twice. */
  async stop(): Promise<void> {
    const s = this.services;
    // Withdraw the announcement first, so browsers stop offering a server that is leaving.
    this.announcer?.stop();
    this.announcer = undefined;
    this.background.abort();
    this.ws?.close();
    this.ws = undefined;
    s?.catalogizerCore.close();
    if (this.http) await this.removeRuntimeFile();
    await this.http?.close(this.config.server.shutdownGraceMs);
    this.http = undefined;
    await this.watch?.stop().catch(() => undefined);
    await this.rootHealth?.stop().catch(() => undefined);
    if (s) {
      await s.review.stop().catch(() => undefined);
      await s.mediaViewer.rebuild.stop().catch(() => undefined);
      await s.probeJob.stop().catch(() => undefined);
      await s.libraryApi.stop().catch(() => undefined);
      await s.home.stop().catch(() => undefined);
      await s.catalog.stop().catch(() => undefined);
      s.conversion.close();
      await s.playback.close().catch(() => undefined);
      for (const lib of s.index.libraries.list()) await s.scans.runningScan(lib.id)?.catch(() => undefined);
      s.scanStatus.close();
      await s.roots.close();
      await s.index.close();
      this.services = undefined;
    }
  }
}
