/**
 * The adapter edge around the release-name parser we measured best on our corpus
 * (parse-torrent-title: ~38,000 names/s and 94.7% alone, against @ctrl/video-filename-parser's
 * ~6,700 names/s and 95.2%; docs/PERFORMANCE.md, "Metadata"). Everything the rest of the
 * engine knows about that library is in this file: swapping it is a change here only.
 *
 * Our patches for what it gets wrong (measured on the corpus): leading "[group]" and
 * "www.site.tld - " prefixes, a title that ends in a year followed by the release year
 * ("Wonder Woman 1984 2020"), and "1080" read as an episode number. Episodes themselves are
 * found by our own patterns (path-name.ts) because multi-episode names are not supported.
 */
import { createRequire } from 'node:module';

export interface ReleaseName {
  title: string;
  year?: number;
  resolution?: string;
  codec?: string;
  source?: string;
  group?: string;
}

interface PttResult { title?: string; year?: number; resolution?: string; codec?: string; source?: string; group?: string }
type PttParse = (name: string) => PttResult;

// parse-torrent-title is CommonJS; createRequire keeps our ESM build free of interop shims.
const ptt = createRequire(import.meta.url)('parse-torrent-title') as { parse: PttParse };

const PREFIX_RE = /^(?:\[[^\]]{1,40}\]\s*|(?:www\.)?[a-z0-9-]+\.(?:com|org|net|to|se|me|mx|am|ag|cc)\s*-\s*)+/i;
const YEAR_PAIR_RE = /(?:^|[ ._(])((?:19|20)\d{2})[ ._)]+\(?((?:19|20)\d{2})(?=[ ._)\]]|$)/;

/** Parse one file or folder base name (no extension) as a release name. */
export function parseReleaseName(base: string): ReleaseName {
  const cleaned = base.replace(PREFIX_RE, '').trim() || base;
  const r = ptt.parse(cleaned);
  let title = (r.title ?? '').trim();
  let year = r.year;
  const pair = YEAR_PAIR_RE.exec(cleaned);
  if (pair && year === Number(pair[1]) && Number(pair[2]) >= Number(pair[1]) && title && !title.endsWith(pair[1])) {
    // "Wonder.Woman.1984.2020": the first year belongs to the title.
    title = `${title} ${pair[1]}`;
    year = Number(pair[2]);
  }
  const out: ReleaseName = { title };
  if (year) out.year = year;
  if (r.resolution) out.resolution = r.resolution;
  if (r.codec) out.codec = r.codec;
  if (r.source) out.source = r.source;
  if (r.group) out.group = r.group;
  return out;
}
