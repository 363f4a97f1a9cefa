/**
 * Reading helpers over ProbeSource for remote roots (no localPath, only a ranged `open`).
 */
import { Readable } from 'node:stream';
import type { ProbeSource } from '../domain/ports.js';

/** A Node Readable over `open(start)`: music-metadata and pipes want a real Readable. */
export async function openReadable(source: ProbeSource, start = 0, end?: number, signal?: AbortSignal): Promise<Readable> {
  if (!source.open) throw new Error('source has neither a local path nor a reader');
  const s = await source.open(start, end, signal);
  if (s instanceof Readable) return s;
  return Readable.from(s as AsyncIterable<Buffer>);
}

/**
 * The first `bytes` bytes of the source (fewer when the file is shorter). Ranged, so a
 * remote root only sends what is asked for; the stream is destroyed once we have enough.
 */
export async function readHead(source: ProbeSource, bytes: number, signal?: AbortSignal): Promise<Buffer> {
  const want = Math.max(1, Math.min(bytes, source.size || bytes));
  const stream = await openReadable(source, 0, want - 1, signal);
  const chunks: Buffer[] = [];
  let got = 0;
  try {
    for await (const chunk of stream) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      chunks.push(buf);
      got += buf.length;
      if (got >= want) break;
    }
  } finally {
    stream.destroy();
  }
  const all = Buffer.concat(chunks);
  return all.length > want ? all.subarray(0, want) : all;
}

/** Extension of a file name, lower case, without the dot ('' when none). */
export function extensionOf(name: string): string {
  const i = name.lastIndexOf('.');
  return i > 0 ? name.slice(i + 1).toLowerCase() : '';
}
