/**
 * What the archive writers consume: one file per entry, opened only when its turn comes, so
 * an archive of a 10 GB directory holds one read stream at a time and memory stays flat.
 */
import type { Readable } from 'node:stream';

export interface ArchiveEntry {
  /** Member name, '/'-separated, relative (no leading slash, no '..'): the writer checks. */
  name: string;
  /** Declared size in bytes (from the index or a stat); tar relies on it, zip verifies it. */
  size: number;
  mtimeMs: number;
  /** Opens the bytes; the writer destroys the stream when it stops early. */
  open(signal: AbortSignal): Promise<Readable>;
}

export type ArchiveFormat = 'zip' | 'tar' | 'tar.gz';
export const ARCHIVE_FORMATS: readonly ArchiveFormat[] = ['zip', 'tar', 'tar.gz'];

export const ARCHIVE_CONTENT_TYPES: Record<ArchiveFormat, string> = {
  zip: 'application/zip',
  tar: 'application/x-tar',
  'tar.gz': 'application/gzip',
};

/** Refuse names a reader could resolve outside its target directory. */
export function checkMemberName(name: string): string {
  const clean = name.replace(/^\/+/, '');
  if (!clean || clean.includes('\0') || clean.split('/').some((s) => s === '..' || s === '')) {
    throw new Error(`unsafe archive member name: ${JSON.stringify(name)}`);
  }
  return clean;
}

/**
 * Reads an entry's bytes as chunks, stopping (and destroying the source) when the consumer
 * stops or the signal aborts. Throws when the byte count differs from `expected` and
 * `strict` (tar cannot correct a header already sent).
 */
export async function* entryChunks(entry: ArchiveEntry, signal: AbortSignal): AsyncGenerator<Buffer, number> {
  const stream = await entry.open(signal);
  let total = 0;
  try {
    for await (const chunk of stream) {
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      total += buf.length;
      yield buf;
    }
  } finally {
    if (!stream.destroyed) stream.destroy();
  }
  return total;
}
