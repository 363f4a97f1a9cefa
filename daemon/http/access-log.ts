/**
 * The access log: one JSON line per finished request, written into the same pino
 * destination (stdout + log tap) as every other line, in pino's own line format.
 *
 * Why not `log.info(entry, 'http request')`: pino runs every call through its redaction
 * (wildcard paths such as '*.password') and generic serialiser; on a small authenticated
 * request that was about a third of the daemon's CPU. The access entry has a fixed shape
 * whose fields can never hold a secret (method, route pattern, raw path without the query,
 * status, bytes, duration, request id), so it is serialised here directly. Every line is
 * still written, at the logger's current level (info; debug for quiet paths).
 *
 * Lines are handed to the destination in batches: a line waits up to FLUSH_DELAY_MS for
 * others (or until 64 are pending), then they go out in one write, not one multistream +
 * sonic-boom write each. Why a delay and not the end of the event-loop turn: with one
 * request per turn (a client fetching ranges one after another) every answer cost a pipe
 * write and a wake-up of the log's reader; measured on 1 MiB ranged GETs at 1 connection,
 * the access log took 11-14% of the throughput flushed per turn and ~1-4% with 25 ms.
 * A line thus reaches stdout at most 25 ms after its answer; readers of the log tap get
 * held-back lines first (LogTap.beforeRead, wired in app.ts). flush()
 * writes what is pending now; the server calls it on close, and a process 'exit' hook
 * calls it for every AccessLog with lines still pending.
 */
import { pino, type Logger } from 'pino';

// msgPrefixSym is exported at run time but missing from pino's typings.
const {
  streamSym, chindingsSym, timeSym, timeSliceIndexSym, lsCacheSym, needsMetadataGsym, msgPrefixSym,
} = pino.symbols as unknown as Record<string, symbol>;

const MSG = 'http request';
const LEVEL_INFO = 30;
const LEVEL_DEBUG = 20;

export interface AccessEntry {
  method: string;
  route: string;
  path: string;
  status: number;
  bytes: number;
  ms: number;
  requestId: string;
  aborted: boolean;
}

/** Internal pino fields read by the writer (all public `pino.symbols`). */
interface PinoInternals {
  [k: symbol]: unknown;
}

/** JSON string literal; the fast path for plain ASCII without quotes or escapes. */
function jsonString(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(s) ? `"${s}"` : JSON.stringify(s);
}

/** The symbols this writer needs; if a pino upgrade drops one, pino writes the lines. */
const FAST = [streamSym, chindingsSym, timeSym, timeSliceIndexSym, lsCacheSym, needsMetadataGsym].every((x) => typeof x === 'symbol');

const BATCH_LINES = 64;
/** Longest a line waits for company before it is written. */
export const FLUSH_DELAY_MS = 25;
/** AccessLogs with lines waiting for their timer (flushed on process exit). */
const pendingLogs = new Set<AccessLog>();
let exitHook = false;

/** Write out the lines every AccessLog is holding back (a log reader is about to look). */
export function flushPendingAccessLogs(): void {
  for (const log of pendingLogs) log.flush(); // flush() removes it: safe while iterating a Set
}

export class AccessLog {
  /** Pending lines, all of `pendingLevel`: a batch has one level (multistream routes by it). */
  private pending = '';
  private pendingLevel = 0;
  private count = 0;
  private scheduled = false;
  private readonly flushSoon = (): void => { this.scheduled = false; this.flush(); };

  constructor(private readonly log: Logger) {}

  write(e: AccessEntry, quiet: boolean): void {
    const log = this.log;
    const level = quiet ? LEVEL_DEBUG : LEVEL_INFO;
    if (!log.isLevelEnabled(quiet ? 'debug' : 'info')) return;
    const p = log as unknown as PinoInternals;
    // Custom formatters or a message prefix would change the line: let pino write it.
    if (!FAST || p[msgPrefixSym] !== undefined || (p[lsCacheSym] as Record<number, string> | undefined)?.[level] === undefined) {
      log[quiet ? 'debug' : 'info']({ ...toObject(e) }, MSG);
      return;
    }
    const time = this.timeField(p);
    const line = `${(p[lsCacheSym] as Record<number, string>)[level]}${time}${p[chindingsSym] as string}`
      + `,"method":${jsonString(e.method)},"route":${jsonString(e.route)},"path":${jsonString(e.path)}`
      + `,"status":${e.status},"bytes":${e.bytes},"ms":${e.ms},"requestId":${jsonString(e.requestId)}`
      + `${e.aborted ? ',"aborted":true' : ''},"msg":"${MSG}"}\n`;
    if (this.pending && this.pendingLevel !== level) this.flush(); // keeps the order of lines
    this.pending += line;
    this.pendingLevel = level;
    if (++this.count >= BATCH_LINES) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(this.flushSoon, FLUSH_DELAY_MS).unref(); // the exit hook below covers an exit
      pendingLogs.add(this);
      if (!exitHook) {
        exitHook = true;
        // pino's own exit hook (flushSync) ran before this one was registered: sync again.
        process.once('exit', () => { for (const l of pendingLogs) l.flush(true); });
      }
    }
  }

  /** pino's time field, recomputed only when the millisecond changed (it is per line). */
  private lastMs = -1;
  private lastTime = '';
  private timeField(p: PinoInternals): string {
    const ms = Date.now();
    if (ms !== this.lastMs) { this.lastMs = ms; this.lastTime = (p[timeSym] as () => string)(); }
    return this.lastTime;
  }

  /** Write every pending line now (`sync`: and have the destination write it out before returning). */
  flush(sync = false): void {
    pendingLogs.delete(this);
    this.count = 0;
    if (!this.pending) return;
    const batch = this.pending;
    this.pending = '';
    this.emit(batch, this.pendingLevel);
    if (sync) {
      try {
        ((this.log as unknown as PinoInternals)[streamSym] as { flushSync?: () => void }).flushSync?.();
      } catch { /* exiting: nothing better to do */ }
    }
  }

  private emit(batch: string, level: number): void {
    const p = this.log as unknown as PinoInternals;
    const stream = p[streamSym] as { write(s: string): unknown; [k: symbol]: unknown; lastLevel?: number; lastMsg?: string; lastObj?: object; lastTime?: string; lastLogger?: unknown };
    if (stream[needsMetadataGsym] === true) {
      // pino.multistream routes by these (see pino's proto.js write()).
      stream.lastLevel = level;
      stream.lastObj = {};
      stream.lastMsg = MSG;
      stream.lastTime = (p[timeSym] as () => string)().slice(p[timeSliceIndexSym] as number);
      stream.lastLogger = this.log;
    }
    stream.write(batch);
  }
}

function toObject(e: AccessEntry): Record<string, unknown> {
  return {
    method: e.method, route: e.route, path: e.path, status: e.status, bytes: e.bytes, ms: e.ms,
    requestId: e.requestId, ...(e.aborted && { aborted: true }),
  };
}
