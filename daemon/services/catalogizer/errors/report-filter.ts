/**
 * Query filters of GET /errors/reports and /errors/crashes: level, component (errors),
 * signal (crashes), status, start_date and end_date (YYYY-MM-DD, end inclusive, UTC),
 * limit (default 50, 1..500) and offset. Bad values answer 400, never a silent default.
 */
import { ValidationError } from '../../../domain/errors.js';

export interface ReportQuery { get(name: string): string | null }

export interface ReportFilter {
  level?: string; component?: string; signal?: string; status?: string; start_date?: string; end_date?: string;
  limit: number; offset: number;
}

export interface BuiltFilter extends ReportFilter { echo: ReportFilter; fromMs?: number; toMs?: number }

const LEVELS = ['debug', 'info', 'warning', 'error', 'fatal'];
const STATUSES = ['new', 'in_progress', 'resolved', 'ignored'];
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function date(raw: string | null, field: string): number | undefined {
  if (raw === null || raw === '') return undefined;
  const ms = DATE_RE.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : Number.NaN;
  if (!Number.isFinite(ms)) throw new ValidationError(`${field} must be a date (YYYY-MM-DD)`, { field });
  return ms;
}

function int(raw: string | null, field: string, fallback: number, min: number, max: number): number {
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ValidationError(`${field} must be an integer from ${min} to ${max}`, { field });
  }
  return Number(raw);
}

export function buildFilter(kind: 'error' | 'crash', q: ReportQuery): BuiltFilter {
  const pick = (name: string, allowed?: string[]): string | undefined => {
    const v = q.get(name);
    if (v === null || v === '') return undefined;
    if (allowed && !allowed.includes(v)) throw new ValidationError(`${name} must be one of ${allowed.join(', ')}`, { field: name });
    return v;
  };
  const echo: ReportFilter = {
    ...(kind === 'error' ? { level: pick('level', LEVELS), component: pick('component') } : { signal: pick('signal') }),
    status: pick('status', STATUSES), start_date: pick('start_date'), end_date: pick('end_date'),
    limit: int(q.get('limit'), 'limit', 50, 1, 500), offset: int(q.get('offset'), 'offset', 0, 0, Number.MAX_SAFE_INTEGER),
  };
  for (const k of Object.keys(echo) as Array<keyof ReportFilter>) if (echo[k] === undefined) delete echo[k];
  const fromMs = date(q.get('start_date'), 'start_date');
  const endMs = date(q.get('end_date'), 'end_date');
  return { ...echo, echo, fromMs, toMs: endMs === undefined ? undefined : endMs + 86_400_000 };
}

export function matches(r: { level?: string; component?: string; signal?: string; status: string; reported_at: string }, f: BuiltFilter): boolean {
  if (f.level !== undefined && r.level !== f.level) return false;
  if (f.component !== undefined && r.component !== f.component) return false;
  if (f.signal !== undefined && r.signal !== f.signal) return false;
  if (f.status !== undefined && r.status !== f.status) return false;
  const at = Date.parse(r.reported_at);
  if (f.fromMs !== undefined && at < f.fromMs) return false;
  if (f.toMs !== undefined && at >= f.toMs) return false;
  return true;
}

export function pageOf<T>(items: T[], f: BuiltFilter): T[] {
  return items.slice(f.offset, f.offset + f.limit);
}
