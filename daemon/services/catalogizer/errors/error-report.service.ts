/**
 * Error and crash reports (Catalogizer /api/v1/errors, api-003 §19), stored in the index
 * (RecordRepo collections 'error-report' and 'crash-report'). Clients submit them; the
 * daemon records its own unexpected errors as crash reports too (recordCrash, wired to the
 * HTTP server's onUnexpectedError hook and to process-level handlers). A burst of one
 * fingerprint within `dedupeWindowMs` bumps `occurrences` on the first record instead of
 * filling the store.
 */
import { createHash } from 'node:crypto';
import { arch, hostname, platform, release } from 'node:os';
import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import { systemClock, type Clock, type RecordRepo } from '../../../domain/ports.js';
import { buildFilter, matches, pageOf, type ReportFilter, type ReportQuery } from './report-filter.js';

export const ERROR_LEVELS = ['debug', 'info', 'warning', 'error', 'fatal'] as const;
export const REPORT_STATUSES = ['new', 'in_progress', 'resolved', 'ignored'] as const;
export type ReportStatus = typeof REPORT_STATUSES[number];

interface Common {
  id: number; user_id: number | null; message: string; stack_trace: string; context: Record<string, unknown>;
  system_info: Record<string, unknown>; fingerprint: string; status: ReportStatus; reported_at: string;
  resolved_at?: string; occurrences: number;
}
export interface ErrorReport extends Common {
  level: string; error_code: string; component: string; user_agent: string; url: string;
}
export interface CrashReport extends Common { signal: string }

type Kind = 'error' | 'crash';
const COLLECTION: Record<Kind, string> = { error: 'error-report', crash: 'crash-report' };
const DAY_MS = 86_400_000;
const MAX_TEXT = 64 * 1024;

const text = (v: unknown, field: string, max = MAX_TEXT, required = false): string => {
  if (v === undefined || v === null || v === '') {
    if (required) throw new ValidationError(`${field} is required`, { field });
    return '';
  }
  if (typeof v !== 'string') throw new ValidationError(`${field} must be a string`, { field });
  return v.slice(0, max);
};
const objectField = (v: unknown, field: string): Record<string, unknown> => {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ValidationError(`${field} must be an object`, { field });
  if (JSON.stringify(v).length > MAX_TEXT) throw new ValidationError(`${field} is too large`, { field });
  return v as Record<string, unknown>;
};

export class ErrorReportService {
  private readonly clock: Clock;
  private readonly recent = new Map<string, { id: number; at: number }>();

  constructor(
    private readonly records: RecordRepo,
    private readonly version: string,
    private readonly options: { dedupeWindowMs?: number; clock?: Clock } = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  report(userId: number | null, body: Record<string, unknown>): Promise<ErrorReport> {
    const level = text(body.level, 'level', 16, true);
    if (!(ERROR_LEVELS as readonly string[]).includes(level)) {
      throw new ValidationError(`level must be one of ${ERROR_LEVELS.join(', ')}`, { field: 'level' });
    }
    const fields = {
      level, message: text(body.message, 'message', MAX_TEXT, true), error_code: text(body.error_code, 'error_code', 200),
      component: text(body.component, 'component', 200), stack_trace: text(body.stack_trace, 'stack_trace'),
      context: objectField(body.context, 'context'), user_agent: text(body.user_agent, 'user_agent', 1000), url: text(body.url, 'url', 4000),
    };
    const fingerprint = fingerprintOf([fields.level, fields.component, fields.error_code, fields.message]);
    return this.store<ErrorReport>('error', fingerprint, (id) => ({ id, user_id: userId, ...fields, ...this.base(fingerprint) }));
  }

  crash(userId: number | null, body: Record<string, unknown>): Promise<CrashReport> {
    const fields = {
      signal: text(body.signal, 'signal', 100, true), message: text(body.message, 'message', MAX_TEXT, true),
      stack_trace: text(body.stack_trace, 'stack_trace'), context: objectField(body.context, 'context'),
    };
    const fingerprint = fingerprintOf([fields.signal, fields.message]);
    return this.store<CrashReport>('crash', fingerprint, (id) => ({ id, user_id: userId, ...fields, ...this.base(fingerprint) }));
  }

  /** The daemon's own unexpected error (HTTP handler bug, unhandled rejection, uncaught exception). */
  recordCrash(err: unknown, signal: string, context: Record<string, unknown> = {}): Promise<CrashReport> {
    const e = err instanceof Error ? err : new Error(String(err));
    return this.crash(null, { signal, message: e.message || e.name, stack_trace: e.stack ?? '', context: { ...context, name: e.name } });
  }

  list(kind: Kind, query: ReportQuery): { filters: ReportFilter; reports: Array<ErrorReport | CrashReport>; total: number } {
    const filter = buildFilter(kind, query);
    const all = [...this.records.scan<ErrorReport & CrashReport>(COLLECTION[kind], { reverse: true })].map((e) => e.value);
    const matching = all.filter((r) => matches(r, filter));
    return { filters: filter.echo, reports: pageOf(matching, filter), total: matching.length };
  }

  get(kind: Kind, id: number): ErrorReport | CrashReport {
    const found = this.records.get<ErrorReport | CrashReport>(COLLECTION[kind], id);
    if (!found) throw new NotFoundError(kind === 'error' ? 'Error report not found' : 'Crash report not found', 'REPORT_NOT_FOUND');
    return found;
  }

  async setStatus(kind: Kind, id: number, status: unknown): Promise<void> {
    if (typeof status !== 'string' || !(REPORT_STATUSES as readonly string[]).includes(status)) {
      throw new ValidationError(`status must be one of ${REPORT_STATUSES.join(', ')}`, { field: 'status' });
    }
    const current = this.get(kind, id);
    const next = { ...current, status: status as ReportStatus };
    if (status === 'resolved') next.resolved_at = new Date(this.clock.now()).toISOString();
    else delete next.resolved_at;
    await this.records.put(COLLECTION[kind], id, next);
  }

  errorStatistics(): Record<string, unknown> {
    const reports = this.all<ErrorReport>('error');
    const byLevel: Record<string, number> = {};
    const byComponent: Record<string, number> = {};
    for (const r of reports) {
      byLevel[r.level] = (byLevel[r.level] ?? 0) + 1;
      const c = r.component || 'unknown';
      byComponent[c] = (byComponent[c] ?? 0) + 1;
    }
    return {
      total_errors: reports.length, errors_by_level: byLevel, errors_by_component: byComponent,
      recent_errors: this.recentCount(reports), resolved_errors: reports.filter((r) => r.status === 'resolved').length,
      avg_resolution_time: avgResolution(reports),
    };
  }

  crashStatistics(): Record<string, unknown> {
    const crashes = this.all<CrashReport>('crash');
    const bySignal: Record<string, number> = {};
    for (const c of crashes) bySignal[c.signal] = (bySignal[c.signal] ?? 0) + 1;
    const week = crashes.filter((c) => Date.parse(c.reported_at) > this.clock.now() - 7 * DAY_MS).length;
    return {
      total_crashes: crashes.length, crashes_by_signal: bySignal, recent_crashes: this.recentCount(crashes),
      resolved_crashes: crashes.filter((c) => c.status === 'resolved').length, avg_resolution_time: avgResolution(crashes),
      /** Crashes per day over the last 7 days. */
      crash_rate: Math.round((week / 7) * 1000) / 1000,
    };
  }

  /** 100 minus 2 per error and 10 per crash of the last 24 h (floor 0): healthy >= 80, degraded >= 50. */
  health(): Record<string, unknown> {
    const errors = this.all<ErrorReport>('error');
    const crashes = this.all<CrashReport>('crash');
    const recentErrors = this.recentCount(errors);
    const recentCrashes = this.recentCount(crashes);
    const score = Math.max(0, 100 - 2 * recentErrors - 10 * recentCrashes);
    return {
      score, status: score >= 80 ? 'healthy' : score >= 50 ? 'degraded' : 'critical',
      checked_at: new Date(this.clock.now()).toISOString(),
      metrics: {
        recent_errors: recentErrors, recent_crashes: recentCrashes,
        unresolved_errors: errors.filter((e) => e.status === 'new' || e.status === 'in_progress').length,
        unresolved_crashes: crashes.filter((c) => c.status === 'new' || c.status === 'in_progress').length,
        total_errors: errors.length, total_crashes: crashes.length,
      },
    };
  }

  private async store<T extends Common>(kind: Kind, fingerprint: string, build: (id: number) => T): Promise<T> {
    const now = this.clock.now();
    const key = `${kind}:${fingerprint}`;
    const seen = this.recent.get(key);
    if (seen && now - seen.at < (this.options.dedupeWindowMs ?? 60_000)) {
      const existing = this.records.get<T>(COLLECTION[kind], seen.id);
      if (existing) {
        const bumped = { ...existing, occurrences: existing.occurrences + 1 };
        await this.records.put(COLLECTION[kind], seen.id, bumped);
        return bumped;
      }
    }
    const created = await this.records.insert(COLLECTION[kind], build);
    this.recent.set(key, { id: created.id, at: now });
    if (this.recent.size > 1000) this.recent.delete(this.recent.keys().next().value as string);
    return created;
  }

  private base(fingerprint: string): Omit<Common, 'id' | 'user_id' | 'message' | 'stack_trace' | 'context'> {
    const mem = process.memoryUsage();
    return {
      system_info: {
        os: platform(), os_release: release(), arch: arch(), hostname: hostname(), node_version: process.version,
        version: this.version, rss: mem.rss, heap_used: mem.heapUsed, uptime_seconds: Math.round(process.uptime()),
      },
      fingerprint, status: 'new', reported_at: new Date(this.clock.now()).toISOString(), occurrences: 1,
    };
  }

  private all<T>(kind: Kind): T[] {
    return [...this.records.scan<T>(COLLECTION[kind])].map((e) => e.value);
  }

  private recentCount(reports: Common[]): number {
    const since = this.clock.now() - DAY_MS;
    return reports.filter((r) => Date.parse(r.reported_at) > since).length;
  }
}

function fingerprintOf(parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

function avgResolution(reports: Common[]): number {
  const times = reports.filter((r) => r.resolved_at).map((r) => (Date.parse(r.resolved_at!) - Date.parse(r.reported_at)) / 1000);
  return times.length ? Math.round((times.reduce((a, b) => a + b, 0) / times.length) * 10) / 10 : 0;
}
