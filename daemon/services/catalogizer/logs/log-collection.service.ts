/**
 * Log collections (Catalogizer /api/v1/logs, api-003 §20): a named snapshot of the daemon's
 * own structured log (LogTap ring), filtered by components, minimum level and time window,
 * stored in the index ('log-collection' records; entries under 'log-entry:<id>'), then
 * listed, queried, exported and analysed. Without a LogTap (tests) a collection is empty.
 */
import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import { systemClock, type Clock, type RecordRepo } from '../../../domain/ports.js';
import type { LogTap } from '../../../log/log-tap.js';
import { analyze, type LogAnalysis } from './log-analysis.js';
import { entryMatches, levelAtLeast, normalizeLevel, toEntry, type EntryFilter, type LogEntryView } from './log-entry.js';
import { exportEntries, type ExportedFile, type ExportFormat } from './log-export.js';

export interface LogCollection {
  id: number; user_id: number; name: string; description: string; components: string[]; log_level: string;
  start_time?: string; end_time?: string; created_at: string; completed_at?: string;
  status: 'pending' | 'in_progress' | 'completed' | 'failed'; entry_count: number; filters?: Record<string, unknown>;
}

export interface Query { get(name: string): string | null }

const COLLECTION = 'log-collection';
const entriesOf = (id: number): string => `log-entry:${id}`;
const MAX_ENTRIES_PAGE = 1000;

function isoField(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(ms)) throw new ValidationError(`${field} must be an ISO 8601 time`, { field });
  return ms;
}

function intParam(raw: string | null, field: string, fallback: number, max: number): number {
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > max) throw new ValidationError(`${field} must be an integer from 0 to ${max}`, { field });
  return Number(raw);
}

export class LogCollectionService {
  private readonly clock: Clock;

  constructor(private readonly records: RecordRepo, private readonly tap: LogTap | undefined, clock?: Clock) {
    this.clock = clock ?? systemClock;
  }

  async collect(userId: number, body: Record<string, unknown>): Promise<LogCollection> {
    if (typeof body.name !== 'string' || !body.name.trim() || body.name.length > 200) {
      throw new ValidationError('name is required (at most 200 characters)', { field: 'name' });
    }
    const components = body.components === undefined || body.components === null ? [] : body.components;
    if (!Array.isArray(components) || components.some((c) => typeof c !== 'string')) {
      throw new ValidationError('components must be an array of strings', { field: 'components' });
    }
    const level = body.log_level === undefined || body.log_level === '' ? 'debug' : normalizeLevel(String(body.log_level));
    if (!level) throw new ValidationError('log_level must be one of debug, info, warning, error, fatal', { field: 'log_level' });
    const fromMs = isoField(body.start_time, 'start_time');
    const toMs = isoField(body.end_time, 'end_time');
    if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) throw new ValidationError('start_time is after end_time', { field: 'start_time' });
    const filters = body.filters === undefined || body.filters === null ? undefined : body.filters;
    if (filters !== undefined && (typeof filters !== 'object' || Array.isArray(filters))) throw new ValidationError('filters must be an object', { field: 'filters' });
    const includeStacks = (filters as Record<string, unknown> | undefined)?.include_stack_traces !== false;

    const wanted = new Set(components as string[]);
    const entries = (this.tap?.recent() ?? [])
      .map((r, i) => toEntry(r, i + 1))
      .filter((e) => (wanted.size === 0 || wanted.has(e.component)) && levelAtLeast(e.level, level))
      .filter((e) => entryMatches(e, { fromMs, toMs }))
      .map((e, i) => ({ ...e, id: i + 1, ...(includeStacks || !e.context ? {} : { context: stripStacks(e.context) }) }));

    const now = new Date(this.clock.now()).toISOString();
    const created = await this.records.insert<LogCollection>(COLLECTION, (id) => ({
      id, user_id: userId, name: (body.name as string).trim(), description: typeof body.description === 'string' ? body.description : '',
      components: components as string[], log_level: level,
      ...(fromMs !== undefined ? { start_time: new Date(fromMs).toISOString() } : {}),
      ...(toMs !== undefined ? { end_time: new Date(toMs).toISOString() } : {}),
      created_at: now, status: 'in_progress', entry_count: 0, ...(filters ? { filters: filters as Record<string, unknown> } : {}),
    }));
    if (entries.length) await this.records.insertMany(entriesOf(created.id), entries.map((e) => ({ ...e, collection_id: created.id })));
    const done: LogCollection = { ...created, status: 'completed', entry_count: entries.length, completed_at: new Date(this.clock.now()).toISOString() };
    await this.records.put(COLLECTION, created.id, done);
    return done;
  }

  list(q: Query): { collections: LogCollection[]; limit: number; offset: number; total: number } {
    const limit = intParam(q.get('limit'), 'limit', 20, 1000) || 20;
    const offset = intParam(q.get('offset'), 'offset', 0, Number.MAX_SAFE_INTEGER);
    const collections = [...this.records.scan<LogCollection>(COLLECTION, { reverse: true, offset, limit })].map((e) => e.value);
    return { collections, limit, offset, total: this.records.count(COLLECTION) };
  }

  get(id: number): LogCollection {
    const found = this.records.get<LogCollection>(COLLECTION, id);
    if (!found) throw new NotFoundError('Log collection not found', 'COLLECTION_NOT_FOUND');
    return found;
  }

  entries(id: number, q: Query): { entries: LogEntryView[]; filters: Record<string, unknown>; total: number; limit: number; offset: number } {
    this.get(id);
    const levelRaw = q.get('level');
    const level = levelRaw ? normalizeLevel(levelRaw) : undefined;
    if (levelRaw && !level) throw new ValidationError('level must be one of debug, info, warning, error, fatal', { field: 'level' });
    const filter: EntryFilter = {
      ...(level ? { level } : {}), ...(q.get('component') ? { component: q.get('component')! } : {}),
      ...(q.get('search') ? { search: q.get('search')! } : {}),
      fromMs: isoField(q.get('start_time'), 'start_time'), toMs: isoField(q.get('end_time'), 'end_time'),
    };
    const limit = intParam(q.get('limit'), 'limit', 100, MAX_ENTRIES_PAGE) || 100;
    const offset = intParam(q.get('offset'), 'offset', 0, Number.MAX_SAFE_INTEGER);
    const matching = this.allEntries(id).filter((e) => entryMatches(e, filter));
    const filters: Record<string, unknown> = {};
    for (const k of ['level', 'component', 'search', 'start_time', 'end_time'] as const) if (q.get(k)) filters[k] = q.get(k);
    return { entries: matching.slice(offset, offset + limit), filters, total: matching.length, limit, offset };
  }

  export(id: number, format: ExportFormat): ExportedFile {
    this.get(id);
    return exportEntries(this.allEntries(id), format, `logs-${id}`);
  }

  analyze(id: number): LogAnalysis {
    this.get(id);
    return analyze(id, this.allEntries(id));
  }

  allEntries(id: number): LogEntryView[] {
    return [...this.records.scan<LogEntryView>(entriesOf(id))].map((e) => e.value);
  }

  statistics(activeShares: number): Record<string, unknown> {
    const all = [...this.records.scan<LogCollection>(COLLECTION)].map((e) => e.value);
    const byStatus: Record<string, number> = {};
    for (const c of all) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
    const weekAgo = this.clock.now() - 7 * 86_400_000;
    return {
      total_collections: all.length, total_entries: all.reduce((n, c) => n + c.entry_count, 0), active_shares: activeShares,
      collections_by_status: byStatus, recent_collections: all.filter((c) => Date.parse(c.created_at) > weekAgo).length,
    };
  }
}

function stripStacks(context: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(context)) {
    if (k === 'stack') continue;
    out[k] = v && typeof v === 'object' && !Array.isArray(v) ? stripStacks(v as Record<string, unknown>) : v;
  }
  return out;
}
