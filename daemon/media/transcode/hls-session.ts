/**
 * One HLS session: its directory of segments and the ffmpeg run currently filling it.
 *
 *   segment(n) ─ done? ─────────────────────────────────────────► file
 *       │ no
 *       ├─ the current run will reach n soon (n - next <= LOOKAHEAD) ─► wait for the CSV list
 *       └─ otherwise (far seek, backwards, run ended, evicted) ─► kill run, start at n, wait
 *
 * A segment is "done" only once the segment muxer lists it in its CSV list (the muxer
 * appends a line after closing the file), never when the file merely appears.
 * Stream-copy sessions (remux) have cuts on source keyframes, so they run once from the
 * start and never restart; their playlist grows as segments are listed (EVENT).
 * A hardware run that fails before its first segment is retried in software, logged.
 * ffmpeg is paused (SIGSTOP) when it runs far ahead of the player and resumed on demand.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError, UnavailableError } from '../../domain/errors.js';
import type { Logger } from '../../log/logger.js';
import { eventPlaylist, parseSegmentCsvLine, planBoundaries, segmentName, vodPlaylist } from './segment-plan.js';

/** Segments the player may be ahead of the encoder before we restart instead of waiting. */
const LOOKAHEAD = 2;
/** Segments ffmpeg may run ahead of the last request before it is paused. */
const AHEAD_LIMIT = 40;
const POLL_MS = 40;

export interface RunRequest { startNumber: number; startSec: number; cutTimes: number[]; software: boolean; listPath: string; segmentPattern: string }

export interface HlsSessionOptions {
  id: string;
  dir: string;
  ffmpegPath: string;
  mode: 'transcode' | 'copy';
  durationSec: number;
  segmentSeconds: number;
  /** Whether the first run uses a hardware method (a failure then falls back). */
  hardware: boolean;
  buildArgs(run: RunRequest): string[];
  logger: Logger;
  /** Called when a segment is done (cache accounting). */
  onSegment?(session: HlsSession, n: number, bytes: number): void;
  segmentWaitMs?: number;
  now?: () => number;
  /** Runs once the session is closed (e.g. stop the range proxy feeding ffmpeg). */
  onClose?: () => Promise<void>;
}

interface Run {
  proc: ChildProcess;
  startNumber: number;
  next: number;
  listPath: string;
  listOffset: number;
  produced: number;
  killed: boolean;
  paused: boolean;
  exited: boolean;
  closed: Promise<void>;
  stderr: string;
}

interface Waiter { resolve: () => void; reject: (err: Error) => void }

export interface SegmentInfo { bytes: number; durationSec: number; doneAt: number }

export class HlsSession {
  readonly boundaries: number[];
  readonly done = new Map<number, SegmentInfo>();
  lastAccess: number;
  lastRequested = 0;
  usingHardware: boolean;
  fellBack = false;
  lastError?: string;
  private run?: Run;
  private runCount = 0;
  private readonly waiters = new Map<number, Waiter[]>();
  private timer?: NodeJS.Timeout;
  private closed = false;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly o: HlsSessionOptions) {
    this.now = o.now ?? Date.now;
    this.lastAccess = this.now();
    this.usingHardware = o.hardware;
    this.boundaries = o.mode === 'transcode' ? planBoundaries(o.durationSec, o.segmentSeconds) : [];
    this.log = o.logger.child({ session: o.id });
  }

  get id(): string { return this.o.id; }
  get mode(): 'transcode' | 'copy' { return this.o.mode; }
  get segmentCount(): number | undefined { return this.o.mode === 'transcode' ? this.boundaries.length - 1 : undefined; }
  get running(): boolean { return !!this.run && !this.run.exited; }
  get pid(): number | undefined { return this.run && !this.run.exited ? this.run.proc.pid : undefined; }
  get ended(): boolean { return this.o.mode === 'copy' ? !!this.run?.exited && !this.run.killed : false; }

  /** Start encoding at segment `n` (0 for a new session). */
  async start(n = 0): Promise<void> { await this.restart(n); }

  touch(): void { this.lastAccess = this.now(); }

  playlist(query: string): string {
    this.touch();
    if (this.o.mode === 'transcode') return vodPlaylist(this.boundaries, query);
    const segs = [...this.done.entries()].sort((a, b) => a[0] - b[0]).map(([n, s]) => ({ n, durationSec: s.durationSec }));
    return eventPlaylist(segs, this.ended, this.o.segmentSeconds, query);
  }

  /** Wait (bounded) until the first segment is listed: players dislike empty playlists. */
  async waitFirst(timeoutMs: number): Promise<void> {
    if (this.done.size > 0 || this.o.mode === 'transcode') return;
    await this.waitFor(0, timeoutMs).catch(() => undefined);
  }

  /** The path of segment `n` once it is done; restarts ffmpeg where waiting would be slow. */
  async segment(n: number): Promise<{ path: string; bytes: number }> {
    if (this.closed) throw new NotFoundError('Transcode session is closed', 'SESSION_NOT_FOUND');
    const count = this.segmentCount;
    if (n < 0 || (count !== undefined && n >= count)) throw new NotFoundError('No such segment', 'SEGMENT_NOT_FOUND');
    this.touch();
    this.lastRequested = n;
    const r = this.run;
    if (r?.paused && r.next - n < AHEAD_LIMIT) { r.proc.kill('SIGCONT'); r.paused = false; }
    if (!this.done.has(n)) {
      if (this.o.mode === 'copy') {
        if (!r || r.exited) throw new NotFoundError('Segment not available (evicted or past the end)', 'SEGMENT_NOT_FOUND');
      } else {
        // Only segments this run has yet to write and will write soon are worth waiting for.
        const reachable = r && !r.exited && n >= r.next && n - r.next <= LOOKAHEAD;
        if (!reachable) await this.restart(n);
      }
      await this.waitFor(n, this.o.segmentWaitMs ?? 30_000);
    }
    const info = this.done.get(n);
    if (!info) throw new NotFoundError('Segment was evicted', 'SEGMENT_NOT_FOUND');
    return { path: join(this.o.dir, segmentName(n)), bytes: info.bytes };
  }

  /** Forget a done segment and delete its file (cache bound). */
  async evict(n: number): Promise<number> {
    const info = this.done.get(n);
    if (!info) return 0;
    this.done.delete(n);
    await rm(join(this.o.dir, segmentName(n)), { force: true });
    return info.bytes;
  }

  /** Kill ffmpeg (and wait for it), remove every file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stopRun();
    for (const [, list] of this.waiters) for (const w of list) w.reject(new NotFoundError('Transcode session is closed', 'SESSION_NOT_FOUND'));
    this.waiters.clear();
    await rm(this.o.dir, { recursive: true, force: true });
    await this.o.onClose?.().catch(() => undefined);
  }

  private waitFor(n: number, timeoutMs: number): Promise<void> {
    if (this.done.has(n)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const list = this.waiters.get(n);
        if (list) this.waiters.set(n, list.filter((w) => w !== waiter));
        reject(new UnavailableError(this.lastError ? `Transcode failed: ${this.lastError}` : 'Segment not ready in time', 'SEGMENT_NOT_READY', 2));
      }, timeoutMs);
      const waiter: Waiter = {
        resolve: () => { clearTimeout(timer); resolve(); },
        reject: (err) => { clearTimeout(timer); reject(err); },
      };
      const list = this.waiters.get(n) ?? [];
      list.push(waiter);
      this.waiters.set(n, list);
    });
  }

  private async stopRun(): Promise<void> {
    const r = this.run;
    if (!r) return;
    r.killed = true;
    if (!r.exited) {
      if (r.paused) r.proc.kill('SIGCONT');
      r.proc.kill('SIGKILL');
    }
    await r.closed;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async restart(n: number): Promise<void> {
    await this.stopRun();
    if (this.closed) return;
    const software = !this.usingHardware;
    const startSec = this.o.mode === 'transcode' ? this.boundaries[n] : 0;
    const cutTimes = this.o.mode === 'transcode' ? this.boundaries.slice(n + 1, -1) : [];
    const listPath = join(this.o.dir, `list-${++this.runCount}.csv`);
    const args = this.o.buildArgs({ startNumber: n, startSec, cutTimes, software, listPath, segmentPattern: join(this.o.dir, 'seg-%d.ts') });
    const proc = spawn(this.o.ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let onClose!: () => void;
    const run: Run = {
      proc, startNumber: n, next: n, listPath, listOffset: 0, produced: 0, killed: false, paused: false, exited: false,
      closed: new Promise<void>((res) => { onClose = res; }), stderr: '',
    };
    this.run = run;
    this.log.debug({ startNumber: n, startSec, software, pid: proc.pid }, 'ffmpeg run started');
    proc.stderr?.on('data', (d: Buffer) => { run.stderr = (run.stderr + d.toString('utf8')).slice(-4096); });
    proc.on('error', (err) => { run.stderr += `\n${err.message}`; });
    proc.on('close', (code) => {
      run.exited = true;
      // The last segments may be listed only now: read the list once more, after any poll
      // already in flight (which would make this one a no-op), before settling waiters.
      void this.finalPoll(run).finally(() => { this.onExit(run, code); onClose(); });
    });
    this.timer = setInterval(() => { void this.poll(run); }, POLL_MS);
    this.timer.unref();
  }

  private polling = false;

  private async finalPoll(run: Run): Promise<void> {
    while (this.polling) await new Promise((r) => setTimeout(r, 5));
    await this.poll(run);
  }

  private async poll(run: Run): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const st = await stat(run.listPath).catch(() => undefined);
      if (!st || st.size <= run.listOffset) return;
      const fh = await open(run.listPath, 'r');
      try {
        const buf = Buffer.alloc(st.size - run.listOffset);
        await fh.read(buf, 0, buf.length, run.listOffset);
        const text = buf.toString('utf8');
        const lastNl = text.lastIndexOf('\n');
        if (lastNl < 0) return;
        run.listOffset += Buffer.byteLength(text.slice(0, lastNl + 1));
        for (const line of text.slice(0, lastNl).split('\n')) {
          const seg = parseSegmentCsvLine(line);
          if (seg) await this.segmentDone(run, seg.n, seg.end - seg.start);
        }
      } finally {
        await fh.close();
      }
    } finally {
      this.polling = false;
    }
  }

  private async segmentDone(run: Run, n: number, csvDuration: number): Promise<void> {
    const bytes = (await stat(join(this.o.dir, segmentName(n))).catch(() => undefined))?.size ?? 0;
    const durationSec = this.o.mode === 'transcode' ? this.boundaries[n + 1] - this.boundaries[n] : csvDuration;
    this.done.set(n, { bytes, durationSec, doneAt: this.now() });
    run.produced++;
    run.next = Math.max(run.next, n + 1);
    for (const w of this.waiters.get(n) ?? []) w.resolve();
    this.waiters.delete(n);
    this.o.onSegment?.(this, n, bytes);
    if (!run.paused && !run.exited && run.next - this.lastRequested > AHEAD_LIMIT) {
      run.paused = true;
      run.proc.kill('SIGSTOP');
    }
  }

  private onExit(run: Run, code: number | null): void {
    if (this.timer && this.run === run) { clearInterval(this.timer); this.timer = undefined; }
    if (run.killed || this.closed) return;
    if (code === 0) {
      this.log.debug({ startNumber: run.startNumber, produced: run.produced }, 'ffmpeg run finished');
      if (this.o.mode === 'copy') {
        for (const [n, list] of this.waiters) if (!this.done.has(n)) list.forEach((w) => w.reject(new NotFoundError('No such segment', 'SEGMENT_NOT_FOUND')));
      } else {
        // Someone waits for a segment this run did not write (evicted meanwhile): encode it again.
        const pending = [...this.waiters.keys()].filter((n) => !this.done.has(n)).sort((a, b) => a - b);
        if (pending.length) void this.restart(pending[0]);
      }
      return;
    }
    const message = run.stderr.trim().split('\n').filter(Boolean).pop() ?? `ffmpeg exited with ${code}`;
    if (this.usingHardware && run.produced === 0) {
      this.log.warn({ code, error: message }, 'hardware transcode failed; falling back to software for this session');
      this.usingHardware = false;
      this.fellBack = true;
      void this.restart(run.startNumber);
      return;
    }
    this.lastError = message;
    this.log.error({ code, error: message }, 'transcode failed');
    for (const [, list] of this.waiters) list.forEach((w) => w.reject(new UnavailableError(`Transcode failed: ${message}`, 'TRANSCODE_FAILED')));
    this.waiters.clear();
  }
}
