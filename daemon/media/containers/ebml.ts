/**
 * EBML primitives for the Matroska parser: element headers (variable-length id and size)
 * and the value readers. Sizes past 2^53 or with all bits set are "unknown" (-1).
 */

export interface Element { id: number; start: number; dataStart: number; size: number }

/** Element header at `at`; undefined when it does not fit in `buf`. Offsets are buf-relative. */
export function elementAt(buf: Buffer, at: number): Element | undefined {
  const first = buf[at];
  if (first === undefined || first === 0) return undefined;
  const idLen = Math.clz32(first) - 23;
  if (idLen > 4 || at + idLen >= buf.length) return undefined;
  let id = 0;
  for (let i = 0; i < idLen; i++) id = id * 256 + buf[at + i];
  const s0 = buf[at + idLen];
  if (s0 === 0) return undefined;
  const sizeLen = Math.clz32(s0) - 23;
  if (at + idLen + sizeLen > buf.length) return undefined;
  let size = s0 & (0xff >> sizeLen);
  let allOnes = size === (0xff >> sizeLen);
  for (let i = 1; i < sizeLen; i++) {
    const byte = buf[at + idLen + i];
    size = size * 256 + byte;
    if (byte !== 0xff) allOnes = false;
  }
  if (allOnes || size > Number.MAX_SAFE_INTEGER) size = -1;
  return { id, start: at, dataStart: at + idLen + sizeLen, size };
}

/** Children of a master element's data (stops at the first header that does not fit). */
export function* elements(data: Buffer): Generator<Element> {
  for (let at = 0; at < data.length;) {
    const el = elementAt(data, at);
    if (!el || el.size < 0) return;
    yield el;
    at = el.dataStart + el.size;
  }
}

export function body(buf: Buffer, el: Element): Buffer {
  return buf.subarray(el.dataStart, el.dataStart + el.size);
}

export function uint(b: Buffer): number {
  let v = 0;
  for (const byte of b) v = v * 256 + byte;
  return v;
}

/** Signed big-endian integer (DateUTC). */
export function sint(b: Buffer): number {
  if (b.length === 0) return 0;
  return b.length === 8 ? Number(b.readBigInt64BE(0)) : b.readIntBE(0, Math.min(6, b.length));
}

export function float(b: Buffer): number | undefined {
  if (b.length === 4) return b.readFloatBE(0);
  if (b.length === 8) return b.readDoubleBE(0);
  return undefined;
}

export function text(b: Buffer): string {
  const nul = b.indexOf(0);
  return (nul >= 0 ? b.subarray(0, nul) : b).toString('utf8');
}
