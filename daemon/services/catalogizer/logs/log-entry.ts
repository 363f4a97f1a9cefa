/**
 * Catalogizer log entries from the daemon's structured (pino) log lines: levels map to
 * Catalogizer's names (trace and debug -> debug, warn -> warning), the component is the
 * child logger's `component` (else 'daemon'), the rest of the line is the context.
 */
import type { LogRecord } from '../../../log/log-tap.js';

export interface LogEntryView {
  id: number;
  collection_id?: number;
  timestamp: string;
  level: string;
  component: string;
  message: string;
  context?: Record<string, unknown>;
}

export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'fatal'] as const;
const RANK: Record<string, number> = { debug: 0, info: 1, warning: 2, error: 3, fatal: 4 };
const OMIT = new Set(['level', 'time', 'msg', 'component', 'pid', 'hostname', 'v']);

export function levelName(level: number): string {
  if (level >= 60) return 'fatal';
  if (level >= 50) return 'error';
  if (level >= 40) return 'warning';
  if (level >= 30) return 'info';
  return 'debug';
}

/** Accepts Catalogizer's and pino's spellings ('warn' = 'warning'). */
export function normalizeLevel(level: string): string | undefined {
  const l = level.toLowerCase();
  if (l === 'warn') return 'warning';
  if (l === 'trace') return 'debug';
  return l in RANK ? l : undefined;
}

export function levelAtLeast(level: string, min: string): boolean {
  return (RANK[level] ?? 0) >= (RANK[min] ?? 0);
}

export function toEntry(record: LogRecord, id: number, collectionId?: number): LogEntryView {
  const context: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (!OMIT.has(k)) context[k] = v;
  const time = typeof record.time === 'string' || typeof record.time === 'number' ? new Date(record.time) : new Date();
  return {
    id, ...(collectionId !== undefined ? { collection_id: collectionId } : {}),
    timestamp: Number.isNaN(time.getTime()) ? new Date().toISOString() : time.toISOString(),
    level: levelName(Number(record.level)), component: typeof record.component === 'string' ? record.component : 'daemon',
    message: typeof record.msg === 'string' ? record.msg : '',
    ...(Object.keys(context).length ? { context } : {}),
  };
}

export interface EntryFilter { level?: string; component?: string; search?: string; fromMs?: number; toMs?: number }

export function entryMatches(e: LogEntryView, f: EntryFilter): boolean {
  if (f.level !== undefined && e.level !== f.level) return false;
  if (f.component !== undefined && e.component !== f.component) return false;
  const at = Date.parse(e.timestamp);
  if (f.fromMs !== undefined && at < f.fromMs) return false;
  if (f.toMs !== undefined && at > f.toMs) return false;
  if (f.search) {
    const needle = f.search.toLowerCase();
    if (!e.message.toLowerCase().includes(needle) && !(e.context && JSON.stringify(e.context).toLowerCase().includes(needle))) return false;
  }
  return true;
}
