/**
 * Ranged read stream over raw SMB2 READ requests.
 *
 *   _read() ──> keep up to `window` READs (≤ 64 KiB each) in flight, in offset order
 *           ──> push the oldest reply when it lands; stop when push() says "full"
 *
 * Contract: bytes [start, endExclusive) delivered in order; at most `window` × 64 KiB
 * fetched ahead of the consumer (backpressure: a paused consumer stops new READs); a
 * lost connection rejects the in-flight READs at once and the stream errors with that
 * StorageError; an aborted signal destroys it. The file handle is closed exactly once,
 * on end or destroy. Every in-flight promise has a handler, so an abandoned READ can
 * never become an unhandled rejection (node-smb2's own read stream could crash the
 * process that way).
 */
import { Readable } from 'node:stream';
import type { SmbShare } from './smb-share.js';
import { toStorageError } from './smb-errors.js';

export interface SmbReadStreamOptions {
  share: SmbShare;
  fileId: Buffer;
  /** Caller's path, for error messages. */
  path: string;
  start: number;
  endExclusive: number;
  window?: number;
  highWaterMark?: number;
  signal?: AbortSignal;
}

interface Slot {
  length: number;
  promise: Promise<Buffer>;
}

export class SmbReadStream extends Readable {
  private readonly o: SmbReadStreamOptions;
  private readonly window: number;
  private readonly inflight: Slot[] = [];
  private next: number;
  private pumping = false;
  private handleClosed = false;
  private readonly onAbort = (): void => {
    this.destroy(this.o.signal?.reason instanceof Error ? this.o.signal.reason : new DOMException('aborted', 'AbortError'));
  };

  constructor(o: SmbReadStreamOptions) {
    super({ highWaterMark: o.highWaterMark ?? 256 * 1024 });
    this.o = o;
    this.window = Math.min(Math.max(o.window ?? 32, 1), 32);
    this.next = o.start;
    o.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  override _read(): void {
    if (this.pumping) return;
    this.pumping = true;
    this.pump().catch((err: unknown) => this.destroy(toStorageError(err, 'read', this.o.path)));
  }

  private fill(): void {
    const { share, fileId, endExclusive } = this.o;
    while (this.inflight.length < this.window && this.next < endExclusive) {
      const length = Math.min(share.maxIo, endExclusive - this.next);
      const promise = share.read(fileId, this.next, length);
      promise.catch(() => undefined); // handled where awaited; never unhandled if abandoned
      this.inflight.push({ length, promise });
      this.next += length;
    }
  }

  private async pump(): Promise<void> {
    while (!this.destroyed) {
      this.fill();
      const slot = this.inflight.shift();
      if (!slot) {
        this.finish();
        this.push(null);
        return;
      }
      const data = await slot.promise;
      if (this.destroyed) return;
      if (data.length < slot.length) {
        // The file ended early (truncated while we read): deliver what there is, stop.
        this.inflight.length = 0;
        this.next = this.o.endExclusive;
        if (data.length > 0) this.push(data);
        continue;
      }
      if (!this.push(data)) {
        this.fill(); // keep the window busy while the consumer drains
        this.pumping = false;
        return;
      }
    }
  }

  private finish(): void {
    if (this.handleClosed) return;
    this.handleClosed = true;
    this.o.signal?.removeEventListener('abort', this.onAbort);
    void this.o.share.close(this.o.fileId);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.inflight.length = 0;
    this.finish();
    cb(err);
  }
}
