/**
 * In-process image probing: sharp reads the header only (no decode) for size, format and
 * orientation; exifr reads only the EXIF blocks we pick (capture date, camera, GPS).
 *
 * Dates: EXIF DateTimeOriginal has no zone. With OffsetTimeOriginal we honour it; without,
 * we store the wall-clock time as if it were UTC ("floating" time), so the date a photo
 * shows does not depend on the server's time zone.
 */
import { open } from 'node:fs/promises';
import { loadExifr, loadSharp, type Exifr } from './lazy-modules.js';
import type { ProbeInfo } from '../domain/types.js';

/** Bytes of a remote image we read to probe it: EXIF lives in the first segments. */
export const IMAGE_HEAD_BYTES = 128 * 1024;

/** exifr does not export its Options type. */
type ExifrOptions = Exclude<Parameters<Exifr['parse']>[1], boolean | unknown[] | undefined>;

interface ExifPick {
  Make?: string;
  Model?: string;
  Orientation?: number;
  DateTimeOriginal?: string;
  OffsetTimeOriginal?: string;
  CreateDate?: string;
  OffsetTimeDigitized?: string;
  ModifyDate?: string;
  ExifImageWidth?: number;
  ExifImageHeight?: number;
  latitude?: number;
  longitude?: number;
}

const EXIF_OPTIONS: ExifrOptions = {
  ifd0: { pick: ['Make', 'Model', 'Orientation', 'ModifyDate'] },
  exif: { pick: ['DateTimeOriginal', 'OffsetTimeOriginal', 'CreateDate', 'OffsetTimeDigitized', 'ExifImageWidth', 'ExifImageHeight'] },
  gps: { pick: ['GPSLatitude', 'GPSLatitudeRef', 'GPSLongitude', 'GPSLongitudeRef'] },
  ifd1: false, interop: false, xmp: false, icc: false, iptc: false, jfif: false, ihdr: false,
  makerNote: false, userComment: false,
  translateValues: false, reviveValues: false, sanitize: true, mergeOutput: true,
};

/**
 * The first bytes of a local file, read through a handle we always close. exifr given a
 * path leaks its file handle when the file is not a parsable image (seen: thousands of
 * "Closing file descriptor on garbage collection" warnings on a scan of broken files).
 */
async function readHeadOf(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(IMAGE_HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, IMAGE_HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function parseExif(input: string | Buffer): Promise<ExifPick | undefined> {
  const head = typeof input === 'string' ? await readHeadOf(input) : input;
  if (head.length < 12) return undefined;
  const exifr = await loadExifr();
  return exifr.parse(head, EXIF_OPTIONS) as Promise<ExifPick | undefined>;
}

/** Probe an image given its path or (remote) its first bytes. */
export async function probeImage(input: string | Buffer): Promise<ProbeInfo> {
  const sharp = await loadSharp();
  const [meta, exif] = await Promise.all([
    sharp(input, { failOn: 'none' }).metadata().catch((err: Error) => err),
    parseExif(input).catch(() => undefined),
  ]);
  if (meta instanceof Error && !exif) throw new Error(`unreadable image: ${meta.message}`);

  const info: ProbeInfo = { prober: meta instanceof Error ? 'exifr' : 'sharp' };
  let width: number | undefined;
  let height: number | undefined;
  let orientation: number | undefined;
  if (!(meta instanceof Error)) {
    info.container = containerOf(meta.format, meta.compression);
    width = meta.width;
    height = meta.height;
    orientation = meta.orientation;
  }
  if (exif) {
    width ??= exif.ExifImageWidth;
    height ??= exif.ExifImageHeight;
    orientation ??= typeof exif.Orientation === 'number' ? exif.Orientation : undefined;
    const taken = exifDate(exif.DateTimeOriginal, exif.OffsetTimeOriginal)
      ?? exifDate(exif.CreateDate, exif.OffsetTimeDigitized)
      ?? exifDate(exif.ModifyDate, undefined);
    if (taken !== undefined) info.takenAt = taken;
    const make = clean(exif.Make);
    const model = clean(exif.Model);
    if (make || model) info.camera = { ...(make ? { make } : {}), ...(model ? { model } : {}) };
    if (isCoord(exif.latitude, 90) && isCoord(exif.longitude, 180) && !(exif.latitude === 0 && exif.longitude === 0)) {
      info.gps = { lat: exif.latitude as number, lon: exif.longitude as number };
    }
  }
  if (orientation && orientation >= 1 && orientation <= 8) info.orientation = orientation;
  // Report dimensions as displayed: orientations 5-8 swap width and height.
  const swap = orientation !== undefined && orientation >= 5 && orientation <= 8;
  if (width !== undefined && height !== undefined) {
    info.width = swap ? height : width;
    info.height = swap ? width : height;
  }
  return info;
}

function containerOf(format: string | undefined, compression: string | undefined): string | undefined {
  if (format === 'heif') return compression === 'av1' ? 'avif' : 'heic';
  return format;
}

/** "YYYY:MM:DD HH:MM:SS[.sss]" (+ optional "+HH:MM" offset) -> epoch ms. */
export function exifDate(value: unknown, offset: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms] = m;
  if (y === '0000') return undefined;
  let t = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, ms ? +ms.padEnd(3, '0') : 0);
  if (!Number.isFinite(t)) return undefined;
  if (typeof offset === 'string') {
    const o = /^([+-])(\d{2}):?(\d{2})$/.exec(offset.trim());
    if (o) t -= (o[1] === '-' ? -1 : 1) * (+o[2] * 60 + +o[3]) * 60_000;
  }
  return t;
}

function clean(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const s = v.replace(/\u0000/g, '').trim();
  return s || undefined;
}

function isCoord(v: unknown, max: number): boolean {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= max;
}
