/**
 * Where HLS segments start, and the playlists. Pure.
 *
 * Transcoded sessions use a fixed plan computed from the duration before ffmpeg starts:
 * short first segments (1 s, 1 s, 2 s) so the first one is ready quickly, then the target
 * length. Keyframes are forced at exactly these times and the segment muxer cuts there, so
 * a restarted ffmpeg (a far seek) produces segments that line up with the plan, and the
 * VOD playlist can list every segment from the start.
 */

/** Segment start times in seconds, plus the end: [0, 1, 2, 4, 8, ..., duration]. */
export function planBoundaries(durationSec: number, segmentSec: number): number[] {
  const out = [0];
  let t = 0;
  for (const len of [1, 1, 2]) {
    if (len >= segmentSec || t + len >= durationSec) break;
    t += len;
    out.push(t);
  }
  while (t + segmentSec < durationSec) {
    t += segmentSec;
    out.push(t);
  }
  // A last sliver shorter than 0.25 s is merged into the previous segment.
  if (durationSec - out[out.length - 1] < 0.25 && out.length > 1) out.pop();
  out.push(durationSec);
  return out.map((x) => Math.round(x * 1000) / 1000);
}

/** The segment that contains time `sec`. */
export function segmentAt(boundaries: readonly number[], sec: number): number {
  for (let i = boundaries.length - 2; i >= 0; i--) if (sec >= boundaries[i]) return i;
  return 0;
}

export const segmentName = (n: number): string => `seg-${n}.ts`;

/** 'seg-12.ts' -> 12; anything else -> undefined. */
export function parseSegmentName(name: string): number | undefined {
  const m = /^seg-(\d{1,6})\.ts$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

function uri(n: number, query: string): string {
  return segmentName(n) + (query ? `?${query}` : '');
}

/** VOD playlist of a fixed plan. `query` (e.g. "token=...") is appended to each URI. */
export function vodPlaylist(boundaries: readonly number[], query = ''): string {
  const lens = boundaries.slice(1).map((b, i) => b - boundaries[i]);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${Math.max(1, Math.ceil(Math.max(...lens)))}`,
    '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD'];
  lens.forEach((len, i) => lines.push(`#EXTINF:${len.toFixed(6)},`, uri(i, query)));
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}

/** EVENT playlist of the segments done so far (stream-copy sessions: cuts fall on source keyframes). */
export function eventPlaylist(segments: ReadonlyArray<{ n: number; durationSec: number }>, ended: boolean, targetSec: number, query = ''): string {
  const longest = Math.max(targetSec, ...segments.map((s) => s.durationSec));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${Math.ceil(longest)}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:EVENT'];
  for (const s of segments) lines.push(`#EXTINF:${s.durationSec.toFixed(6)},`, uri(s.n, query));
  if (ended) lines.push('#EXT-X-ENDLIST');
  lines.push('');
  return lines.join('\n');
}

/** One line of the segment muxer's CSV list: "seg-3.ts,4.000000,8.000000". */
export function parseSegmentCsvLine(line: string): { n: number; start: number; end: number } | undefined {
  const [name, a, b] = line.trim().split(',');
  const n = parseSegmentName(name ?? '');
  const start = Number(a);
  const end = Number(b);
  if (n === undefined || !Number.isFinite(start) || !Number.isFinite(end)) return undefined;
  return { n, start, end };
}
