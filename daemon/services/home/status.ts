/**
 * /api/status (counts of libraries, items, users, sessions, transcodes) and /api/logs
 * (recent HTTP requests from the daemon's own log tap; admin).
 */
import type { IndexStore } from '../../domain/ports.js';
import type { LogRecord } from '../../log/log-tap.js';
import type { AccessScope } from '../access/access.service.js';

export interface StatusDeps {
  index: IndexStore;
  server: () => Record<string, unknown>;
  transcodes: () => number;
  scanning: () => number;
  pendingProgress: () => number;
  startedAt: number;
}

export function serverStatus(d: StatusDeps, scope: AccessScope): Record<string, unknown> {
  const libs = d.index.libraries.list().filter((l) => l.purpose === 'library' && scope.allowsLibrary(l.id));
  const c = d.index.items.counters();
  return {
    server: d.server(),
    uptime: Math.floor((Date.now() - d.startedAt) / 1000),
    libraries: libs.length,
    items: c.items,
    files: c.files,
    users: d.index.users.count(),
    sessions: d.index.sessions.count(),
    transcodes: d.transcodes(),
    scanning: d.scanning(),
    pendingProgressWrites: d.pendingProgress(),
  };
}

export interface RequestLogEntry { time: string; method: string; path: string; route?: string; status: number; ms: number; bytes?: number; requestId?: string }

/** The last `limit` request lines, newest first; `status` filters on a status class ('4xx') or code. */
export function recentRequests(records: LogRecord[], limit: number, status?: string): RequestLogEntry[] {
  const out: RequestLogEntry[] = [];
  for (let i = records.length - 1; i >= 0 && out.length < limit; i--) {
    const r = records[i];
    if (r.msg !== 'http request') continue;
    const st = typeof r.status === 'number' ? r.status : 0;
    if (status && !(status.endsWith('xx') ? String(st)[0] === status[0] : String(st) === status)) continue;
    out.push({
      time: typeof r.time === 'string' ? r.time : new Date(Number(r.time)).toISOString(), method: String(r.method ?? ''), path: String(r.path ?? ''),
      route: typeof r.route === 'string' ? r.route : undefined, status: st, ms: typeof r.ms === 'number' ? r.ms : 0,
      bytes: typeof r.bytes === 'number' ? r.bytes : undefined, requestId: typeof r.requestId === 'string' ? r.requestId : undefined,
    });
  }
  return out;
}
