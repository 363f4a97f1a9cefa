/**
 * Media Viewer's search syntax (api-000 §6.1, upstream parseTagFilters):
 *   tag:NAME       items must carry NAME (all include filters must match)
 *   -tag:NAME      items must not carry NAME
 *   NOT tag:NAME   same as -tag: (exactly one space after NOT)
 * A filter starts at the beginning or after an ASCII space; prefixes match case-insensitively.
 * A tag name runs to the next filter or the end, trimmed, so names may contain spaces and
 * words after a filter belong to that tag's name: free text must come first.
 */

export interface ParsedQuery {
  /** Free text before the first filter, trimmed ('' when none). */
  text: string;
  include: string[];
  exclude: string[];
}

const MARKERS: readonly { prefix: string; exclude: boolean }[] = [
  { prefix: 'not tag:', exclude: true },
  { prefix: '-tag:', exclude: true },
  { prefix: 'tag:', exclude: false },
];

export function parseSearchQuery(q: string): ParsedQuery {
  const lower = q.toLowerCase();
  const found: { at: number; nameAt: number; exclude: boolean }[] = [];
  for (let i = 0; i < q.length; i++) {
    if (i > 0 && q[i - 1] !== ' ') continue;
    const m = MARKERS.find((x) => lower.startsWith(x.prefix, i));
    if (!m) continue;
    found.push({ at: i, nameAt: i + m.prefix.length, exclude: m.exclude });
    i += m.prefix.length - 1;
  }
  const out: ParsedQuery = { text: (found.length ? q.slice(0, found[0].at) : q).trim(), include: [], exclude: [] };
  found.forEach((f, k) => {
    const end = k + 1 < found.length ? found[k + 1].at : q.length;
    const name = q.slice(f.nameAt, end).trim();
    if (name) (f.exclude ? out.exclude : out.include).push(name);
  });
  return out;
}
