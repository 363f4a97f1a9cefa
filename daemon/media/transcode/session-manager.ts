/**
 * Owns every HLS session: creation under the concurrency limit, lookup, idle reaping,
 * DELETE, the transcode cache bound, and shutdown.
 *
 * - At most `maxSessions` sessions exist; one more is refused with TooManyRequestsError,
 *   whose Retry-After is when the least recently used session would be reaped.
 * - A session untouched (no playlist or segment request) for `idleTimeoutSec` is closed:
 *   ffmpeg killed and reaped, its directory removed.
 * - The bytes of all done segments stay under `cacheMaxBytes`: past it, the oldest done
 *   segments behind each player's position are deleted (a transcode session re-encodes one
 *   if it is asked for again).
 */
import { mkdir, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { TooManyRequestsError } from '../../domain/errors.js';
import type { Logger } from '../../log/logger.js';
import type { EventBus } from '../../domain/ports.js';
import { HlsSession, type HlsSessionOptions } from './hls-session.js';

export interface SessionManagerOptions {
  dir: string;
  maxSessions: number;
  idleTimeoutSec: number;
  cacheMaxBytes: number;
  logger: Logger;
  now?: () => number;
  /** Session lifecycle events (the WebSocket 'transcodes' topic). */
  events?: EventBus;
}

export interface SessionMeta { userId: number; fileId: number; createdAt: number; method: string; [k: string]: unknown }

export type NewSessionOptions = Omit<HlsSessionOptions, 'id' | 'dir' | 'logger' | 'onSegment' | 'now'>;

export class TranscodeSessionManager {
  private readonly sessions = new Map<string, { session: HlsSession; meta: SessionMeta }>();
  private reserved = 0;
  private cacheBytes = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly log: Logger;
  private readonly now: () => number;
  private evicting = false;

  constructor(private readonly o: SessionManagerOptions) {
    this.log = o.logger.child({ component: 'transcode' });
    this.now = o.now ?? Date.now;
    const every = Math.max(250, Math.min(15_000, (o.idleTimeoutSec * 1000) / 4));
    this.timer = setInterval(() => { void this.reap(); }, every);
    this.timer.unref();
  }

  get count(): number { return this.sessions.size; }
  get cachedBytes(): number { return this.cacheBytes; }

  /** Removes leftovers of a previous run of the daemon (sessions do not survive restarts). */
  async init(): Promise<void> {
    await rm(this.o.dir, { recursive: true, force: true });
    await mkdir(this.o.dir, { recursive: true });
  }

  /**
   * Reserve a slot, create the session directory and start ffmpeg. `prepare` runs in the
   * new directory before ffmpeg starts (e.g. writing a subtitle file to burn in).
   */
  async create(meta: SessionMeta, options: NewSessionOptions | ((dir: string) => Promise<NewSessionOptions>), startSegment = 0): Promise<HlsSession> {
    if (this.sessions.size + this.reserved >= this.o.maxSessions) {
      throw new TooManyRequestsError(this.retryAfterSec(), `At most ${this.o.maxSessions} transcodes may run at once`, 'TOO_MANY_TRANSCODES');
    }
    this.reserved++;
    const id = randomBytes(12).toString('hex');
    const dir = join(this.o.dir, id);
    try {
      await mkdir(dir, { recursive: true });
      const opts = typeof options === 'function' ? await options(dir) : options;
      const session = new HlsSession({
        ...opts, id, dir, logger: this.log, now: this.now,
        onSegment: (_s, _n, bytes) => { this.cacheBytes += bytes; if (this.cacheBytes > this.o.cacheMaxBytes) void this.evict(); },
      });
      this.sessions.set(id, { session, meta });
      this.log.info({ session: id, ...meta }, 'transcode session started');
      this.o.events?.emit({ type: 'transcode.started', sessionId: id, fileId: meta.fileId, userId: meta.userId, method: meta.method, sessions: this.sessions.size });
      try {
        await session.start(startSegment);
      } catch (err) {
        await this.remove(id);
        throw err;
      }
      return session;
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    } finally {
      this.reserved--;
    }
  }

  get(id: string): { session: HlsSession; meta: SessionMeta } | undefined {
    return this.sessions.get(id);
  }

  list(): Array<{ session: HlsSession; meta: SessionMeta }> { return [...this.sessions.values()]; }

  async remove(id: string, reason: 'stopped' | 'idle' | 'shutdown' = 'stopped'): Promise<boolean> {
    const entry = this.sessions.get(id);
    if (!entry) return false;
    this.sessions.delete(id);
    for (const s of entry.session.done.values()) this.cacheBytes -= s.bytes;
    await entry.session.close();
    this.log.info({ session: id, reason }, 'transcode session closed');
    this.o.events?.emit({ type: 'transcode.ended', sessionId: id, fileId: entry.meta.fileId, userId: entry.meta.userId, reason, sessions: this.sessions.size });
    return true;
  }

  /** Close sessions idle longer than the timeout. Returns how many. */
  async reap(): Promise<number> {
    const limit = this.now() - this.o.idleTimeoutSec * 1000;
    const idle = [...this.sessions.entries()].filter(([, e]) => e.session.lastAccess < limit).map(([id]) => id);
    for (const id of idle) {
      this.log.info({ session: id }, 'transcode session idle: reaping');
      await this.remove(id, 'idle');
    }
    return idle.length;
  }

  async closeAll(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.sessions.keys()].map((id) => this.remove(id, 'shutdown')));
  }

  private retryAfterSec(): number {
    let soonest = Infinity;
    for (const { session } of this.sessions.values()) soonest = Math.min(soonest, session.lastAccess + this.o.idleTimeoutSec * 1000 - this.now());
    return Math.max(1, Math.ceil((Number.isFinite(soonest) ? soonest : 1000) / 1000));
  }

  /** Delete the oldest done segments behind each player until under the bound. */
  private async evict(): Promise<void> {
    if (this.evicting) return;
    this.evicting = true;
    try {
      const candidates: Array<{ session: HlsSession; n: number; doneAt: number }> = [];
      for (const { session } of this.sessions.values()) {
        for (const [n, info] of session.done) if (n < session.lastRequested) candidates.push({ session, n, doneAt: info.doneAt });
      }
      candidates.sort((a, b) => a.doneAt - b.doneAt);
      const target = this.o.cacheMaxBytes * 0.9;
      let freed = 0;
      for (const c of candidates) {
        if (this.cacheBytes <= target) break;
        const bytes = await c.session.evict(c.n);
        this.cacheBytes -= bytes;
        freed += bytes;
      }
      if (freed) this.log.debug({ freed, cacheBytes: this.cacheBytes }, 'transcode cache trimmed');
    } finally {
      this.evicting = false;
    }
  }
}
