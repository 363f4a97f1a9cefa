/**
 * Random access to a file's bytes for the in-process container parsers: a local file
 * (one descriptor, positional reads) or a remote source (one ranged read per call, so a
 * parser reads the head, the boxes it needs and, for an MP4 with its index at the end,
 * the tail - never the whole file).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { ProbeSource } from '../../domain/ports.js';
import { openReadable } from '../source-read.js';

export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Up to `length` bytes from `offset` (fewer only at the end of the file). The returned
   * buffer may be shared with later reads' storage: copy what must outlive the next call.
   */
  read(offset: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** Thrown when a parser meets something it does not handle; the caller falls back to ffprobe. */
export class UnsupportedMediaError extends Error {
  /** `notContainer`: the bytes are not the container at all (garbage, or misnamed). */
  constructor(message: string, readonly notContainer = false) {
    super(message);
    this.name = 'UnsupportedMediaError';
  }
}

const readErrors = new WeakSet<object>();

/** Whether `err` came from the storage under a ByteSource (not from parsing). */
export function isSourceReadError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && readErrors.has(err);
}

function markRead(err: unknown): never {
  if (typeof err === 'object' && err !== null) readErrors.add(err);
  throw err;
}

/** A local file; `size` from the descriptor's fstat when not known. */
export async function fileByteSource(path: string, knownSize?: number): Promise<ByteSource> {
  const fh: FileHandle = await open(path, 'r').catch(markRead);
  try {
    const size = knownSize && knownSize > 0 ? knownSize : (await fh.stat()).size;
    return {
      size,
      async read(offset, length) {
        const want = Math.max(0, Math.min(length, size - offset));
        const buf = Buffer.allocUnsafe(want);
        let got = 0;
        while (got < want) {
          const { bytesRead } = await fh.read(buf, got, want - got, offset + got).catch(markRead);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return got === want ? buf : buf.subarray(0, got);
      },
      close: () => fh.close(),
    };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/**
 * A remote source through its ranged `open(start, end)`; each read is one request. An
 * abort of `signal` (deadline, caller) destroys the read in flight, so a stalled remote
 * stream cannot hold the probe.
 */
export function rangedByteSource(source: ProbeSource, signal?: AbortSignal): ByteSource {
  const size = source.size;
  return {
    size,
    async read(offset, length) {
      const end = Math.min(size, offset + length) - 1;
      if (end < offset) return Buffer.alloc(0);
      signal?.throwIfAborted();
      const stream = await openReadable(source, offset, end, signal).catch(markRead);
      const chunks: Buffer[] = [];
      let got = 0;
      const want = end - offset + 1;
      const onAbort = (): void => { stream.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted')); };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        for await (const chunk of stream) {
          const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
          chunks.push(b);
          got += b.length;
          if (got >= want) break;
        }
      } catch (err) {
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : err;
        markRead(err);
      } finally {
        signal?.removeEventListener('abort', onAbort);
        stream.destroy();
      }
      const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      return all.length > want ? all.subarray(0, want) : all;
    },
    close: async () => undefined,
  };
}
