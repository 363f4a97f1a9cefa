/**
 * Atomic writes over FTP: STOR to a hidden temporary name in the target's directory,
 * then RNFR/RNTO onto the final name once the upload has been confirmed (226), and MFMT
 * when an mtime was asked for. 'finish' fires only after the rename, so the file is
 * visible under its name exactly when the stream says it is done.
 *
 * A destroyed stream (abort, producer error) drops its connection, which cuts the upload,
 * and deletes the temporary file over another pooled connection (best effort).
 */
import { PassThrough, Writable } from 'node:stream';
import type { ConnectionPool } from './ftp-pool.js';
import type { FtpConnection } from './ftp-connection.js';

export interface AtomicFtpWriteOptions {
  pool: ConnectionPool<FtpConnection>;
  /** A leased connection; the upload runs on it. */
  conn: FtpConnection;
  tmpPath: string;
  /** Runs after the upload succeeded (rename into place, mtime). */
  commit: () => Promise<void>;
  /** Removes the temporary file after a failure; must not throw. */
  cleanup: () => Promise<void>;
  mapError: (err: unknown) => Error;
}

export class FtpWriteStream extends Writable {
  private readonly source = new PassThrough({ highWaterMark: 1024 * 1024 });
  private readonly upload: Promise<unknown>;
  private uploadError: unknown;
  private connDone = false;
  private committed = false;
  private waitingWrite?: (err?: Error | null) => void;

  constructor(private readonly o: AtomicFtpWriteOptions) {
    super({ highWaterMark: 1024 * 1024 });
    this.upload = o.conn.uploadFrom(this.source, o.tmpPath);
    this.upload.catch((err: unknown) => {
      this.uploadError = err;
      const cb = this.waitingWrite;
      this.waitingWrite = undefined;
      cb?.(this.o.mapError(err));
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.uploadError) return cb(this.o.mapError(this.uploadError));
    if (this.source.write(chunk)) return cb();
    this.waitingWrite = cb;
    this.source.once('drain', () => {
      const w = this.waitingWrite;
      this.waitingWrite = undefined;
      w?.();
    });
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.source.end();
    this.upload.then(
      async () => {
        this.releaseConn(false);
        try {
          await this.o.commit();
          this.committed = true;
          cb();
        } catch (err) {
          await this.o.cleanup();
          cb(this.o.mapError(err));
        }
      },
      async (err: unknown) => {
        this.releaseConn(true);
        await this.o.cleanup();
        cb(this.o.mapError(err));
      },
    );
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.committed) return cb(err);
    this.source.destroy();
    const hadConn = !this.connDone;
    this.releaseConn(true); // cuts a running upload
    if (hadConn) {
      // The server may still be writing the temp file when the connection drops: wait a
      // moment for it to notice before deleting.
      setTimeout(() => void this.o.cleanup(), 50);
    }
    cb(err);
  }

  private releaseConn(drop: boolean): void {
    if (this.connDone) return;
    this.connDone = true;
    if (drop || this.o.conn.closed) this.o.pool.discard(this.o.conn);
    else this.o.pool.release(this.o.conn);
  }
}
