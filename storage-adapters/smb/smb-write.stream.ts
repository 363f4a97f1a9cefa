/**
 * Atomic write stream over SMB2: bytes go to a temporary file (created new, opened with
 * DELETE access); on end the same handle is renamed onto the final name (replacing it
 * only with `overwrite`) and closed; only then does 'finish' fire, so the file is
 * visible under its name exactly when the caller sees 'finish' (node-smb2's write stream
 * said 'finish' before its close and size update had happened).
 *
 * WRITEs (≤ 64 KiB each) are pipelined: up to `window` in flight; the write callback is
 * held back beyond that, which is the stream's backpressure. On error, abort or destroy
 * the temporary file is marked delete-on-close and closed, so nothing is left behind.
 */
import { Writable } from 'node:stream';
import type { SmbShare } from './smb-share.js';
import { InfoClass, basicInfoMtime, dispositionInfo, renameInfo } from './smb2-messages.js';
import { msToFiletime, smbPath } from './smb2-wire.js';
import { toStorageError } from './smb-errors.js';

export interface SmbWriteStreamOptions {
  share: SmbShare;
  fileId: Buffer;
  /** Full share path of the final name. */
  target: string;
  /** Caller's path, for error messages. */
  path: string;
  overwrite: boolean;
  mtimeMs?: number;
  signal?: AbortSignal;
  window?: number;
}

export class SmbWriteStream extends Writable {
  private readonly o: SmbWriteStreamOptions;
  private readonly window: number;
  private readonly inflight = new Set<Promise<unknown>>();
  private offset = 0;
  private failure?: Error;
  private committed = false;
  private released = false;
  private waiter?: () => void;
  private readonly onAbort = (): void => {
    this.destroy(this.o.signal?.reason instanceof Error ? this.o.signal.reason : new DOMException('aborted', 'AbortError'));
  };

  constructor(o: SmbWriteStreamOptions) {
    super({ highWaterMark: 256 * 1024 });
    this.o = o;
    this.window = o.window ?? 16;
    o.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.failure) return cb(this.failure);
    const max = this.o.share.maxIo;
    for (let pos = 0; pos < chunk.length; pos += max) {
      const piece = chunk.subarray(pos, pos + max);
      const at = this.offset;
      this.offset += piece.length;
      const p = this.o.share.write(this.o.fileId, at, piece).then((n) => {
        if (n !== piece.length) throw new Error(`short write at ${at}: ${n} of ${piece.length} bytes`);
      });
      const tracked = p.catch((err: unknown) => {
        this.failure ??= toStorageError(err, 'write', this.o.path);
      }).finally(() => {
        this.inflight.delete(tracked);
        const w = this.waiter;
        this.waiter = undefined;
        w?.();
      });
      this.inflight.add(tracked);
    }
    this.whenBelow(this.window).then(() => cb(this.failure), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.commit().then(() => cb(), (err: unknown) => cb(toStorageError(err, 'write', this.o.path)));
  }

  private async commit(): Promise<void> {
    await this.whenBelow(1);
    if (this.failure) throw this.failure;
    const { share, fileId } = this.o;
    if (this.o.mtimeMs !== undefined) await share.setInfo(fileId, InfoClass.BASIC, basicInfoMtime(msToFiletime(this.o.mtimeMs)));
    await share.setInfo(fileId, InfoClass.RENAME, renameInfo(smbPath(this.o.target), this.o.overwrite));
    this.committed = true;
    this.release();
    await share.close(fileId);
  }

  private whenBelow(n: number): Promise<void> {
    if (this.inflight.size < n) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waiter = () => void this.whenBelow(n).then(resolve);
    });
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.o.signal?.removeEventListener('abort', this.onAbort);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.release();
    if (!this.committed) {
      // Not renamed into place: remove the temporary file (best effort; the connection
      // may be gone, in which case there is nothing more we can do from here).
      const { share, fileId } = this.o;
      this.committed = true;
      void share.setInfo(fileId, InfoClass.DISPOSITION, dispositionInfo(true))
        .catch(() => undefined)
        .then(() => share.close(fileId));
    }
    cb(err);
  }
}
