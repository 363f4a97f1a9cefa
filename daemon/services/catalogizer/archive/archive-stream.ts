/** One entry point for the three formats the Catalogizer download routes offer. */
import type { ArchiveEntry, ArchiveFormat } from './archive-entry.js';
import { zipStream } from './zip-writer.js';
import { tarGzStream, tarStream } from './tar-writer.js';

export function archiveStream(format: ArchiveFormat, entries: AsyncIterable<ArchiveEntry> | Iterable<ArchiveEntry>, signal: AbortSignal): AsyncGenerator<Buffer> {
  if (format === 'zip') return zipStream(entries, { signal });
  if (format === 'tar') return tarStream(entries, { signal });
  return tarGzStream(entries, { signal });
}

/**
 * Groups small chunks (headers, descriptors) into writes of at least `min` bytes, so the
 * HTTP layer sees few large writes instead of many 30-byte ones.
 */
export async function* coalesce(source: AsyncIterable<Buffer>, min = 256 * 1024): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    if (size === 0 && chunk.length >= min) { yield chunk; continue; }
    parts.push(chunk);
    size += chunk.length;
    if (size >= min) {
      yield parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
      parts = [];
      size = 0;
    }
  }
  if (size) yield Buffer.concat(parts, size);
}
