/**
 * In-process probe of the common video containers, chosen by file extension:
 * .mp4/.m4v/.mov -> ISO BMFF, .mkv/.webm -> Matroska. Reads a few ranged pieces of the
 * file (never the media data). Throws UnsupportedMediaError for other extensions and for
 * anything the parsers do not model; other errors (I/O, truncated structures) propagate.
 * Either way ProbeService falls back to ffprobe.
 */
import type { ProbeSource } from '../../domain/ports.js';
import type { ProbeInfo } from '../../domain/types.js';
import { extensionOf } from '../source-read.js';
import { fileByteSource, rangedByteSource, UnsupportedMediaError, type ByteSource } from './byte-source.js';
import { probeIsoBmff } from './isobmff.js';
import { probeMatroska } from './matroska.js';

const PARSERS: Record<string, (src: ByteSource, name: string) => Promise<ProbeInfo>> = {
  mp4: probeIsoBmff, m4v: probeIsoBmff, mov: probeIsoBmff, mkv: probeMatroska, webm: probeMatroska,
};

/** Whether `name` has an extension the in-process parsers handle. */
export function hasContainerParser(name: string): boolean {
  return extensionOf(name) in PARSERS;
}

export async function probeContainer(source: ProbeSource, signal?: AbortSignal): Promise<ProbeInfo> {
  const parse = PARSERS[extensionOf(source.name)];
  if (!parse) throw new UnsupportedMediaError(`no in-process parser for ${source.name}`);
  const src = source.localPath ? await fileByteSource(source.localPath, source.size) : rangedByteSource(source, signal);
  try {
    return await parse(src, source.name);
  } finally {
    await src.close();
  }
}
