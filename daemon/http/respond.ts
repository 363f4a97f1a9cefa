/**
 * Every write to a uWS HttpResponse goes through here, so the uWS rules live in one place:
 * - onAborted is registered by the server before anything else; after it fires the response
 *   is never touched again (uWS would crash the process).
 * - Writes happen inside res.cork() (one syscall, and required outside uWS callbacks).
 * - Streams with a known size use tryEnd; when uWS reports backpressure the source Readable
 *   is paused and the unsent rest of the chunk is retried from onWritable, then resumed.
 * - Streams of unknown size use chunked write(); the next write waits for onWritable.
 * - HEAD answers carry Content-Length written by hand + endWithoutBody(): uWS 20.30's
 *   endWithoutBody(length) leaves the response half-open and stalls keep-alive connections.
 * - Content-Length is always computed by uWS for bodies; callers' values are dropped.
 */
import type { Readable } from 'node:stream';
import type { HttpResponse } from 'uWebSockets.js';
import { pumpSized, type ChunkSource } from './respond-pump.js';
import { statusLine } from './status-lines.js';

export type HeaderList = Array<[string, string]>;

/** Writer for chunked answers (NDJSON, zip). */
export interface StreamWriter {
  /** Resolves true once the chunk is accepted and uWS has drained; false after abort/end. */
  write(chunk: string | Buffer): Promise<boolean>;
  end(): void;
  readonly aborted: boolean;
}

const FORBIDDEN_HEADERS = new Set(['content-length', 'transfer-encoding', 'date', 'connection']);

export class Responder {
  /** 'open' (nothing written), 'streaming' (headers out, body in progress), 'done'. */
  state: 'open' | 'streaming' | 'done' = 'open';
  aborted = false;
  status = 0;
  bytes = 0;
  /** Close the connection after this answer (unread request body, shutdown). */
  forceClose = false;
  private abortListeners: Array<() => void> = [];
  private writableHandler?: (offset: number) => boolean;
  private writableRegistered = false;
  private drainWaiters: Array<(ok: boolean) => void> = [];

  constructor(
    private readonly res: HttpResponse,
    private readonly isHead: boolean,
    /** Called once when the response is complete or aborted. */
    private readonly onFinish: () => void,
    /** True while the server is shutting down: answers then close their connection. */
    private readonly closing: () => boolean,
  ) {}

  /**
   * Set (or clear) what runs when uWS reports the socket writable again. The uWS handler is
   * registered on first need only, at backpressure: most answers end in one end()/tryEnd
   * and never need it (one native call fewer per request).
   */
  private setWritable(handler: ((offset: number) => boolean) | undefined): void {
    this.writableHandler = handler;
    if (handler === undefined || this.writableRegistered || this.aborted) return;
    this.writableRegistered = true;
    this.res.onWritable((offset) => this.writableHandler?.(offset) ?? true);
  }

  get headersSent(): boolean { return this.state !== 'open'; }

  /** To be called from the res.onAborted handler. */
  markAborted(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.abortListeners;
    this.abortListeners = [];
    for (const l of listeners) l();
    this.settleDrain(false);
    this.finish();
  }

  onAbort(listener: () => void): void {
    if (this.aborted) listener();
    else this.abortListeners.push(listener);
  }

  /** Complete answer with a body (suppressed for HEAD, Content-Length kept). */
  end(status: number, headers: HeaderList, body: string | Buffer): void {
    if (!this.begin(status)) return;
    const len = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    this.res.cork(() => {
      this.writeHead(status, headers);
      if (this.isHead) {
        this.res.writeHeader('Content-Length', String(len));
        this.res.endWithoutBody();
      } else {
        this.res.end(body, this.mustClose());
        this.bytes = len;
      }
    });
    this.finish();
  }

  /** Answer without a body: 204, 304, or HEAD of a body of `reportedLength` bytes. */
  endEmpty(status: number, headers: HeaderList, reportedLength?: number): void {
    if (!this.begin(status)) return;
    this.res.cork(() => {
      this.writeHead(status, headers);
      if (reportedLength !== undefined) this.res.writeHeader('Content-Length', String(reportedLength));
      this.res.endWithoutBody();
    });
    this.finish();
  }

  /** Hard close (error after headers went out): the client sees a truncated answer. */
  close(): void {
    if (this.aborted || this.state === 'done') return;
    this.state = 'done';
    this.res.close();
    // uWS fires onAborted for a closed response; finish() is idempotent either way.
    this.finish();
  }

  /**
   * Stream `source` as the body. With `size` the answer has Content-Length and uses tryEnd;
   * without it, chunked encoding. Resolves when the answer is complete, aborted or failed
   * (never rejects: a failure after headers closes the connection). The source is destroyed
   * on abort, failure and HEAD.
   */
  stream(status: number, headers: HeaderList, source: Readable, size?: number): Promise<void> {
    if (this.aborted || this.isHead || size === 0) {
      source.destroy();
      if (this.isHead) this.endEmpty(status, headers, size);
      else if (size === 0) this.end(status, headers, '');
      return Promise.resolve();
    }
    if (!this.begin(status, true)) {
      source.destroy();
      return Promise.resolve();
    }
    this.res.cork(() => this.writeHead(status, headers));
    return size === undefined ? this.pipeChunked(source) : this.pipeSized(source, size);
  }

  /**
   * Sized body pulled from `source` (positioned file reads; respond-pump.ts). Rejects only
   * when the first read fails, before anything was written. The source is always closed.
   */
  pull(status: number, headers: HeaderList, size: number, source: ChunkSource): Promise<void> {
    return pumpSized(this.res, {
      begin: () => this.begin(status, true),
      writeHead: () => this.writeHead(status, headers),
      aborted: () => this.aborted,
      onAbort: (listener) => this.onAbort(listener),
      setWritable: (handler) => this.setWritable(handler),
      progress: (bytes) => { this.bytes = bytes; },
      completed: () => { this.bytes = size; this.finish(); },
      fail: () => this.close(),
    }, size, source);
  }

  /** Start a chunked answer; the writer waits for drain between chunks. */
  startChunked(status: number, headers: HeaderList): StreamWriter {
    if (this.isHead) {
      this.endEmpty(status, headers);
      return { write: () => Promise.resolve(false), end: () => undefined, aborted: false };
    }
    const ok = this.begin(status, true);
    if (ok) this.res.cork(() => this.writeHead(status, headers));
    const self = this;
    return {
      write: (chunk) => (ok ? self.writeChunk(chunk) : Promise.resolve(false)),
      end: () => {
        if (self.aborted || self.state === 'done') return;
        self.res.cork(() => self.res.end(undefined, self.mustClose()));
        self.finish();
      },
      get aborted() { return self.aborted; },
    };
  }

  private writeChunk(chunk: string | Buffer): Promise<boolean> {
    if (this.aborted || this.state === 'done') return Promise.resolve(false);
    let ok = true;
    this.res.cork(() => { ok = this.res.write(chunk); });
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (ok && this.drainWaiters.length === 0) return Promise.resolve(true);
    // uWS buffered the chunk; accept more only once its socket buffer drained.
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      this.setWritable(() => {
        this.writableHandler = undefined;
        this.settleDrain(true);
        return true;
      });
    });
  }

  private settleDrain(ok: boolean): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w(ok && !this.aborted);
  }

  private pipeChunked(source: Readable): Promise<void> {
    return new Promise((resolve) => {
      const done = (failed: boolean): void => {
        source.off('data', onData);
        if (failed) this.close();
        else if (!this.aborted && this.state !== 'done') {
          this.res.cork(() => this.res.end(undefined, this.mustClose()));
          this.finish();
        }
        resolve();
      };
      const onData = (chunk: Buffer | string): void => {
        const accepted = this.writeChunk(chunk);
        if (this.drainWaiters.length === 0) return;
        source.pause();
        void accepted.then((ok) => { if (ok) source.resume(); });
      };
      this.onAbort(() => { source.destroy(); resolve(); });
      source.on('data', onData);
      source.once('end', () => done(false));
      source.once('error', () => done(true));
    });
  }

  private pipeSized(source: Readable, size: number): Promise<void> {
    return new Promise((resolve) => {
      let offered = 0;
      let settled = false;
      /** The chunk uWS could not take completely, and the write offset before it. */
      let pending: { chunk: Buffer; base: number } | undefined;
      let ended = false;
      /** Chunks that arrived while blocked (a Readable may emit one more after pause()). */
      const backlog: Buffer[] = [];

      const settle = (failed: boolean): void => {
        if (settled) return;
        settled = true;
        this.writableHandler = undefined;
        source.off('data', onData);
        if (!source.destroyed) source.destroy();
        if (failed) this.close();
        resolve();
      };
      const completed = (): void => {
        this.bytes = size;
        this.finish();
        settle(false);
      };
      /** Hand one chunk to uWS: 'done' (response complete), 'ok', or 'blocked' (backpressure). */
      const push = (chunk: Buffer): 'done' | 'ok' | 'blocked' => {
        const base = this.res.getWriteOffset();
        let result: [boolean, boolean] = [false, false];
        this.res.cork(() => { result = this.res.tryEnd(chunk, size); });
        const [ok, finished] = result;
        // A finished response must not be touched again (not even getWriteOffset).
        if (finished) { completed(); return 'done'; }
        this.bytes = this.res.getWriteOffset();
        if (ok) return 'ok';
        pending = { chunk, base };
        source.pause();
        this.setWritable(onWritable);
        return 'blocked';
      };
      const onWritable = (offset: number): boolean => {
        if (!pending) return true;
        const [ok, finished] = this.res.tryEnd(pending.chunk.subarray(offset - pending.base), size);
        if (finished) { completed(); return true; }
        if (!ok) return false; // uWS calls again when the socket drains further
        pending = undefined;
        this.writableHandler = undefined;
        while (backlog.length > 0) {
          if (push(backlog.shift()!) !== 'ok') return true;
        }
        if (ended) settle(true); // the source ended short of Content-Length
        else source.resume();
        return true;
      };
      const onData = (data: Buffer | string): void => {
        if (this.aborted || settled) return;
        let chunk = typeof data === 'string' ? Buffer.from(data) : data;
        if (offered + chunk.length > size) chunk = chunk.subarray(0, size - offered); // never exceed Content-Length
        offered += chunk.length;
        if (pending) backlog.push(chunk);
        else push(chunk);
      };
      this.onAbort(() => settle(false));
      source.on('data', onData);
      // A source that ends short of Content-Length cannot be repaired: cut the connection.
      // (While a chunk is pending, completion or the short-source check happens in onWritable.)
      source.once('end', () => {
        ended = true;
        if (!pending) settle(this.state !== 'done');
      });
      source.once('error', () => settle(true));
    });
  }

  private mustClose(): boolean { return this.forceClose || this.closing(); }

  private begin(status: number, streaming = false): boolean {
    if (this.aborted) return false;
    if (this.state !== 'open') throw new Error('Response already sent');
    this.status = status;
    this.state = streaming ? 'streaming' : 'done';
    return true;
  }

  private writeHead(status: number, headers: HeaderList): void {
    this.res.writeStatus(statusLine(status));
    for (const [name, value] of headers) {
      if (!FORBIDDEN_HEADERS.has(name.toLowerCase())) this.res.writeHeader(name, value);
    }
  }

  private finished = false;
  private finish(): void {
    if (this.state === 'streaming' && !this.aborted) this.state = 'done';
    if (this.finished) return;
    this.finished = true;
    this.onFinish();
  }
}
