/**
 * The identification pass: a background queue fed by index events, one file at a time,
 * never blocking scans or requests.
 *
 *   items.added / items.changed ──> media files: queue; .nfo sidecar: queue its owner;
 *                                   tvshow.nfo: queue the videos under its folder;
 *                                   artwork image: queue the media files of its folder
 *                                   that can use it (one walk per folder per batch)
 *   items.removed ───────────────> prune the library's virtual items (debounced)
 *   scan.started(lib) ───────────> hold lib's queue (identify after the walk);
 *   scan.finished(lib) ──────────> release it
 *   audio waiting for its probe ──> re-queued on probe job progress (tags are needed)
 *
 * Progress: job.progress events with job 'identify'. After a file is identified, the
 * optional `onIdentified` hook (the TMDb matcher) runs outside the queue.
 */
import type { EventBus, IndexStore, ServerEvent } from '../domain/ports.js';
import type { Item } from '../domain/types.js';
import type { Logger } from '../log/logger.js';
import { artworkScope } from './artwork.js';
import { FileIdentifier, type IdentifyResult } from './identify-file.js';
import { ItemSource, type GetAdapter } from './item-source.js';
import { baseName } from './names/path-name.js';
import { VirtualItems } from './virtual-items.js';

export interface IdentifyServiceDeps {
  index: IndexStore;
  getAdapter: GetAdapter;
  events: EventBus;
  logger: Logger;
  onIdentified?: (result: IdentifyResult) => void;
}

const VIRTUAL_KINDS = ['episode', 'season', 'show', 'movie', 'track', 'album', 'artist'] as const;

export class IdentifyService {
  readonly virtuals: VirtualItems;
  private readonly identifier: FileIdentifier;
  private readonly queue = new Set<number>();
  private readonly held = new Set<number>();
  private readonly awaitingProbe = new Set<number>();
  private readonly pruneLibs = new Set<number>();
  private running?: Promise<void>;
  private idleWaiters: (() => void)[] = [];
  private off?: () => void;
  private done = 0;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly deps: IdentifyServiceDeps) {
    this.virtuals = new VirtualItems(deps.index);
    this.identifier = new FileIdentifier(deps.index, new ItemSource(deps.index, deps.getAdapter), this.virtuals);
    this.log = deps.logger.child({ component: 'identify' });
  }

  /** Subscribe to index events. */
  start(): void {
    this.off ??= this.deps.events.on((e) => this.onEvent(e));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.off?.();
    this.off = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Queue every media file of a library (full re-identification). */
  enqueueLibrary(libraryId: number): void {
    for (const item of this.deps.index.items.iterateLibrary(libraryId)) if (isMedia(item)) this.queue.add(item.id);
    this.kick();
  }

  enqueue(ids: number[]): void {
    for (const id of ids) this.queue.add(id);
    this.kick();
  }

  /** Identify one file now (manual refresh, tests). */
  identifyNow(id: number): Promise<IdentifyResult | undefined> {
    const item = this.deps.index.items.get(id);
    return item ? this.identifier.identify(item) : Promise.resolve(undefined);
  }

  /** Resolves when the queue is empty and nothing runs (tests, benchmarks). */
  idle(): Promise<void> {
    if (!this.running && this.pending() === 0) return Promise.resolve();
    return new Promise((res) => this.idleWaiters.push(res));
  }

  pending(): number { return this.queue.size + this.pruneLibs.size; }

  private onEvent(e: ServerEvent): void {
    if (this.stopped) return;
    switch (e.type) {
      case 'items.added':
      case 'items.changed':
        this.onItems(e.ids);
        break;
      case 'items.removed':
        this.pruneLibs.add(e.libraryId);
        this.kick();
        break;
      case 'scan.started':
        this.held.add(e.libraryId);
        break;
      case 'scan.finished':
        this.held.delete(e.libraryId);
        this.kick();
        break;
      case 'job.progress':
        if (e.job === 'probe' && this.awaitingProbe.size) this.recheckProbed();
        break;
      default:
    }
  }

  private onItems(ids: number[]): void {
    const items = this.deps.index.items;
    const artwork = new Map<number, ArtworkUsers>();
    for (const id of ids) {
      const item = items.get(id);
      if (!item) continue;
      if (isMedia(item)) this.queue.add(id);
      else if (item.name.toLowerCase() === 'tvshow.nfo') this.queueFolder(item);
      else if (item.ownerId !== undefined) this.queue.add(item.ownerId);
      else if (item.mediaType === 'image') collectArtwork(artwork, item);
    }
    for (const [dir, users] of artwork) this.queueArtworkUsers(dir, users);
    this.kick();
  }

  /**
   * New artwork: the media files of its folder that can use it pick it up. Gathered per
   * batch first: a scan batch can hold thousands of images of one folder, and walking the
   * folder once per image made a 10,000-image folder quadratic (one walk per batch here).
   */
  private queueArtworkUsers(dir: number, users: ArtworkUsers): void {
    for (const s of this.deps.index.items.iterateChildren(dir)) {
      if (isMedia(s) && (users.all || users.bases.has(baseName(s.name).toLowerCase()))) this.queue.add(s.id);
    }
  }

  private queueFolder(nfo: Item): void {
    const stack = [nfo.parentId];
    while (stack.length) {
      const dir = stack.pop()!;
      for (const c of this.deps.index.items.iterateChildren(dir)) {
        if (c.kind === 'dir') stack.push(c.id);
        else if (isMedia(c)) this.queue.add(c.id);
      }
    }
  }

  private recheckProbed(): void {
    for (const id of this.awaitingProbe) {
      const item = this.deps.index.items.get(id);
      if (!item || item.probeState !== 'pending') { this.awaitingProbe.delete(id); if (item) this.queue.add(id); }
    }
    this.kick();
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.readyCount() > 0 && !this.stopped) this.kick();
      else { const w = this.idleWaiters; this.idleWaiters = []; for (const r of w) r(); }
    });
  }

  private readyCount(): number {
    if (this.pruneLibs.size) return 1;
    for (const id of this.queue) { const it = this.deps.index.items.get(id); if (!it || !this.held.has(it.libraryId)) return 1; }
    return 0;
  }

  private async drain(): Promise<void> {
    const items = this.deps.index.items;
    let sinceProgress = 0;
    for (;;) {
      if (this.stopped) return;
      let next: number | undefined;
      for (const id of this.queue) {
        const it = items.get(id);
        if (!it) { this.queue.delete(id); continue; }
        if (!this.held.has(it.libraryId)) { next = id; break; }
      }
      if (next === undefined) break;
      this.queue.delete(next);
      const item = items.get(next)!;
      if (item.mediaType === 'audio' && item.probeState === 'pending') { this.awaitingProbe.add(item.id); continue; }
      try {
        const result = await this.identifier.identify(item);
        this.done++;
        if (result.changed) this.deps.onIdentified?.(result);
      } catch (err) {
        this.log.warn({ err, itemId: item.id }, 'identification failed');
      }
      if (++sinceProgress >= 100) { sinceProgress = 0; this.progress('running'); }
      // Let requests and the scanner in between files.
      if (this.done % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    for (const lib of [...this.pruneLibs]) {
      this.pruneLibs.delete(lib);
      await this.prune(lib).catch((err: unknown) => this.log.warn({ err, libraryId: lib }, 'virtual item prune failed'));
    }
    this.progress('done');
  }

  /** Remove file links to deleted files and virtual items left empty (children first). */
  private async prune(libraryId: number): Promise<void> {
    for (const kind of VIRTUAL_KINDS) {
      const ids: number[] = [];
      for (let offset = 0; ; offset += 1000) {
        const page = this.deps.index.items.listByMeta({ libraryId, virtualKind: kind, sort: 'addedAt', offset, limit: 1000 });
        for (const v of page.items) ids.push(v.id);
        if (page.items.length < 1000) break;
      }
      for (const id of ids) { const v = this.deps.index.items.get(id); if (v) await this.virtuals.prune(v); }
    }
  }

  private progress(state: 'running' | 'done'): void {
    this.deps.events.emit({ type: 'job.progress', job: 'identify', done: this.done, total: this.done + this.queue.size, state });
  }
}

/** The media files of one folder that a batch's images can be artwork for. */
interface ArtworkUsers { all: boolean; bases: Set<string> }

function collectArtwork(byDir: Map<number, ArtworkUsers>, image: Item): void {
  if (image.parentId <= 0) return;
  const scope = artworkScope(image.name);
  if (!scope) return;
  let users = byDir.get(image.parentId);
  if (!users) byDir.set(image.parentId, users = { all: false, bases: new Set() });
  if (scope.folder) users.all = true;
  else users.bases.add(scope.base);
}

function isMedia(item: Item): boolean {
  return item.kind === 'file' && (item.mediaType === 'video' || item.mediaType === 'audio');
}
