/**
 * A tap on the daemon's own structured log: pino writes every line here as well as to
 * stdout. It keeps the most recent lines in a bounded ring (for /api/logs, Catalogizer's
 * log management and the TUI's log screen) and hands each line to live listeners (the
 * WebSocket 'logs' topic). Memory is bounded by `capacity` lines.
 */
import { Writable } from 'node:stream';

export interface LogRecord {
  level: number;
  time: string;
  msg: string;
  component?: string;
  [key: string]: unknown;
}

export const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

export class LogTap extends Writable {
  private readonly ring: LogRecord[] = [];
  private next = 0;
  private readonly subscribers = new Set<(record: LogRecord) => void>();

  constructor(private readonly capacity = 5000) {
    super({ decodeStrings: false });
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    for (const text of String(chunk).split('\n')) {
      if (!text) continue;
      let record: LogRecord;
      try { record = JSON.parse(text) as LogRecord; } catch { continue; }
      if (this.ring.length < this.capacity) this.ring.push(record);
      else this.ring[this.next] = record;
      this.next = (this.next + 1) % this.capacity;
      for (const listener of this.subscribers) {
        try { listener(record); } catch { /* a listener's failure is its own */ }
      }
    }
    callback();
  }

  /** Recent lines, oldest first. */
  recent(limit = this.capacity): LogRecord[] {
    const ordered = this.ring.length < this.capacity
      ? this.ring.slice()
      : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return ordered.slice(-limit);
  }

  subscribe(listener: (record: LogRecord) => void): () => void {
    this.subscribers.add(listener);
    return () => { this.subscribers.delete(listener); };
  }
}
