/**
 * Metadata similarity between two items, a score in [0, 1] with the reasons that made it.
 * Pure: no I/O. The weights add up to 1 (docs/API.md "Catalogizer — Recommendations"):
 *
 *   genres      0.35 x Jaccard(genres A, genres B)             (case-insensitive)
 *   people      0.25 x |shared| / min(|A|, |B|), first 8 each  (cast and crew names)
 *   collection  0.20 when both belong to the same collection/set
 *   year        0.10 x max(0, 1 - |yearA - yearB| / 10)
 *   rating      0.05 x max(0, 1 - |ratingA - ratingB| / 10)    (both rated)
 *   library     0.05 when both are in the same library
 *
 * A reason is reported for every component that contributed (genre:X, person:Y,
 * collection:Z, year, rating, library).
 */

export interface SimilarityFacts {
  genres: string[];
  people: string[];
  collection?: string;
  year?: number;
  rating?: number;
  libraryId: number;
}

export const WEIGHTS = { genres: 0.35, people: 0.25, collection: 0.2, year: 0.1, rating: 0.05, library: 0.05 } as const;
const MAX_PEOPLE = 8;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The facts of an item's metadata (meta of a movie/show/album, or of a file). */
export function factsOf(meta: Record<string, unknown> | undefined, libraryId: number): SimilarityFacts {
  const m = meta ?? {};
  const people = Array.isArray(m.people)
    ? m.people.slice(0, MAX_PEOPLE).map((p) => (p as { name?: unknown } | null)?.name).filter((n): n is string => typeof n === 'string')
    : [];
  const collection = typeof m.collection === 'string' ? m.collection : typeof m.set === 'string' ? m.set : undefined;
  return {
    genres: strings(m.genres),
    people,
    collection,
    year: typeof m.year === 'number' ? m.year : undefined,
    rating: typeof m.rating === 'number' ? m.rating : undefined,
    libraryId,
  };
}

export function similarity(a: SimilarityFacts, b: SimilarityFacts): { score: number; reasons: string[] } {
  const reasons: string[] = [];
  let score = 0;
  const ga = new Map(a.genres.map((g) => [g.toLowerCase(), g]));
  const gb = new Set(b.genres.map((g) => g.toLowerCase()));
  if (ga.size && gb.size) {
    const shared = [...ga.keys()].filter((g) => gb.has(g));
    const union = new Set([...ga.keys(), ...gb]).size;
    if (shared.length) { score += WEIGHTS.genres * (shared.length / union); for (const g of shared) reasons.push(`genre:${ga.get(g)}`); }
  }
  const pa = new Map(a.people.map((p) => [p.toLowerCase(), p]));
  const pb = new Set(b.people.map((p) => p.toLowerCase()));
  if (pa.size && pb.size) {
    const shared = [...pa.keys()].filter((p) => pb.has(p));
    if (shared.length) { score += WEIGHTS.people * Math.min(1, shared.length / Math.min(pa.size, pb.size)); for (const p of shared) reasons.push(`person:${pa.get(p)}`); }
  }
  if (a.collection && b.collection && a.collection.toLowerCase() === b.collection.toLowerCase()) { score += WEIGHTS.collection; reasons.push(`collection:${a.collection}`); }
  if (a.year !== undefined && b.year !== undefined) {
    const y = Math.max(0, 1 - Math.abs(a.year - b.year) / 10);
    if (y > 0) { score += WEIGHTS.year * y; reasons.push('year'); }
  }
  if (a.rating !== undefined && b.rating !== undefined) {
    const r = Math.max(0, 1 - Math.abs(a.rating - b.rating) / 10);
    if (r > 0) { score += WEIGHTS.rating * r; reasons.push('rating'); }
  }
  if (a.libraryId === b.libraryId) { score += WEIGHTS.library; reasons.push('library'); }
  return { score: Math.round(score * 10_000) / 10_000, reasons };
}
