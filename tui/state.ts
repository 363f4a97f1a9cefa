/**
 * What the screens show, in one place: polled over HTTP every `pollMs` (health, libraries,
 * scan status) and patched live from WebSocket events (scan progress, library on/offline,
 * jobs, transcodes, log lines), so a progress bar moves between polls. Emits 'change'
 * after every update; the shell coalesces renders.
 */
import { EventEmitter } from 'node:events';
import type { AlcoveClient } from './client.js';
import type { RealtimeClient, RealtimeState } from './realtime.js';
import type { HealthView, LibraryView, LogRecordView, RealtimeStatus, ScanStatusView, ServerView } from './api-types.js';

export interface JobView { job: string; done: number; total?: number; state: string; at: number }
export interface TranscodeView { id: string; state: string; detail?: string; at: number }

const LOG_CAPACITY = 2000;
const FINISHED_VISIBLE_MS = 60_000;

export class TuiState extends EventEmitter {
  server?: ServerView;
  health?: HealthView;
  libraries: LibraryView[] = [];
  /** By numeric library id; finished scans stay a minute so their result can be read. */
  readonly scans = new Map<number, ScanStatusView>();
  readonly jobs = new Map<string, JobView>();
  readonly transcodes = new Map<string, TranscodeView>();
  /** Newest last, bounded. */
  readonly logs: LogRecordView[] = [];
  /** Lines dropped from the front of `logs` so far: logs[i] is line number logBase + i. */
  logBase = 0;
  connection: RealtimeState | 'offline' = 'connecting';
  lastError?: string;
  private timer?: NodeJS.Timeout;
  private polling = false;
  private librariesAt = 0;
  private again = false;

  constructor(private readonly client: AlcoveClient, private readonly realtime: RealtimeClient, private readonly pollMs = 2000) {
    super();
    realtime.on('state', (s: RealtimeState) => { this.connection = s; this.changed(); });
    realtime.on('event', (topic: string, event: Record<string, unknown>) => this.onEvent(topic, event));
    realtime.on('log', (record: LogRecordView) => {
      this.logs.push(record);
      if (this.logs.length > LOG_CAPACITY) {
        this.logBase += this.logs.length - LOG_CAPACITY;
        this.logs.splice(0, this.logs.length - LOG_CAPACITY);
      }
      this.emit('log', record);
    });
  }

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => { void this.refresh(false); }, this.pollMs);
  }

  stop(): void { clearInterval(this.timer); }

  /**
   * One poll round; errors are kept in lastError (shown in the status line), never thrown.
   * Timer rounds ask the WebSocket for `status` (no HTTP request, so the TUI does not fill
   * the daemon's request log) and re-read the library list every 30 s; `full` rounds (user
   * actions, scan/library events, no socket) read everything over HTTP.
   */
  async refresh(full = true): Promise<void> {
    if (this.polling) {
      // A round is in flight: a full one asked for now runs right after it.
      this.again ||= full;
      return;
    }
    this.polling = true;
    try {
      if (!full && this.realtime.state === 'open' && Date.now() - this.librariesAt < 30_000) {
        const status = await this.realtime.request<RealtimeStatus>('status');
        this.health = status;
        this.applyScans(status.scans);
      } else {
        const [health, libraries, scans, server] = await Promise.all([
          this.client.health(), this.client.libraries(), this.client.scanStatus(),
          this.server ? Promise.resolve(this.server) : this.client.server(),
        ]);
        this.health = health;
        this.libraries = libraries;
        this.server = server;
        this.librariesAt = Date.now();
        this.applyScans(scans.libraries);
      }
      this.lastError = undefined;
      if (this.connection === 'offline') this.connection = this.realtime.state;
    } catch (err) {
      this.lastError = (err as Error).message;
      if (this.realtime.state !== 'open') this.connection = 'offline';
    } finally {
      this.polling = false;
      this.prune();
      this.changed();
      if (this.again) {
        this.again = false;
        void this.refresh(true);
      }
    }
  }

  private applyScans(list: ScanStatusView[]): void {
    for (const s of list) this.scans.set(s.libraryId, s);
    const known = new Set(this.libraries.map((l) => l.numericId));
    for (const id of this.scans.keys()) if (!known.has(id)) this.scans.delete(id);
  }

  /** Scans running now, or finished in the last minute. */
  visibleScans(): ScanStatusView[] {
    return [...this.scans.values()].filter((s) => s.state === 'running' || (s.finishedAt ?? 0) > Date.now() - FINISHED_VISIBLE_MS);
  }

  libraryName(numericId: number): string {
    return this.libraries.find((l) => l.numericId === numericId)?.name ?? `#${numericId}`;
  }

  private onEvent(topic: string, e: Record<string, unknown>): void {
    const type = String(e.type ?? '');
    const libraryId = Number(e.libraryId);
    if (type === 'scan.started') {
      this.scans.set(libraryId, { libraryId, scanId: Number(e.scanId), state: 'running', phase: 'walk', done: 0, startedAt: Date.now() });
    } else if (type === 'scan.progress') {
      const s = this.scans.get(libraryId);
      const patch = { phase: e.phase as ScanStatusView['phase'], done: Number(e.done), total: e.total as number | undefined, currentPath: e.currentPath as string | undefined };
      if (s && s.scanId === Number(e.scanId)) Object.assign(s, patch);
      else this.scans.set(libraryId, { libraryId, scanId: Number(e.scanId), state: 'running', startedAt: Date.now(), ...patch });
    } else if (type === 'scan.finished') {
      const s = this.scans.get(libraryId);
      if (s) Object.assign(s, { state: e.status === 'done' ? 'done' : e.status, phase: 'idle', finishedAt: Date.now(), added: e.added, changed: e.changed, removed: e.removed });
      void this.refresh();
    } else if (type === 'library.offline' || type === 'library.online') {
      void this.refresh();
    } else if (type === 'job.progress') {
      this.jobs.set(String(e.job), { job: String(e.job), done: Number(e.done), total: e.total as number | undefined, state: String(e.state), at: Date.now() });
    } else if (topic === 'transcodes') {
      const id = String(e.sessionId ?? e.id ?? '?');
      const state = String(e.state ?? type.split('.')[1] ?? 'running');
      this.transcodes.set(id, { id, state, detail: typeof e.fileId === 'number' || typeof e.fileId === 'string' ? `file ${e.fileId}` : undefined, at: Date.now() });
    }
    this.changed();
  }

  /** Running transcodes only; finished jobs drop after a minute. */
  activeTranscodes(): TranscodeView[] {
    return [...this.transcodes.values()].filter((t) => !/^(stopped|ended|done|failed|removed|finished)$/.test(t.state));
  }

  activeJobs(): JobView[] {
    return [...this.jobs.values()].filter((j) => j.state === 'running' || j.at > Date.now() - FINISHED_VISIBLE_MS);
  }

  private prune(): void {
    const old = Date.now() - FINISHED_VISIBLE_MS;
    for (const [k, j] of this.jobs) if (j.state !== 'running' && j.at < old) this.jobs.delete(k);
    for (const [k, t] of this.transcodes) if (t.at < old && !this.activeTranscodes().includes(t)) this.transcodes.delete(k);
  }

  private changed(): void { this.emit('change'); }
}
