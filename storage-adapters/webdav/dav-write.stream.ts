/**
 * Atomic WebDAV write: PUT to a temporary name in the target's directory, then MOVE it
 * onto the final name with `Overwrite: F` (or `T` when overwriting), so the file appears
 * under its name only once complete. A 412 from MOVE means the name was taken meanwhile
 * (EXISTS). 'finish' fires only after the MOVE succeeded.
 *
 * The PUT is streamed with node:http (chunked) and honours backpressure: _write waits
 * for 'drain', and a server that stops draining for `timeoutMs` fails the stream with
 * TIMEOUT. destroy() or the caller's signal aborts the PUT and removes the temporary
 * file (best effort; Apache's mod_dav_fs also discards an incomplete PUT itself).
 */
import http from 'node:http';
import https from 'node:https';
import { Writable } from 'node:stream';
import { StorageError } from '../types.js';
import { printable } from '../path-safety.js';
import type { DavClient } from './dav-client.js';
import { httpError, transportError } from './dav-errors.js';

export interface DavWriteOptions {
  client: DavClient;
  /** Final root-relative path. */
  rel: string;
  /** Temporary root-relative path (same directory). */
  tempRel: string;
  overwrite: boolean;
  /** Runs after the MOVE (e.g. a best-effort mtime); its errors fail the stream. */
  afterCommit?: () => Promise<void>;
}

export class DavWriteStream extends Writable {
  private readonly req: http.ClientRequest;
  private readonly status: Promise<number>;
  private putDone = false;
  private committed = false;

  constructor(private readonly o: DavWriteOptions) {
    super({ highWaterMark: 1024 * 1024 });
    const { client } = o;
    const lib = client.base.protocol === 'https:' ? https : http;
    this.req = lib.request(client.url(o.tempRel), {
      method: 'PUT',
      agent: client.agent,
      headers: { ...client.authHeaders(), 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' },
    });
    this.status = new Promise<number>((resolve, reject) => {
      this.req.once('response', (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve(status);
        // An early refusal (before we finished sending): report it, not the EPIPE to come.
        if ((status < 200 || status >= 300) && !this.writableEnded && !this.destroyed) {
          this.destroy(httpError(status, 'write', o.rel, status === 409 ? 'NOT_FOUND' : undefined));
        }
      });
      this.req.once('error', (err) => {
        const mapped = transportError(err, 'write', o.rel);
        reject(mapped);
        if (!this.destroyed) this.destroy(mapped);
      });
    });
    this.status.catch(() => undefined); // observed in _final; a destroyed stream may never ask
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.req.write(chunk)) return cb();
    const timer = setTimeout(() => {
      this.req.off('drain', onDrain);
      cb(this.timeout('server stopped accepting data'));
    }, this.o.client.timeoutMs);
    const onDrain = (): void => {
      clearTimeout(timer);
      cb();
    };
    this.req.once('drain', onDrain);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.req.end();
    this.commit().then(() => cb(), (err: Error) => cb(err));
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.committed) {
      this.req.destroy();
      void this.removeTemp();
    }
    cb(err);
  }

  private async commit(): Promise<void> {
    const { client, rel, tempRel } = this.o;
    let timer: NodeJS.Timeout | undefined;
    const status = await Promise.race([
      this.status,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(this.timeout('no answer to PUT')), client.timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    this.putDone = true;
    if (status < 200 || status >= 300) {
      void this.removeTemp();
      throw httpError(status, 'write', rel, status === 409 ? 'NOT_FOUND' : undefined);
    }
    const moved = await client.request('MOVE', tempRel, {
      op: 'write', errorPath: rel,
      headers: { Destination: client.url(rel), Overwrite: this.o.overwrite ? 'T' : 'F' },
    }).catch(async (err: unknown) => {
      await this.removeTemp();
      throw err;
    });
    if (moved.status !== 201 && moved.status !== 204) {
      await this.removeTemp();
      throw httpError(moved.status, 'write', rel, moved.status === 412 ? 'EXISTS' : undefined);
    }
    this.committed = true;
    await this.o.afterCommit?.();
  }

  private timeout(what: string): StorageError {
    return new StorageError('TIMEOUT', `write ${printable(this.o.rel)}: ${what} for ${this.o.client.timeoutMs} ms`, { cause: { code: 'TIMEOUT' } });
  }

  /** Best effort: the temp file exists only if the PUT completed. Never throws. */
  private async removeTemp(): Promise<void> {
    // An aborted PUT may still be finishing server-side: give it a moment first.
    if (!this.putDone) await new Promise((r) => setTimeout(r, 100));
    await this.o.client.request('DELETE', this.o.tempRel, { op: 'write' }).catch(() => undefined);
  }
}
