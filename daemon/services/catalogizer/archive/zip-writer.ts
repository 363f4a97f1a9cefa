/**
 * A streaming zip writer: members are read one at a time and emitted as they are read, with
 * no temporary archive and no look-ahead, so memory holds one read chunk plus ~100 bytes of
 * central directory per member.
 *
 * Layout per member: local header (general purpose flag bit 3: sizes and CRC follow in a
 * data descriptor; bit 11: UTF-8 names), data (stored, or raw deflate for small text-like
 * files; media is already compressed), data descriptor. ZIP64 is used per member when its
 * declared size reaches 4 GiB (local zip64 extra, 8-byte descriptor sizes), for offsets past
 * 4 GiB in the central directory, and for the end record when needed (> 65,535 members or a
 * directory past 4 GiB). CRC-32 is computed while streaming.
 *
 * The CRC and sizes written are those of the bytes actually read, so a file that changed
 * size while being archived still yields a valid archive; only a stored member that grows
 * past 4 GiB without a zip64 header is refused (the header was already sent).
 */
import { once } from 'node:events';
import { createDeflateRaw } from 'node:zlib';
import { crc32 } from './crc32.js';
import { checkMemberName, entryChunks, type ArchiveEntry } from './archive-entry.js';

const U32 = 0xFFFFFFFF;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;

/** Text-like files worth deflating; everything else (media, archives) is stored. */
const COMPRESSIBLE = new Set([
  'txt', 'srt', 'vtt', 'ass', 'ssa', 'sub', 'nfo', 'json', 'xml', 'csv', 'log', 'md', 'html', 'htm',
  'css', 'js', 'ts', 'ini', 'cfg', 'conf', 'yaml', 'yml', 'cue', 'm3u', 'm3u8', 'pls', 'svg', 'bmp', 'wav', 'tif', 'tiff',
]);
const MAX_DEFLATE_BYTES = 256 * 1024 * 1024;

export interface ZipOptions {
  signal: AbortSignal;
  /** Decide per member whether to deflate; default: text-like extensions below 256 MiB. */
  compress?: (entry: ArchiveEntry) => boolean;
}

export function defaultCompress(entry: ArchiveEntry): boolean {
  const dot = entry.name.lastIndexOf('.');
  const ext = dot >= 0 ? entry.name.slice(dot + 1).toLowerCase() : '';
  return entry.size < MAX_DEFLATE_BYTES && COMPRESSIBLE.has(ext);
}

interface CentralRecord {
  name: Buffer; method: number; time: number; date: number; crc: number;
  csize: number; usize: number; offset: number; zip64Local: boolean;
}

/** DOS date and time (local time, 2 s resolution, clamped to 1980..2107). */
export function dosDateTime(ms: number): { date: number; time: number } {
  const d = new Date(Number.isFinite(ms) ? ms : 0);
  let year = d.getFullYear();
  if (year < 1980) return { date: (0 << 9) | (1 << 5) | 1, time: 0 };
  if (year > 2107) year = 2107;
  return {
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
  };
}

function localHeader(rec: CentralRecord): Buffer {
  const extra = rec.zip64Local ? Buffer.alloc(20) : Buffer.alloc(0);
  if (rec.zip64Local) { extra.writeUInt16LE(0x0001, 0); extra.writeUInt16LE(16, 2); } // sizes 0: in the descriptor
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(rec.zip64Local ? 45 : 20, 4);
  h.writeUInt16LE(FLAG_DESCRIPTOR | FLAG_UTF8, 6);
  h.writeUInt16LE(rec.method, 8);
  h.writeUInt16LE(rec.time, 10);
  h.writeUInt16LE(rec.date, 12);
  h.writeUInt32LE(0, 14);
  h.writeUInt32LE(rec.zip64Local ? U32 : 0, 18);
  h.writeUInt32LE(rec.zip64Local ? U32 : 0, 22);
  h.writeUInt16LE(rec.name.length, 26);
  h.writeUInt16LE(extra.length, 28);
  return Buffer.concat([h, rec.name, extra]);
}

function descriptor(rec: CentralRecord): Buffer {
  if (rec.zip64Local) {
    const d = Buffer.alloc(24);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(rec.crc, 4);
    d.writeBigUInt64LE(BigInt(rec.csize), 8);
    d.writeBigUInt64LE(BigInt(rec.usize), 16);
    return d;
  }
  const d = Buffer.alloc(16);
  d.writeUInt32LE(0x08074b50, 0);
  d.writeUInt32LE(rec.crc, 4);
  d.writeUInt32LE(rec.csize, 8);
  d.writeUInt32LE(rec.usize, 12);
  return d;
}

function centralHeader(rec: CentralRecord): Buffer {
  const big: bigint[] = [];
  const usize = rec.usize >= U32 || rec.zip64Local ? (big.push(BigInt(rec.usize)), U32) : rec.usize;
  const csize = rec.csize >= U32 || rec.zip64Local ? (big.push(BigInt(rec.csize)), U32) : rec.csize;
  const offset = rec.offset >= U32 ? (big.push(BigInt(rec.offset)), U32) : rec.offset;
  const extra = Buffer.alloc(big.length ? 4 + 8 * big.length : 0);
  if (big.length) {
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(8 * big.length, 2);
    big.forEach((v, i) => extra.writeBigUInt64LE(v, 4 + 8 * i));
  }
  const needs64 = big.length > 0;
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE((3 << 8) | 45, 4);            // made by: Unix, spec 4.5
  h.writeUInt16LE(needs64 ? 45 : 20, 6);
  h.writeUInt16LE(FLAG_DESCRIPTOR | FLAG_UTF8, 8);
  h.writeUInt16LE(rec.method, 10);
  h.writeUInt16LE(rec.time, 12);
  h.writeUInt16LE(rec.date, 14);
  h.writeUInt32LE(rec.crc, 16);
  h.writeUInt32LE(csize, 20);
  h.writeUInt32LE(usize, 24);
  h.writeUInt16LE(rec.name.length, 28);
  h.writeUInt16LE(extra.length, 30);
  h.writeUInt16LE(0, 32);                        // comment
  h.writeUInt16LE(0, 34);                        // disk
  h.writeUInt16LE(0, 36);                        // internal attributes
  h.writeUInt32LE((0o100644 << 16) >>> 0, 38);   // regular file, rw-r--r--
  h.writeUInt32LE(offset, 42);
  return Buffer.concat([h, rec.name, extra]);
}

function endRecords(count: number, cdOffset: number, cdSize: number): Buffer {
  const parts: Buffer[] = [];
  const needs64 = count > 0xFFFF || cdOffset >= U32 || cdSize >= U32;
  if (needs64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE((3 << 8) | 45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeUInt32LE(0, 16);
    rec.writeUInt32LE(0, 20);
    rec.writeBigUInt64LE(BigInt(count), 24);
    rec.writeBigUInt64LE(BigInt(count), 32);
    rec.writeBigUInt64LE(BigInt(cdSize), 40);
    rec.writeBigUInt64LE(BigInt(cdOffset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeUInt32LE(0, 4);
    loc.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
    loc.writeUInt32LE(1, 16);
    parts.push(rec, loc);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(needs64 ? 0xFFFF : count, 8);
  eocd.writeUInt16LE(needs64 ? 0xFFFF : count, 10);
  eocd.writeUInt32LE(needs64 ? U32 : cdSize, 12);
  eocd.writeUInt32LE(needs64 ? U32 : cdOffset, 16);
  parts.push(eocd);
  return Buffer.concat(parts);
}

/** Deflates one member's chunks, yielding compressed output as it appears. */
async function* deflated(source: AsyncGenerator<Buffer, number>, onInput: (b: Buffer) => void): AsyncGenerator<Buffer> {
  const z = createDeflateRaw({ level: 6 });
  const out: Buffer[] = [];
  let failed: Error | undefined;
  z.on('data', (b: Buffer) => out.push(b));
  z.on('error', (err: Error) => { failed = err; });
  try {
    for await (const chunk of source) {
      onInput(chunk);
      if (!z.write(chunk)) await once(z, 'drain');
      while (out.length) yield out.shift()!;
    }
    const ended = once(z, 'end');
    z.end();
    await ended;
    if (failed) throw failed;
    while (out.length) yield out.shift()!;
  } finally {
    z.destroy();
  }
}

/**
 * Yields the zip archive of `entries` chunk by chunk. Stop consuming (or abort `signal`) to
 * stop reading: the current member's stream is destroyed.
 */
export async function* zipStream(entries: AsyncIterable<ArchiveEntry> | Iterable<ArchiveEntry>, options: ZipOptions): AsyncGenerator<Buffer> {
  const compress = options.compress ?? defaultCompress;
  const central: CentralRecord[] = [];
  let offset = 0;
  for await (const entry of entries) {
    const name = Buffer.from(checkMemberName(entry.name), 'utf8');
    if (name.length > 0xFFFF) throw new Error('member name too long');
    const { date, time } = dosDateTime(entry.mtimeMs);
    const method = compress(entry) ? METHOD_DEFLATE : METHOD_STORE;
    const rec: CentralRecord = { name, method, time, date, crc: 0, csize: 0, usize: 0, offset, zip64Local: entry.size >= U32 - 1024 * 1024 };
    const head = localHeader(rec);
    offset += head.length;
    yield head;
    let crc = 0;
    let usize = 0;
    let csize = 0;
    const source = entryChunks(entry, options.signal);
    if (method === METHOD_STORE) {
      for await (const chunk of source) {
        crc = crc32(chunk, crc);
        usize += chunk.length;
        if (!rec.zip64Local && usize >= U32) throw new Error(`${entry.name} grew past 4 GiB while being archived`);
        yield chunk;
      }
      csize = usize;
    } else {
      for await (const out of deflated(source, (b) => { crc = crc32(b, crc); usize += b.length; })) {
        csize += out.length;
        yield out;
      }
    }
    rec.crc = crc; rec.usize = usize; rec.csize = csize;
    offset += csize;
    const desc = descriptor(rec);
    offset += desc.length;
    yield desc;
    central.push(rec);
  }
  const cdOffset = offset;
  let cdSize = 0;
  // The central directory goes out in batches: one Buffer per ~512 members.
  for (let i = 0; i < central.length; i += 512) {
    const batch = Buffer.concat(central.slice(i, i + 512).map(centralHeader));
    cdSize += batch.length;
    yield batch;
  }
  yield endRecords(central.length, cdOffset, cdSize);
}
