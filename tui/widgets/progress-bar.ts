/**
 * Text progress bars, rebuilt at the current width on every render (so a resize never
 * leaves a stale bar behind). ASCII only: they read the same over any SSH terminal.
 */

/**
 * `[#########.........]  45%` in exactly `width` columns. With an unknown total the bar
 * shows a moving block driven by `done`, and the count instead of a percentage.
 */
export function progressBar(done: number, total: number | undefined, width: number): string {
  const label = total && total > 0 ? `${String(Math.min(100, Math.floor((done / total) * 100))).padStart(3)}%` : `${done}`;
  const inner = Math.max(3, width - label.length - 3);
  let bar: string;
  if (total && total > 0) {
    const filled = Math.min(inner, Math.round((done / total) * inner));
    bar = '#'.repeat(filled) + '.'.repeat(inner - filled);
  } else {
    const block = Math.min(4, inner);
    const pos = done % Math.max(1, inner - block + 1);
    bar = '.'.repeat(pos) + '#'.repeat(block) + '.'.repeat(inner - block - pos);
  }
  return `[${bar}] ${label}`.slice(0, Math.max(0, width));
}
