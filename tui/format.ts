/** Small pure formatters shared by the screens. */

/** Escapes blessed tag braces in text that comes from the daemon (names, paths, messages). */
export function esc(text: unknown): string {
  return String(text ?? '').replace(/[{}]/g, (c) => (c === '{' ? '{open}' : '{close}'));
}

export function bytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function count(n: number | undefined): string {
  return n === undefined ? '-' : n.toLocaleString('en-US');
}

/** Cuts `text` to `width` columns with an ellipsis; pads when `pad`. */
export function fit(text: string, width: number, pad = false, alignRight = false): string {
  if (width <= 0) return '';
  const t = text.length > width ? (width > 1 ? `${text.slice(0, width - 1)}~` : text.slice(0, width)) : text;
  if (!pad) return t;
  return alignRight ? t.padStart(width) : t.padEnd(width);
}

/** "12s", "3m 05s", "1h 02m". */
export function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
