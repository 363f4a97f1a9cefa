/**
 * Ranged GET as a Readable that always ends or errors.
 *
 * Why not the webdav client's createReadStream: it pipes the fetch body into a
 * PassThrough with .pipe(), which forwards no errors, so when the server dies or hangs
 * mid-body the stream neither errors nor ends; and destroying it does not abort the
 * request. Here the request is ours (node:http, the client's auth headers, the shared
 * keep-alive agent), and:
 *   - a watchdog fails the stream with TIMEOUT when no byte arrives for `timeoutMs`
 *     while we want bytes (time spent paused by the consumer does not count);
 *   - a connection lost mid-body (or a body shorter than announced) is OFFLINE;
 *   - destroy() or the caller's signal destroys the request, so the server stops sending;
 *   - backpressure: when push() says stop, the response is paused (TCP flow control
 *     then stops the server), so at most ~highWaterMark plus one chunk is buffered.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { StorageError } from '../types.js';
import { printable } from '../path-safety.js';
import { abortError, transportError } from './dav-errors.js';

export const RANGE_READ_HWM = 1024 * 1024;
const MIN_HWM = 64 * 1024;

export interface RangeRequest {
  url: string;
  headers: Record<string, string>;
  agent: http.Agent;
  start: number;
  /** Inclusive; undefined = to the end. */
  end?: number;
  timeoutMs: number;
  signal?: AbortSignal;
  highWaterMark?: number;
  /** Root-relative path, for messages. */
  rel: string;
}

export type RangeOpen = { stream: Readable; status: number } | { stream?: undefined; status: number };

/**
 * Send the GET and wait for the response head (within `timeoutMs`). 200/206 give a
 * stream of exactly [start, end] (clamped to the file); 416 (start past the end, or any
 * range of an empty file) gives an empty stream; any other status is returned for the
 * caller to interpret (its body is drained so the connection can be reused).
 */
export async function openRangeRead(r: RangeRequest): Promise<RangeOpen> {
  try {
    return await attempt(r);
  } catch (err) {
    // A kept-alive socket the server closed as we reused it: safe to resend a GET once.
    if ((err as { retryable?: boolean }).retryable) return attempt(r);
    throw err;
  }
}

function attempt(r: RangeRequest): Promise<RangeOpen> {
  r.signal?.throwIfAborted();
  const ranged = r.start > 0 || r.end !== undefined;
  const headers: Record<string, string> = { ...r.headers, 'Accept-Encoding': 'identity' };
  if (ranged) headers.Range = `bytes=${r.start}-${r.end ?? ''}`;
  const lib = r.url.startsWith('https:') ? https : http;
  return new Promise<RangeOpen>((resolve, reject) => {
    let settled = false;
    let timedOut = false;
    const req = lib.request(r.url, { method: 'GET', agent: r.agent, headers });
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy();
    }, r.timeoutMs);
    const onAbort = (): void => {
      req.destroy();
    };
    r.signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      settled = true;
      clearTimeout(timer);
      r.signal?.removeEventListener('abort', onAbort);
    };
    req.once('error', (err) => {
      if (settled) return;
      done();
      const mapped = transportError(err, 'read', r.rel, { timedOut, signal: r.signal, timeoutMs: r.timeoutMs });
      if (!timedOut && !r.signal?.aborted && req.reusedSocket && (err as { code?: string }).code === 'ECONNRESET') {
        (mapped as { retryable?: boolean }).retryable = true;
      }
      reject(mapped);
    });
    req.once('response', (res) => {
      done();
      const status = res.statusCode ?? 0;
      if (status === 416) {
        res.resume();
        return resolve({ status, stream: Readable.from([]) });
      }
      if (status !== 200 && status !== 206) {
        res.resume();
        return resolve({ status });
      }
      let expected: number | undefined;
      let skip = 0;
      let limit = Infinity;
      if (status === 206) {
        const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
        if (!m || Number(m[1]) !== r.start) {
          req.destroy();
          return reject(new StorageError('IO', `read ${printable(r.rel)}: server answered a different range (${res.headers['content-range'] ?? 'none'})`));
        }
        expected = Number(m[2]) - Number(m[1]) + 1;
      } else {
        // The server ignored Range: skip to `start` and stop after `end` ourselves.
        const len = Number(res.headers['content-length']);
        if (Number.isFinite(len)) expected = len;
        skip = r.start;
        if (r.end !== undefined) limit = r.end - r.start + 1;
      }
      resolve({ status, stream: new RangeReadStream(req, res, { ...r, expected, skip, limit }) });
    });
    req.end();
  });
}

interface StreamState extends RangeRequest {
  expected?: number;
  skip: number;
  limit: number;
}

class RangeReadStream extends Readable {
  private received = 0;
  private delivered = 0;
  private paused = false;
  private complete = false;
  private lastActivity = Date.now();
  private readonly watchdog: NodeJS.Timeout;
  private readonly onAbort = (): void => void this.destroy(abortError(this.s.signal as AbortSignal));

  constructor(private readonly req: http.ClientRequest, private readonly res: http.IncomingMessage, private readonly s: StreamState) {
    super({ highWaterMark: Math.max(s.highWaterMark ?? RANGE_READ_HWM, MIN_HWM) });
    res.on('data', this.onData);
    res.once('end', this.onEnd);
    res.once('error', this.onLost);
    res.once('aborted', this.onLost);
    res.once('close', this.onClose);
    const tick = Math.max(Math.min(s.timeoutMs / 4, 250), 10);
    this.watchdog = setInterval(this.check, tick).unref();
    if (s.signal) {
      if (s.signal.aborted) queueMicrotask(this.onAbort);
      else s.signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  override _read(): void {
    if (!this.paused) return;
    this.paused = false;
    this.lastActivity = Date.now(); // waiting for the consumer is not the server's fault
    this.res.resume();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    clearInterval(this.watchdog);
    this.s.signal?.removeEventListener('abort', this.onAbort);
    this.res.off('data', this.onData);
    // Swallow late errors from the request/response we are tearing down.
    this.res.on('error', () => undefined);
    this.req.on('error', () => undefined);
    if (!this.complete) this.req.destroy(); // stop the server sending the rest
    cb(err);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.complete) return;
    this.lastActivity = Date.now();
    this.received += chunk.length;
    let c = chunk;
    if (this.s.skip > 0) {
      const n = Math.min(this.s.skip, c.length);
      this.s.skip -= n;
      c = c.subarray(n);
    }
    if (this.delivered + c.length > this.s.limit) c = c.subarray(0, this.s.limit - this.delivered);
    if (c.length > 0) {
      this.delivered += c.length;
      if (!this.push(c)) {
        this.paused = true;
        this.res.pause();
      }
    }
    if (this.delivered >= this.s.limit && !this.complete) {
      // Range ignored by the server and we have what was asked: end early.
      this.complete = true;
      this.push(null);
      this.req.destroy();
    }
  };

  private readonly onEnd = (): void => {
    if (this.s.expected !== undefined && this.received < this.s.expected) return this.onLost();
    this.complete = true;
    this.push(null);
  };

  private readonly onClose = (): void => {
    if (!this.complete && !this.destroyed) this.onLost();
  };

  private readonly onLost = (): void => {
    if (this.complete || this.destroyed) return;
    const of = this.s.expected !== undefined ? ` of ${this.s.expected}` : '';
    this.destroy(new StorageError('OFFLINE', `read ${printable(this.s.rel)}: connection lost after ${this.received}${of} bytes`, { cause: { code: 'ECONNRESET' } }));
  };

  private readonly check = (): void => {
    if (this.paused || this.complete || this.destroyed) return;
    if (Date.now() - this.lastActivity > this.s.timeoutMs) {
      this.destroy(new StorageError('TIMEOUT', `read ${printable(this.s.rel)}: no data for ${this.s.timeoutMs} ms after ${this.received} bytes`, { cause: { code: 'TIMEOUT' } }));
    }
  };
}
