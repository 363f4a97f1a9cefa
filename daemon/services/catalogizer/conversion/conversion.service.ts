/**
 * Catalogizer conversion jobs (seed 003 "Conversion"): validated requests become persisted
 * jobs, run by ffmpeg under a bounded limiter (config conversion.maxConcurrent), in priority
 * order, optionally at `scheduled_for`.
 *
 *   create ─► pending ─(limiter slot)─► running ─► completed (output placed, indexed)
 *                 │                        ├────► failed (temp removed)
 *                 └──── cancel ────────────┴────► cancelled (ffmpeg killed, temp removed)
 *
 * ffmpeg writes into <tempDir>/<id>.<ext>; only a finished file is placed under the target
 * name (hard link, which refuses to clobber, else a stream through the storage adapter, which
 * itself writes to a temp name and renames), so no partial output is ever visible there.
 * Progress events: job.progress { job: 'conversion:<id>', done: percent, total: 100 }.
 * Owner or conversion.manage: only they see or cancel a job. After a restart, jobs left
 * running are failed ('interrupted') and pending ones queued again.
 */
import { createReadStream } from 'node:fs';
import { link, mkdir, readdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { hasPermission, type AuthInfo } from '../../../domain/auth.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../../domain/errors.js';
import type { EventBus, IndexStore, Prober, RecordRepo } from '../../../domain/ports.js';
import type { Logger } from '../../../log/logger.js';
import { createLimiter, type Limiter } from '../../../jobs/limiter.js';
import { startRangeProxy } from '../../../media/transcode/range-proxy.js';
import type { StorageAdapter } from '../../../../storage-adapters/types.js';
import type { SidecarScanner } from '../subtitles/subtitle-store.js';
import { ConversionJobStore, present, type ConversionJob, type JobEnd, type JobStatus, type StoredJob } from './conversion-job.js';
import { validateRequest } from './conversion-request.js';
import { buildConversionArgs, parseSettings } from './ffmpeg-args.js';
import { runConversion } from './ffmpeg-run.js';
import { FORMAT_CATALOGUE, ffmpegCapabilities, outputPlan, supportedFormats, type SupportedFormats } from './formats.js';
import { extensionOf } from './conversion-request.js';
import type { LibraryPaths } from './library-paths.js';

export interface ConversionDeps {
  index: IndexStore;
  records: RecordRepo;
  paths: LibraryPaths;
  getAdapter: (rootId: number) => Promise<StorageAdapter>;
  prober: Prober;
  scanner: SidecarScanner;
  events: EventBus;
  ffmpegPath: () => Promise<string>;
  tempDir: string;
  maxConcurrent: number;
  logger: Logger;
}

const MANAGE = 'conversion.manage';
const ENDED: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);

export class ConversionService {
  private readonly store: ConversionJobStore;
  private readonly limiter: Limiter;
  private readonly live = new Map<number, { controller: AbortController; timer?: NodeJS.Timeout; progress: number }>();
  private readonly log: Logger;
  private readonly onExit = (): void => { for (const l of this.live.values()) l.controller.abort(); };

  constructor(private readonly deps: ConversionDeps) {
    this.store = new ConversionJobStore(deps.records);
    this.limiter = createLimiter(deps.maxConcurrent);
    this.log = deps.logger.child({ component: 'conversion' });
    // ffmpeg children must not outlive the daemon.
    process.once('exit', this.onExit);
  }

  private ready: Promise<void> = Promise.resolve();

  /** Recover after a restart: clear temp files, fail interrupted jobs, queue pending ones. */
  start(): Promise<void> {
    this.ready = this.recover();
    return this.ready;
  }

  private async recover(): Promise<void> {
    await mkdir(this.deps.tempDir, { recursive: true });
    for (const name of await readdir(this.deps.tempDir)) await rm(join(this.deps.tempDir, name), { force: true, recursive: true });
    for (const job of this.store.all()) {
      if (job.status === 'running') await this.finish(job.id, 'failed', { error_message: 'interrupted by a restart' });
      else if (job.status === 'pending') this.enqueue(job);
    }
  }

  async formats(): Promise<SupportedFormats> {
    return supportedFormats(await ffmpegCapabilities(await this.deps.ffmpegPath()));
  }

  async create(auth: AuthInfo, body: unknown): Promise<ConversionJob> {
    await this.ready;
    const req = validateRequest(body, this.deps.paths, await this.formats());
    const src = await this.deps.getAdapter(req.source.rootId);
    const st = await src.stat(req.source.storagePath).catch(() => undefined);
    if (!st || st.type !== 'file') throw new NotFoundError('Source file not found', 'SOURCE_NOT_FOUND');
    const dst = await this.deps.getAdapter(req.target.rootId);
    if (await dst.stat(req.target.storagePath).then(() => true, () => false)) throw new ConflictError('Target file already exists', 'TARGET_EXISTS');
    const end = (p: typeof req.source): JobEnd => ({ libraryId: p.library.id, locationId: p.location.id, rootId: p.rootId, storagePath: p.storagePath, relPath: p.relPath });
    const job = await this.store.create((id) => ({
      id, user_id: auth.user.id, source_path: req.sourcePath, target_path: req.targetPath, source_format: req.sourceFormat, target_format: req.targetFormat,
      conversion_type: req.type, quality: req.quality, ...(req.settings ? { settings: req.settings } : {}), priority: req.priority, status: 'pending',
      created_at: new Date().toISOString(), ...(req.scheduledFor ? { scheduled_for: req.scheduledFor } : {}), progress: 0,
      internal: { source: end(req.source), target: end(req.target) },
    }));
    this.log.info({ jobId: job.id, userId: auth.user.id, type: job.conversion_type, target: job.target_format }, 'conversion job created');
    this.enqueue(job);
    return present(job);
  }

  list(auth: AuthInfo, q: { status?: JobStatus; limit: number; offset: number; all?: boolean }): ConversionJob[] {
    const all = q.all === true && hasPermission(auth, MANAGE);
    return this.store.list((j) => (all || j.user_id === auth.user.id) && (!q.status || j.status === q.status), q.offset, q.limit)
      .map((j) => present(j, this.live.get(j.id)?.progress));
  }

  get(auth: AuthInfo, id: number): ConversionJob {
    return present(this.visible(auth, id), this.live.get(id)?.progress);
  }

  async cancel(auth: AuthInfo, id: number): Promise<void> {
    const job = this.visible(auth, id);
    if (ENDED.has(job.status)) throw new ConflictError(`Job is already ${job.status}`, 'JOB_NOT_ACTIVE');
    await this.finish(id, 'cancelled', {});
    const l = this.live.get(id);
    if (l) { clearTimeout(l.timer); l.controller.abort(new Error('cancelled')); }
  }

  /** Abort everything (daemon stop, tests). Running jobs end as failed on the next start. */
  close(): void {
    process.removeListener('exit', this.onExit);
    for (const l of this.live.values()) { clearTimeout(l.timer); l.controller.abort(new Error('shutdown')); }
  }

  private visible(auth: AuthInfo, id: number): StoredJob {
    const job = this.store.get(id);
    if (!job) throw new NotFoundError('Job not found', 'JOB_NOT_FOUND');
    if (job.user_id !== auth.user.id && !hasPermission(auth, MANAGE)) throw new ForbiddenError('Not your conversion job', 'FORBIDDEN');
    return job;
  }

  private enqueue(job: StoredJob): void {
    const controller = new AbortController();
    const entry: { controller: AbortController; timer?: NodeJS.Timeout; progress: number } = { controller, progress: 0 };
    this.live.set(job.id, entry);
    const submit = (): void => {
      this.limiter.run((signal) => this.execute(job.id, signal ?? controller.signal), { signal: controller.signal, priority: job.priority })
        .catch(() => undefined)
        .finally(() => { if (this.live.get(job.id) === entry) this.live.delete(job.id); });
    };
    const delay = job.scheduled_for ? Date.parse(job.scheduled_for) - Date.now() : 0;
    if (delay > 0) {
      entry.timer = setTimeout(submit, Math.min(delay, 2 ** 31 - 1));
      entry.timer.unref();
    } else submit();
  }

  private emit(id: number, done: number, state: 'running' | 'done' | 'failed' | 'cancelled'): void {
    this.deps.events.emit({ type: 'job.progress', job: `conversion:${id}`, done, total: 100, state });
  }

  private async finish(id: number, status: JobStatus, patch: Partial<StoredJob>): Promise<void> {
    const job = this.store.get(id);
    if (!job || ENDED.has(job.status)) return;
    const now = Date.now();
    const started = job.started_at ? Date.parse(job.started_at) : now;
    await this.store.update(id, { ...patch, status, completed_at: new Date(now).toISOString(), duration: (now - started) * 1_000_000 });
    this.emit(id, status === 'completed' ? 100 : this.live.get(id)?.progress ?? 0, status === 'completed' ? 'done' : status === 'failed' ? 'failed' : 'cancelled');
  }

  private async execute(id: number, signal: AbortSignal): Promise<void> {
    const job = this.store.get(id);
    if (!job || job.status !== 'pending') return;
    await this.store.update(id, { status: 'running', started_at: new Date().toISOString() });
    this.emit(id, 0, 'running');
    const temp = join(this.deps.tempDir, `${id}.${job.target_format}`);
    const { source, target } = job.internal;
    let proxy: { url: string; close(): Promise<void> } | undefined;
    try {
      const ffmpeg = await this.deps.ffmpegPath();
      const plan = outputPlan(job.target_format, await ffmpegCapabilities(ffmpeg));
      if (!plan) throw new Error(`ffmpeg cannot write ${job.target_format}`);
      const src = await this.deps.getAdapter(source.rootId);
      const st = await src.stat(source.storagePath);
      const local = src.localPath?.(source.storagePath);
      if (!local) {
        proxy = await startRangeProxy({ size: st.size, contentType: 'application/octet-stream', open: (s, e, sig) => src.createReadStream(source.storagePath, { start: s, end: e, signal: sig }) });
      }
      const input = local ?? proxy!.url;
      const durationMs = job.conversion_type === 'image' ? undefined : await this.durationOf(source, src, local, st.size, signal);
      const args = buildConversionArgs({ input, output: temp, type: job.conversion_type, plan, quality: job.quality, settings: parseSettings(job.settings) });
      let lastSaved = 0;
      await runConversion(ffmpeg, args, {
        durationMs, signal,
        onPercent: (p) => {
          const l = this.live.get(id);
          if (l) l.progress = p;
          this.emit(id, p, 'running');
          if (p - lastSaved >= 10) { lastSaved = p; void this.store.update(id, { progress: p }).catch(() => undefined); }
        },
      });
      signal.throwIfAborted();
      const itemId = await this.place(temp, target, signal);
      await this.finish(id, 'completed', { progress: 100, ...(itemId !== undefined ? { output_item_id: itemId } : {}) });
      this.log.info({ jobId: id, itemId }, 'conversion completed');
    } catch (err) {
      if (!signal.aborted) {
        const message = err instanceof Error ? err.message : String(err);
        this.log.warn({ jobId: id, err: message }, 'conversion failed');
        await this.finish(id, 'failed', { error_message: message });
      }
    } finally {
      await proxy?.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
    }
  }

  private async durationOf(source: JobEnd, src: StorageAdapter, local: string | undefined, size: number, signal: AbortSignal): Promise<number | undefined> {
    const item = this.deps.index.items.getByPath(source.locationId, source.relPath);
    if (item?.probe?.durationMs) return item.probe.durationMs;
    const name = source.relPath.split('/').pop() ?? '';
    const mediaType = FORMAT_CATALOGUE[extensionOf(name)]?.type === 'audio' ? 'audio' : 'video';
    const info = await this.deps.prober.probe(local ? { name, mediaType, size, localPath: local }
      : { name, mediaType, size, open: (s, e, sig) => src.createReadStream(source.storagePath, { start: s, end: e, signal: sig }) }, signal).catch(() => undefined);
    return info?.durationMs;
  }

  /** Put the finished temp file under the target name, then index it. */
  private async place(temp: string, target: JobEnd, signal: AbortSignal): Promise<number | undefined> {
    const adapter = await this.deps.getAdapter(target.rootId);
    const slash = target.storagePath.lastIndexOf('/');
    const dir = slash < 0 ? '' : target.storagePath.slice(0, slash);
    if (dir) await adapter.mkdir(dir, { recursive: true });
    const local = adapter.localPath?.(target.storagePath);
    let placed = false;
    if (local) {
      try {
        await link(temp, local); // atomic, never clobbers (EEXIST)
        placed = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ConflictError('Target file already exists', 'TARGET_EXISTS');
      }
    }
    if (!placed) await pipeline(createReadStream(temp), await adapter.createWriteStream(target.storagePath, { overwrite: false, signal }));
    await this.deps.scanner.runningScan(target.libraryId)?.catch(() => undefined);
    await this.deps.scanner.scanLibrary(target.libraryId, { kind: 'incremental', trigger: 'api', dirs: [dir] }).catch((err: unknown) => {
      this.log.warn({ err, libraryId: target.libraryId }, 'output not indexed');
    });
    return this.deps.index.items.getByPath(target.locationId, target.relPath)?.id;
  }
}
