/**
 * Request body collection for uWS. uWS hands the body over in onData callbacks that must be
 * registered synchronously in the request handler (before any await), and each chunk's
 * ArrayBuffer is neutered when the callback returns, so chunks are copied here.
 *
 * The limit is enforced while bytes arrive: the first byte past `limit` switches the reader
 * to 'overflow' (later chunks are dropped, nothing more is buffered) and calls `onOverflow`
 * so the server answers 413 at once instead of after the upload finished, whether or not
 * the handler is reading the body yet.
 */
import { Readable } from 'node:stream';
import type { HttpResponse } from 'uWebSockets.js';
import { TooLargeError } from '../domain/errors.js';

/** Upload chunks buffered ahead of a slow consumer before the socket is paused. */
const STREAM_HIGH_WATER = 1024 * 1024;

/** The body of every request without one (a zero-length Buffer cannot be written to). */
const EMPTY_BODY = Buffer.alloc(0);

export class BodyReader {
  private chunks: Buffer[] = [];
  private received = 0;
  private state: 'reading' | 'done' | 'overflow' | 'aborted' = 'reading';
  private waiters: Array<{ resolve: (b: Buffer) => void; reject: (e: unknown) => void }> = [];
  private result?: Buffer;

  /**
   * @param res the uWS response (only onData is used)
   * @param expectBody false when the request has neither Content-Length > 0 nor
   *   Transfer-Encoding: uWS then never calls onData and the body is empty.
   */
  /** Stream mode: chunks go here (with backpressure) instead of being collected. */
  private readonly streamOut?: Readable;

  constructor(
    private readonly res: HttpResponse,
    expectBody: boolean,
    private readonly limit: number,
    private readonly onOverflow: () => void,
    mode: 'buffer' | 'stream' = 'buffer',
  ) {
    if (mode === 'stream') {
      let paused = false;
      this.streamOut = new Readable({
        highWaterMark: STREAM_HIGH_WATER,
        read: () => {
          // The consumer wants more: let uWS deliver again (never touch an aborted response).
          if (paused && this.state === 'reading') { paused = false; this.res.resume(); }
        },
      });
      this.pauseSocket = () => { if (!paused) { paused = true; this.res.pause(); } };
    }
    if (!expectBody) {
      this.state = 'done';
      this.result = EMPTY_BODY;
      this.streamOut?.push(null);
      return;
    }
    res.onData((chunk, isLast) => this.onChunk(chunk, isLast));
  }

  private pauseSocket?: () => void;

  /** Stream mode only: the body as a Readable (errors with TooLargeError past the limit). */
  stream(): Readable {
    if (!this.streamOut) throw new Error('This route does not stream its body (set streamBody on the route)');
    return this.streamOut;
  }

  get overflowed(): boolean { return this.state === 'overflow'; }

  /** The whole body; rejects with TooLargeError past the limit, or an Error when the client went away. */
  read(): Promise<Buffer> {
    if (this.state === 'done') return Promise.resolve(this.result!);
    if (this.state === 'overflow') return Promise.reject(this.tooLarge());
    if (this.state === 'aborted') return Promise.reject(new Error('Request aborted'));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** The client disconnected: pending reads fail. */
  abort(): void {
    if (this.state !== 'reading') return;
    this.state = 'aborted';
    this.chunks = [];
    this.streamOut?.destroy(new Error('Request aborted'));
    this.settle(undefined, new Error('Request aborted'));
  }

  private onChunk(chunk: ArrayBuffer, isLast: boolean): void {
    if (this.state !== 'reading') return;
    this.received += chunk.byteLength;
    if (this.received > this.limit) {
      this.state = 'overflow';
      this.chunks = [];
      // Answer 413 now (the server also drops the connection), then fail any pending read;
      // the handler's error path then finds the answer already sent.
      this.onOverflow();
      this.streamOut?.destroy(this.tooLarge());
      this.settle(undefined, this.tooLarge());
      return;
    }
    if (this.streamOut) {
      // Copy: the ArrayBuffer is only valid during this callback.
      const more = chunk.byteLength > 0 ? this.streamOut.push(Buffer.from(new Uint8Array(chunk))) : true;
      if (isLast) { this.state = 'done'; this.streamOut.push(null); } else if (!more) this.pauseSocket!();
      return;
    }
    // Copy: the ArrayBuffer is only valid during this callback.
    if (chunk.byteLength > 0) this.chunks.push(Buffer.from(new Uint8Array(chunk)));
    if (isLast) {
      this.state = 'done';
      this.result = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.received);
      this.chunks = [];
      this.settle(this.result);
    }
  }

  private settle(value: Buffer | undefined, err?: unknown): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      if (err !== undefined) w.reject(err);
      else w.resolve(value!);
    }
  }

  private tooLarge(): TooLargeError {
    return new TooLargeError(`Request body larger than ${this.limit} bytes`);
  }
}
