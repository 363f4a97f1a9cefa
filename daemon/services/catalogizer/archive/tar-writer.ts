/**
 * A streaming tar writer (POSIX ustar, with pax extended headers for what ustar cannot
 * hold: names longer than its 100+155 byte fields or not plain ASCII, sizes of 8 GiB and
 * more, mtimes out of range). Members are read one at a time and emitted as read.
 *
 * Tar states the size before the data, so a member whose byte count differs from the
 * declared size cannot be repaired: the writer throws and the caller aborts the answer
 * (a truncated tar is detectable, a silently wrong one is not).
 */
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { checkMemberName, entryChunks, type ArchiveEntry } from './archive-entry.js';

const BLOCK = 512;
const MAX_OCTAL_SIZE = 0o77777777777; // 11 octal digits: 8 GiB - 1

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function writeString(buf: Buffer, value: string, offset: number, length: number): void {
  buf.write(value, offset, Math.min(length, Buffer.byteLength(value)), 'utf8');
}

function checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return sum;
}

function header(name: string, size: number, mtimeSec: number, type: '0' | 'x', prefix = ''): Buffer {
  const h = Buffer.alloc(BLOCK);
  writeString(h, name, 0, 100);
  writeString(h, '0000644\0', 100, 8);
  writeString(h, '0000000\0', 108, 8);
  writeString(h, '0000000\0', 116, 8);
  writeString(h, octal(size, 12), 124, 12);
  writeString(h, octal(mtimeSec, 12), 136, 12);
  h.write(type, 156, 'ascii');
  writeString(h, 'ustar\0', 257, 6);
  writeString(h, '00', 263, 2);
  writeString(h, prefix, 345, 155);
  writeString(h, octal(checksum(h), 7) + ' ', 148, 8);
  return h;
}

/** A pax record: "<len> key=value\n" where len counts the whole record, itself included. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

const padding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/** Split a name into ustar prefix (<=155) and name (<=100) at a '/', when ASCII allows it. */
function ustarName(name: string): { name: string; prefix: string } | undefined {
  if (!/^[\x20-\x7e]*$/.test(name)) return undefined;
  if (name.length <= 100) return { name, prefix: '' };
  for (let i = name.length - 101; i < name.length; i++) {
    if (i > 0 && name[i] === '/' && i <= 155 && name.length - i - 1 <= 100 && name.length - i - 1 > 0) {
      return { prefix: name.slice(0, i), name: name.slice(i + 1) };
    }
  }
  return undefined;
}

/** The header block(s) of one member. */
export function memberHeader(rawName: string, size: number, mtimeMs: number): Buffer {
  const name = checkMemberName(rawName);
  const mtimeSec = Math.max(0, Math.floor(mtimeMs / 1000));
  const split = ustarName(name);
  const pax: string[] = [];
  if (!split) pax.push(paxRecord('path', name));
  if (size > MAX_OCTAL_SIZE) pax.push(paxRecord('size', String(size)));
  if (mtimeSec > MAX_OCTAL_SIZE) pax.push(paxRecord('mtime', String(mtimeSec)));
  const fallback = split ?? { name: name.replace(/[^\x20-\x7e]/g, '_').slice(-100), prefix: '' };
  const main = header(fallback.name, Math.min(size, MAX_OCTAL_SIZE), Math.min(mtimeSec, MAX_OCTAL_SIZE), '0', fallback.prefix);
  if (!pax.length) return main;
  const body = Buffer.from(pax.join(''), 'utf8');
  const paxName = `PaxHeaders/${fallback.name.slice(-80)}`;
  return Buffer.concat([header(paxName, body.length, mtimeSec, 'x'), body, padding(body.length), main]);
}

export interface TarOptions { signal: AbortSignal }

/** Yields the tar archive of `entries` chunk by chunk. */
export async function* tarStream(entries: AsyncIterable<ArchiveEntry> | Iterable<ArchiveEntry>, options: TarOptions): AsyncGenerator<Buffer> {
  for await (const entry of entries) {
    yield memberHeader(entry.name, entry.size, entry.mtimeMs);
    let read = 0;
    for await (const chunk of entryChunks(entry, options.signal)) {
      read += chunk.length;
      if (read > entry.size) throw new Error(`${entry.name} grew while being archived`);
      yield chunk;
    }
    if (read !== entry.size) throw new Error(`${entry.name} shrank while being archived (${read} of ${entry.size} bytes)`);
    const pad = padding(entry.size);
    if (pad.length) yield pad;
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** tarStream through gzip, with backpressure (gzip reads only as fast as it is read). */
export async function* tarGzStream(entries: AsyncIterable<ArchiveEntry> | Iterable<ArchiveEntry>, options: TarOptions): AsyncGenerator<Buffer> {
  const source = Readable.from(tarStream(entries, options), { objectMode: false });
  const gzip = createGzip({ level: 6 });
  source.on('error', (err) => gzip.destroy(err));
  source.pipe(gzip);
  try {
    for await (const chunk of gzip) yield chunk as Buffer;
  } finally {
    source.destroy();
    gzip.destroy();
  }
}
