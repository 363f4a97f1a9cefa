/**
 * ISO BMFF box headers (32- and 64-bit sizes, size 0 = to the end) and child iteration
 * over an in-memory payload.
 */
import { UnsupportedMediaError } from './byte-source.js';

export interface Box { type: string; start: number; headerLen: number; size: number }

/** A box header at `at` in `buf` (`base` is buf's file offset); undefined when it does not fit. */
export function boxAt(buf: Buffer, at: number, base: number, fileSize: number): Box | undefined {
  if (at + 8 > buf.length) return undefined;
  let size = buf.readUInt32BE(at);
  const type = buf.toString('latin1', at + 4, at + 8);
  let headerLen = 8;
  if (size === 1) {
    if (at + 16 > buf.length) return undefined;
    size = Number(buf.readBigUInt64BE(at + 8));
    headerLen = 16;
  } else if (size === 0) {
    size = fileSize - (base + at);
  }
  if (size < headerLen) throw new UnsupportedMediaError(`bad box size for ${JSON.stringify(type)}`);
  return { type, start: base + at, headerLen, size };
}

/** Children of a box payload, as subarrays (type -> list). */
export function children(payload: Buffer): { type: string; body: Buffer }[] {
  const out: { type: string; body: Buffer }[] = [];
  for (let at = 0; at + 8 <= payload.length;) {
    const box = boxAt(payload, at, 0, payload.length);
    if (!box) break;
    const end = Math.min(payload.length, at + box.size);
    out.push({ type: box.type, body: payload.subarray(at + box.headerLen, end) });
    at += box.size;
  }
  return out;
}

export function child(payload: Buffer, type: string): Buffer | undefined {
  return children(payload).find((c) => c.type === type)?.body;
}

