/**
 * Match confidence of a TMDb search result for a parsed (title, year): title similarity
 * (exact after normalisation = 1, else a bigram Dice coefficient, best of title and
 * original title) minus a year penalty (off by one 0.1, unknown 0.1, further 0.4).
 * Only matches at or above CONFIDENT are applied automatically.
 */
import { matchKey } from '../../merge.js';

export const CONFIDENT = 0.85;

function bigrams(s: string): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < s.length - 1; i++) { const g = s.slice(i, i + 2); m.set(g, (m.get(g) ?? 0) + 1); }
  return m;
}

export function titleSimilarity(a: string, b: string): number {
  const x = matchKey(a);
  const y = matchKey(b);
  if (!x || !y) return 0;
  if (x === y) return 1;
  if (x.length < 2 || y.length < 2) return 0;
  const bx = bigrams(x);
  const by = bigrams(y);
  let inter = 0;
  for (const [g, n] of bx) inter += Math.min(n, by.get(g) ?? 0);
  return (2 * inter) / (x.length - 1 + (y.length - 1));
}

export function matchConfidence(query: { title: string; year?: number }, cand: { titles: (string | undefined)[]; date?: string }): number {
  const sim = Math.max(0, ...cand.titles.filter((t): t is string => Boolean(t)).map((t) => titleSimilarity(query.title, t)));
  const candYear = cand.date ? Number(cand.date.slice(0, 4)) : undefined;
  let penalty = 0;
  if (query.year && candYear) penalty = query.year === candYear ? 0 : Math.abs(query.year - candYear) === 1 ? 0.1 : 0.4;
  else if (query.year || candYear) penalty = 0.1;
  return Math.max(0, Math.round((sim - penalty) * 1000) / 1000);
}

/** Best candidate and its confidence; ties broken by result order (TMDb's popularity). */
export function bestMatch<T>(query: { title: string; year?: number }, results: T[], describe: (r: T) => { titles: (string | undefined)[]; date?: string }): { result: T; confidence: number } | undefined {
  let best: { result: T; confidence: number } | undefined;
  for (const r of results.slice(0, 10)) {
    const c = matchConfidence(query, describe(r));
    if (!best || c > best.confidence) best = { result: r, confidence: c };
  }
  return best;
}
