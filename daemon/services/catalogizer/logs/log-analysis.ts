/**
 * Analysis of a log collection: counts by level and component, recurring error patterns
 * (messages with numbers, ids, paths and quoted values masked, so one failure mode counts
 * once), the covered time range, the top errors and short insights derived from those.
 */
import type { LogEntryView } from './log-entry.js';

export interface LogAnalysis {
  collection_id: number;
  total_entries: number;
  entries_by_level: Record<string, number>;
  entries_by_component: Record<string, number>;
  error_patterns: Record<string, number>;
  top_errors: Array<{ message: string; component: string; count: number }>;
  time_range: { start: string | null; end: string | null };
  insights: string[];
}

export function errorPattern(message: string): string {
  return message.toLowerCase()
    .replace(/"[^"]*"|'[^']*'/g, '<str>')
    .replace(/(?:\/[\w.@-]+)+\/?/g, '<path>')
    .replace(/\b[0-9a-f]{8,}\b/g, '<hex>')
    .replace(/\d+(?:\.\d+)?/g, '<n>')
    .replace(/\s+/g, ' ').trim().slice(0, 200);
}

export function analyze(collectionId: number, entries: LogEntryView[]): LogAnalysis {
  const byLevel: Record<string, number> = {};
  const byComponent: Record<string, number> = {};
  const patterns = new Map<string, number>();
  const errors = new Map<string, { message: string; component: string; count: number }>();
  const errorsByHour = new Map<string, number>();
  const errorsByComponent: Record<string, number> = {};
  let start: string | null = null;
  let end: string | null = null;
  for (const e of entries) {
    byLevel[e.level] = (byLevel[e.level] ?? 0) + 1;
    byComponent[e.component] = (byComponent[e.component] ?? 0) + 1;
    if (start === null || e.timestamp < start) start = e.timestamp;
    if (end === null || e.timestamp > end) end = e.timestamp;
    if (e.level !== 'error' && e.level !== 'fatal') continue;
    const p = errorPattern(e.message || '(no message)');
    patterns.set(p, (patterns.get(p) ?? 0) + 1);
    const key = `${e.component}\u0000${p}`;
    const found = errors.get(key);
    if (found) found.count += 1; else errors.set(key, { message: e.message, component: e.component, count: 1 });
    const hour = e.timestamp.slice(0, 13);
    errorsByHour.set(hour, (errorsByHour.get(hour) ?? 0) + 1);
    errorsByComponent[e.component] = (errorsByComponent[e.component] ?? 0) + 1;
  }
  const topPatterns = [...patterns.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20);
  const insights: string[] = [];
  const errorTotal = (byLevel.error ?? 0) + (byLevel.fatal ?? 0);
  if (entries.length === 0) insights.push('The collection holds no entries');
  else insights.push(`${((errorTotal / entries.length) * 100).toFixed(1)}% of entries are errors (${errorTotal} of ${entries.length})`);
  const worst = Object.entries(errorsByComponent).sort((a, b) => b[1] - a[1])[0];
  if (worst) insights.push(`Component ${worst[0]} logged the most errors (${worst[1]})`);
  const peak = [...errorsByHour.entries()].sort((a, b) => b[1] - a[1])[0];
  if (peak && errorsByHour.size > 1) insights.push(`Errors peaked between ${peak[0].slice(11, 13)}:00 and ${peak[0].slice(11, 13)}:59 UTC on ${peak[0].slice(0, 10)} (${peak[1]})`);
  if (topPatterns[0] && topPatterns[0][1] > 1) insights.push(`Most frequent error pattern (${topPatterns[0][1]}x): ${topPatterns[0][0]}`);
  if ((byLevel.warning ?? 0) > errorTotal * 5 && (byLevel.warning ?? 0) > 10) insights.push(`Many warnings (${byLevel.warning}) compared with errors`);
  return {
    collection_id: collectionId, total_entries: entries.length, entries_by_level: byLevel, entries_by_component: byComponent,
    error_patterns: Object.fromEntries(topPatterns),
    top_errors: [...errors.values()].sort((a, b) => b.count - a.count).slice(0, 10),
    time_range: { start, end }, insights,
  };
}
