/**
 * Streams of the in-memory adapter: a Readable over a Buffer snapshot that honours
 * backpressure (one chunk per _read) and can fail after N bytes, and a Writable that
 * collects chunks and hands them to `commit` in _final, so 'finish' means "visible".
 */
import { Readable, Writable } from 'node:stream';
import { StorageError } from '../types.js';

export interface MemoryReadOptions {
  data: Buffer;
  start: number;
  /** Inclusive. */
  end: number;
  chunk: number;
  /** Emit an IO error once this many bytes have been pushed (fault injection). */
  failAfter?: number;
  rel: string;
}

export function memoryReadStream(o: MemoryReadOptions): Readable {
  let pos = o.start;
  let sent = 0;
  return new Readable({
    highWaterMark: o.chunk,
    read() {
      if (o.failAfter !== undefined && sent >= o.failAfter) {
        // Fail on a later tick, like a real connection dropping mid-body.
        setImmediate(() => this.destroy(new StorageError('IO', `read ${o.rel}: connection lost (injected)`)));
        return;
      }
      if (pos > o.end) {
        this.push(null);
        return;
      }
      let n = Math.min(o.chunk, o.end + 1 - pos);
      if (o.failAfter !== undefined) n = Math.max(1, Math.min(n, o.failAfter - sent));
      const slice = o.data.subarray(pos, pos + n);
      pos += n;
      sent += n;
      this.push(slice);
    },
  });
}

export function memoryWriteStream(commit: (data: Buffer) => Promise<void>): Writable {
  const chunks: Buffer[] = [];
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk)); // copy: callers may reuse their buffers
      cb();
    },
    final(cb) {
      commit(Buffer.concat(chunks)).then(() => cb(), (err: Error) => cb(err));
    },
  });
}
