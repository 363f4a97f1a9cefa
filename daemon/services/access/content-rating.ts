/**
 * Content rating ladder for parental restrictions (User.restrictions.maxContentRating).
 * US film (G..NC-17) and TV (TV-Y..TV-MA) ratings share one ladder of five steps; numeric
 * age ratings (FSK/BBFC/"12", "DE:16") map onto it by age. Country prefixes ("US:", "us/")
 * and "Rated " are ignored. An unknown string has no rank (treated as unrated).
 */
const LADDER: Record<string, number> = {
  'G': 0, 'TV-Y': 0, 'TV-G': 0, 'U': 0, 'ALL': 0,
  'TV-Y7': 1, 'TV-Y7-FV': 1, 'PG': 1, 'TV-PG': 1,
  'PG-13': 2, 'TV-14': 2, '12A': 2,
  'R': 3, 'TV-MA': 3, '15': 3,
  'NC-17': 4, 'X': 4, '18': 4, 'R18': 4,
};

/** Names accepted as a maximum (documented in docs/API.md). */
export const KNOWN_RATINGS = Object.keys(LADDER);

/** Rank 0..4 of a rating, or undefined when it is not recognised. */
export function ratingRank(raw: unknown): number | undefined {
  if (typeof raw !== 'string') return undefined;
  let r = raw.trim().toUpperCase().replace(/^RATED\s+/, '');
  r = r.replace(/^[A-Z]{2}[:/]\s*/, '').replace(/^(FSK|BBFC|PEGI)\s*/, '').trim();
  if (r in LADDER) return LADDER[r];
  const age = /^(\d{1,2})\+?$/.exec(r);
  if (!age) return undefined;
  const n = Number(age[1]);
  return n <= 6 ? 0 : n <= 10 ? 1 : n <= 13 ? 2 : n <= 17 ? 3 : 4;
}
