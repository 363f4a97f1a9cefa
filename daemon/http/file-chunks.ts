/**
 * A ChunkSource over a positioned-read file (StorageAdapter.openFile): one read per chunk
 * straight into one of two pooled buffers, so serving a 1 MiB range allocates nothing.
 *
 * The pool keeps up to POOL_MAX buffers of FILE_CHUNK_BYTES (fresh ones cost page faults
 * on first touch) and empties itself after POOL_IDLE_MS without use, so an idle daemon
 * does not keep them.
 */
import { StorageError } from '../../storage-adapters/types.js';
import type { ChunkSource } from './respond-pump.js';

/**
 * Read size per chunk: a 1 MiB range is one read. Two 512 KiB reads overlap the second read
 * with the send of the first, but on a 2-core box that read competes with the client for
 * the other core and costs one more threadpool round trip: 1 MiB chunks served 1-connection
 * 1 MiB ranges 3-5% faster (same-run A/B, session 16), full GETs within noise.
 */
export const FILE_CHUNK_BYTES = 1024 * 1024;
/** Pooled buffers kept (8 MiB at most, released after POOL_IDLE_MS idle). */
const POOL_MAX = 8;
const POOL_IDLE_MS = 10_000;

export interface PositionedFile {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  release(): void;
  /**
   * Early files (handed out before their check, StorageAdapter.openFile's `early`): resolves
   * undefined when still current, else with the file to serve instead; nothing is sent first.
   */
  readonly current?: Promise<(PositionedFile & { size: number; mtimeMs: number }) | undefined>;
}

const pool: Buffer[] = [];
let poolUsed = false;
let trimTimer: NodeJS.Timeout | undefined;

function takeBuffer(): Buffer {
  poolUsed = true;
  return pool.pop() ?? Buffer.allocUnsafeSlow(FILE_CHUNK_BYTES);
}

function giveBuffer(buf: Buffer): void {
  if (pool.length < POOL_MAX) pool.push(buf);
  if (!trimTimer) {
    trimTimer = setInterval(() => {
      if (!poolUsed) {
        pool.length = 0;
        clearInterval(trimTimer);
        trimTimer = undefined;
      }
      poolUsed = false;
    }, POOL_IDLE_MS);
    trimTimer.unref();
  }
}

/** Buffers pooled now (for tests). */
export function pooledBuffers(): number { return pool.length; }

async function readFull(file: PositionedFile, buf: Buffer, n: number, at: number): Promise<void> {
  let got = 0;
  while (got < n) {
    const r = await file.read(buf, got, n - got, at + got);
    if (r === 0) throw new StorageError('IO', 'file ended before its size (truncated while being read)');
    got += r;
  }
}

/** The first chunk of a range, read before the answer is decided (sendFile's early files). */
export interface Prefetch { readonly start: number; readonly length: number; readonly buf: Buffer; readonly done: Promise<void> }

export function prefetchFirst(file: PositionedFile, start: number, length: number): Prefetch {
  const buf = takeBuffer();
  const done = readFull(file, buf, Math.min(FILE_CHUNK_BYTES, length), start);
  done.catch(() => undefined); // awaited by whoever uses or drops it
  return { start, length, buf, done };
}

/** An unused prefetch: its buffer goes back once its read settled. */
export async function dropPrefetch(p: Prefetch): Promise<void> {
  await p.done.catch(() => undefined);
  giveBuffer(p.buf);
}

/**
 * Bytes [start, start + length) of `file` in chunks; `file` is released by close(). `first`
 * (a prefetch of this very range) becomes the first chunk and its buffer one of the two.
 */
export function fileChunks(file: PositionedFile, start: number, length: number, first?: Prefetch): ChunkSource {
  const bufs: Buffer[] = first ? [first.buf] : [];
  let turn = 0;
  let pos = start;
  let left = length;
  return {
    async next() {
      const n = Math.min(FILE_CHUNK_BYTES, left);
      if (n <= 0) throw new Error('read past the end of the range');
      const i = turn++ % 2;
      const buf = bufs[i] ?? (bufs[i] = takeBuffer());
      left -= n;
      const at = pos;
      pos += n;
      if (first && turn === 1) await first.done;
      else await readFull(file, buf, n, at);
      return buf.subarray(0, n);
    },
    close() {
      for (const b of bufs) giveBuffer(b);
      bufs.length = 0;
      file.release();
    },
  };
}
