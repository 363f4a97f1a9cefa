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
  /**
   * Raw JSON lines: parsing is deferred to readers (recent()) and live subscribers, so a
   * busy daemon does not pay a JSON.parse per access-log line when nobody is looking.
   */
  private readonly ring: string[] = [];
  private next = 0;
  private readonly subscribers = new Set<(record: LogRecord) => void>();
  private readonly beforeReadHooks: Array<() => void> = [];

  constructor(private readonly capacity = 5000) {
    super({ decodeStrings: false });
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const text = String(chunk);
    // pino writes one line per chunk; split only when it did not.
    const lines = text.indexOf('\n') === text.length - 1 ? [text.slice(0, -1)] : text.split('\n');
    for (const line of lines) {
      if (!line) continue;
      if (this.ring.length < this.capacity) this.ring.push(line);
      else this.ring[this.next] = line;
      this.next = (this.next + 1) % this.capacity;
      if (this.subscribers.size === 0) continue;
      const record = parse(line);
      if (!record) continue;
      for (const listener of this.subscribers) {
        try { listener(record); } catch { /* a listener's failure is its own */ }
      }
    }
    callback();
  }

  /**
   * `hook` runs at the start of every recent(): a writer that holds lines back to batch them
   * (the access log, up to 25 ms) hands them over first, so a reader sees every answer given.
   */
  beforeRead(hook: () => void): void {
    this.beforeReadHooks.push(hook);
  }

  /** Recent lines, oldest first. */
  recent(limit = this.capacity): LogRecord[] {
    for (const hook of this.beforeReadHooks) {
      try { hook(); } catch { /* a hook's failure is its own */ }
    }
    const ordered = this.ring.length < this.capacity
      ? this.ring
      : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    const out: LogRecord[] = [];
    for (const line of ordered.slice(-limit)) {
      const record = parse(line);
      if (record) out.push(record);
    }
    return out;
  }

  subscribe(listener: (record: LogRecord) => void): () => void {
    this.subscribers.add(listener);
    return () => { this.subscribers.delete(listener); };
  }
}

function parse(line: string): LogRecord | undefined {
  try { return JSON.parse(line) as LogRecord; } catch { return undefined; }
}
