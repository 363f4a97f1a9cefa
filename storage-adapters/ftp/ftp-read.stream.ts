/**
 * Ranged reads over FTP: REST <start> + RETR, trimmed to [start, end].
 *
 * FTP has no "read N bytes": RETR sends from the REST offset to the end of the file. When
 * the range ends early we do not read on to EOF (300 MiB for the first MiB of a film) and
 * do not send ABOR (servers answer it inconsistently, and basic-ftp has no support for it):
 * the data connection and its control connection are destroyed and the pool opens a
 * replacement in the background (~15 ms on a LAN).
 *
 * Backpressure: basic-ftp pipes the data socket into our sink; the sink holds its write
 * callback until the returned Readable is read again, so a paused consumer pauses the
 * socket and the server (TCP window), and nothing buffers more than a chunk or two.
 * basic-ftp's transfer watchdog does not count time the consumer is paused, so a slow
 * consumer never times out, while a server that stops sending does.
 */
import { Readable, Writable } from 'node:stream';
import type { ConnectionPool } from './ftp-pool.js';
import type { FtpConnection } from './ftp-connection.js';

export interface RangeReadOptions {
  start: number;
  /** Inclusive; undefined reads to EOF. */
  end?: number;
  highWaterMark: number;
  signal?: AbortSignal;
}

/**
 * Start a RETR of `remotePath` and resolve once the transfer is running (first bytes or
 * completion). Errors before that reject (with the raw basic-ftp error, for the caller to
 * map and explain); later ones destroy the stream with `mapError(err)`.
 */
export function openRangeRead(
  pool: ConnectionPool<FtpConnection>,
  conn: FtpConnection,
  remotePath: string,
  o: RangeReadOptions,
  mapError: (err: unknown) => Error,
): Promise<Readable> {
  let remaining = o.end === undefined ? Number.POSITIVE_INFINITY : o.end - o.start + 1;
  let settled = false; // the connection has been released, replaced or discarded
  let pendingWrite: (() => void) | undefined;

  const settle = (how: 'release' | 'replace' | 'discard'): void => {
    if (settled) return;
    settled = true;
    if (how === 'release') pool.release(conn);
    else if (how === 'replace') pool.replace(conn);
    else pool.discard(conn);
  };

  const out = new Readable({
    highWaterMark: o.highWaterMark,
    read() {
      const cb = pendingWrite;
      pendingWrite = undefined;
      cb?.();
    },
    destroy(err, cb) {
      // Consumer went away (or abort): stop the transfer by dropping the connection.
      if (!settled) settle('replace');
      pendingWrite = undefined;
      cb(err);
    },
  });

  let started!: () => void;
  let failed!: (err: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    started = resolve;
    failed = reject;
  });
  let isStarted = false;
  const markStarted = (): void => {
    if (!isStarted) {
      isStarted = true;
      started();
    }
  };

  const sink = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, cb) {
      markStarted();
      if (remaining <= 0 || out.destroyed) return cb();
      const piece = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
      remaining -= piece.length;
      const more = out.push(piece);
      if (remaining <= 0) {
        out.push(null);
        settle('replace'); // range done before EOF: drop the transfer, not read on
        return cb();
      }
      if (more) cb();
      else pendingWrite = cb;
    },
  });
  sink.on('error', () => undefined); // basic-ftp destroys it when we drop the connection

  conn.downloadTo(sink, remotePath, o.start).then(
    () => {
      markStarted();
      if (!settled) settle('release');
      if (remaining > 0 && remaining !== Number.POSITIVE_INFINITY) remaining = 0; // EOF before end: clamped
      if (!out.destroyed && !out.readableEnded) out.push(null);
    },
    (err: unknown) => {
      const ours = settled; // we dropped the connection on purpose (range done / destroyed)
      if (!settled) settle(conn.closed ? 'discard' : 'release');
      if (ours) return;
      if (!isStarted) {
        isStarted = true;
        failed(err);
        return;
      }
      if (!out.destroyed) out.destroy(mapError(err));
    },
  );

  if (o.signal) {
    const signal = o.signal;
    const onAbort = (): void => {
      const err = new DOMException('The operation was aborted', 'AbortError');
      if (!isStarted) {
        isStarted = true;
        settle('replace');
        failed(err);
      } else out.destroy(err);
    };
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      out.once('close', () => signal.removeEventListener('abort', onAbort));
    }
  }
  return ready.then(() => out);
}
