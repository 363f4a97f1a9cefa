/**
 * Live log lines for SSE (GET /logs/stream): each LogTap line that passes the filter goes
 * to the sink as a Catalogizer log entry. A slow client gets at most `maxQueued` pending
 * entries; beyond that lines are dropped and counted (the log must never block on a
 * reader). Returns the function that stops the stream.
 */
import type { LogTap } from '../../../log/log-tap.js';
import { entryMatches, toEntry, type EntryFilter, type LogEntryView } from './log-entry.js';

export interface LogSink {
  /** Resolves false when the client is gone. */
  send(entry: LogEntryView): Promise<boolean>;
}

export function streamLogs(tap: LogTap | undefined, filter: EntryFilter, sink: LogSink, maxQueued = 1000): { stop: () => void; dropped: () => number } {
  if (!tap) return { stop: () => undefined, dropped: () => 0 };
  let seq = 0;
  let dropped = 0;
  let stopped = false;
  const queue: LogEntryView[] = [];
  let pumping = false;
  const pump = async (): Promise<void> => {
    pumping = true;
    while (queue.length && !stopped) {
      if (!(await sink.send(queue.shift()!))) { stop(); break; }
    }
    pumping = false;
  };
  const unsubscribe = tap.subscribe((record) => {
    if (stopped) return;
    const entry = toEntry(record, seq + 1);
    if (!entryMatches(entry, filter)) return;
    seq += 1;
    if (queue.length >= maxQueued) { dropped += 1; return; }
    queue.push(entry);
    if (!pumping) void pump();
  });
  const stop = (): void => { stopped = true; queue.length = 0; unsubscribe(); };
  return { stop, dropped: () => dropped };
}
