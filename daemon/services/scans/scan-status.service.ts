/**
 * Live scan status per library, kept from server events (so it costs nothing to read):
 * what /api/scan-status, the TUI dashboard and /health show.
 */
import type { EventBus, ServerEvent } from '../../domain/ports.js';

export interface LibraryScanStatus {
  libraryId: number;
  scanId: number;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  phase: 'walk' | 'probe' | 'idle';
  done: number;
  total?: number;
  currentPath?: string;
  startedAt: number;
  finishedAt?: number;
  added?: number;
  changed?: number;
  removed?: number;
}

export class ScanStatusService {
  private readonly byLibrary = new Map<number, LibraryScanStatus>();
  private readonly unsubscribe: () => void;

  constructor(events: EventBus, private readonly now: () => number = Date.now) {
    this.unsubscribe = events.on((event) => this.apply(event));
  }

  private apply(event: ServerEvent): void {
    switch (event.type) {
      case 'scan.started':
        this.byLibrary.set(event.libraryId, {
          libraryId: event.libraryId, scanId: event.scanId, state: 'running', phase: 'walk', done: 0, startedAt: this.now(),
        });
        break;
      case 'scan.progress': {
        const s = this.byLibrary.get(event.libraryId);
        if (s && s.scanId === event.scanId) Object.assign(s, { phase: event.phase, done: event.done, total: event.total, currentPath: event.currentPath });
        break;
      }
      case 'scan.finished': {
        const s = this.byLibrary.get(event.libraryId);
        if (s && s.scanId === event.scanId) {
          Object.assign(s, {
            state: event.status as LibraryScanStatus['state'], phase: 'idle', finishedAt: this.now(),
            added: event.added, changed: event.changed, removed: event.removed, currentPath: undefined,
          });
        }
        break;
      }
      default:
        break;
    }
  }

  all(): LibraryScanStatus[] { return [...this.byLibrary.values()]; }
  get(libraryId: number): LibraryScanStatus | undefined { return this.byLibrary.get(libraryId); }
  get scanning(): boolean { return this.all().some((s) => s.state === 'running'); }
  /** Forget a removed library. */
  forget(libraryId: number): void { this.byLibrary.delete(libraryId); }
  close(): void { this.unsubscribe(); }
}
