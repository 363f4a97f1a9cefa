/**
 * HTTP byte-range parsing (RFC 7233 / RFC 9110 §14). Pure: no I/O, no HTTP types.
 *
 * Contract of parseRange(header, size):
 * - 'none': no Range header, another unit, or a syntactically invalid header. Per the RFC a
 *   server ignores a Range it cannot parse and answers 200 with the full representation.
 * - 'range': exactly one satisfiable range; `end` is inclusive and clamped to size - 1.
 * - 'multi': several satisfiable ranges (callers may answer 200 with the full body).
 * - 'unsatisfiable': every range starts at or past the end (answer 416, Content-Range: bytes * /size).
 */

export type RangeResult =
  | { kind: 'none' }
  | { kind: 'range'; start: number; end: number }
  | { kind: 'multi'; ranges: Array<{ start: number; end: number }> }
  | { kind: 'unsatisfiable' };

/** More ranges than this in one header is abuse (RFC 9110 §14.2 allows ignoring it): treated as 'none'. */
const MAX_RANGES = 64;
const SPEC = /^(\d*)\s*-\s*(\d*)$/;

export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return { kind: 'none' };
  const eq = header.indexOf('=');
  if (eq < 0) return { kind: 'none' };
  if (header.slice(0, eq).trim().toLowerCase() !== 'bytes') return { kind: 'none' };
  const specs = header.slice(eq + 1).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (specs.length === 0 || specs.length > MAX_RANGES) return { kind: 'none' };

  const satisfiable: Array<{ start: number; end: number }> = [];
  for (const spec of specs) {
    const m = SPEC.exec(spec);
    if (!m) return { kind: 'none' };
    const [, first, last] = m as unknown as [string, string, string];
    if (first === '' && last === '') return { kind: 'none' };
    if (first === '') {
      // Suffix range: the last N bytes.
      const n = Number(last);
      if (n === 0 || size === 0) continue;
      satisfiable.push({ start: Math.max(0, size - n), end: size - 1 });
      continue;
    }
    const start = Number(first);
    if (last !== '') {
      const end = Number(last);
      if (end < start) return { kind: 'none' }; // invalid per RFC: ignore the whole header
      if (start >= size) continue;
      satisfiable.push({ start, end: Math.min(end, size - 1) });
    } else {
      if (start >= size) continue;
      satisfiable.push({ start, end: size - 1 });
    }
  }
  if (satisfiable.length === 0) return { kind: 'unsatisfiable' };
  if (satisfiable.length === 1) {
    const only = satisfiable[0]!;
    return { kind: 'range', start: only.start, end: only.end };
  }
  return { kind: 'multi', ranges: satisfiable };
}

/** `Content-Range` value for a partial answer. */
export function contentRange(start: number, end: number, size: number): string {
  return `bytes ${start}-${end}/${size}`;
}

/** `Content-Range` value for a 416 answer. */
export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}
