/**
 * Sized bodies pulled from a ChunkSource (positioned file reads) and written with tryEnd,
 * under the rules of respond.ts (which owns the response and calls this):
 * - the first chunk is read before anything is written, so a failing read still gets a
 *   proper error answer; it then goes out in the same cork as the headers;
 * - the next chunk is read while the current one is being sent, and at most two chunks
 *   exist per answer: a slow client never makes the daemon buffer more than that;
 * - backpressure: the unsent rest of a chunk is retried from onWritable;
 * - after an abort the response is never touched again; the source is closed exactly once,
 *   after its last read settled (so a cached descriptor is never released mid-read).
 */
import type { HttpResponse } from 'uWebSockets.js';

export interface ChunkSource {
  /**
   * The next bytes of the body (at least one). A buffer handed out stays valid until next()
   * has been called twice more or close() was called. Rejects on a read error.
   */
  next(): Promise<Buffer>;
  /** Called exactly once, after the last next() settled. */
  close(): void;
}

/** What the pump may do to the Responder that owns the response. */
export interface PumpHooks {
  /** Marks the answer started (headers about to go out); false when the client is gone. */
  begin(): boolean;
  /** Status line and headers (inside the pump's cork). */
  writeHead(): void;
  aborted(): boolean;
  onAbort(listener: () => void): void;
  setWritable(handler: ((offset: number) => boolean) | undefined): void;
  /** Body bytes accepted so far. */
  progress(bytes: number): void;
  /** The whole body went out. */
  completed(): void;
  /** A failure after the headers: cut the connection. */
  fail(): void;
}

type Drain = 'ok' | 'done' | 'aborted';

/**
 * Resolves when the answer is complete, aborted or cut; rejects only when the first read
 * failed (nothing written yet: the caller answers with an error).
 */
export async function pumpSized(res: HttpResponse, h: PumpHooks, size: number, source: ChunkSource): Promise<void> {
  let inflight: Promise<Buffer> | undefined = source.next();
  let offered = 0;
  let wake: ((r: Drain) => void) | undefined;
  h.onAbort(() => { wake?.('aborted'); });
  try {
    for (;;) {
      let chunk: Buffer;
      try {
        chunk = await inflight!;
      } catch (err) {
        inflight = undefined;
        if (offered === 0) throw err;
        if (!h.aborted()) h.fail();
        return;
      }
      inflight = undefined;
      if (h.aborted()) return;
      if (offered === 0 && !h.begin()) return;
      if (offered + chunk.length > size) chunk = chunk.subarray(0, size - offered); // never past Content-Length
      const base = offered;
      offered += chunk.length;
      if (offered < size) inflight = source.next(); // read ahead while this chunk is sent
      let result: [boolean, boolean] = [false, false];
      res.cork(() => {
        if (base === 0) h.writeHead();
        result = res.tryEnd(chunk, size);
      });
      // A finished response must not be touched again (not even getWriteOffset).
      if (result[1]) { h.completed(); return; }
      if (!result[0]) {
        const drained = await new Promise<Drain>((resolve) => {
          wake = resolve;
          h.setWritable((offset) => {
            const [ok, finished] = res.tryEnd(chunk.subarray(offset - base), size);
            if (!finished && !ok) return false; // uWS calls again when the socket drains further
            h.setWritable(undefined);
            resolve(finished ? 'done' : 'ok');
            return true;
          });
        });
        wake = undefined;
        if (drained === 'aborted') return;
        if (drained === 'done') { h.completed(); return; }
      }
      h.progress(offered);
      if (offered >= size) { h.fail(); return; } // everything offered, yet uWS did not finish
    }
  } finally {
    h.setWritable(undefined);
    if (inflight) await inflight.catch(() => undefined);
    source.close();
  }
}
