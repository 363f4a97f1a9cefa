/**
 * SRT, ASS/SSA and WebVTT text to WebVTT. Pure; table-tested.
 *
 * - SRT: cue numbers dropped, "00:01:02,345" -> "00:01:02.345", <b>/<i>/<u> kept (WebVTT has
 *   them), <font> and {\an8}-style ASS overrides stripped, blank-line separated cues.
 * - ASS/SSA: [Events] Dialogue lines; the Format line says where Start, End and Text are
 *   (Text is the rest of the line, commas included); times are h:mm:ss.cc (centiseconds);
 *   override blocks {...} removed, \N and \n -> line break, \h -> space. Comment lines skipped.
 * - WebVTT: passed through, normalised line endings, header ensured.
 * Cues are sorted by start time (ASS files are often not).
 */

export type SubtitleFormat = 'srt' | 'ass' | 'ssa' | 'vtt';

export interface Cue { startMs: number; endMs: number; text: string }

export function formatOf(name: string): SubtitleFormat | undefined {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  return ext === 'srt' || ext === 'ass' || ext === 'ssa' || ext === 'vtt' ? ext : undefined;
}

function pad(n: number, width = 2): string { return String(n).padStart(width, '0'); }

/** 3723456 -> "01:02:03.456". */
export function vttTime(ms: number): string {
  const t = Math.max(0, Math.round(ms));
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor((t % 3_600_000) / 60_000);
  const s = Math.floor((t % 60_000) / 1000);
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(t % 1000, 3)}`;
}

/** "00:01:02,345" / "00:01:02.345" / "01:02.345" / "0:01:02.34" (ASS) -> ms. */
export function parseTime(text: string): number | undefined {
  const m = /^\s*(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?\s*$/.exec(text);
  if (!m || Number(m[3]) > 59 || (m[1] !== undefined && Number(m[2]) > 59)) return undefined;
  const frac = m[4] ?? '0';
  const ms = Number(frac.padEnd(3, '0'));
  return ((Number(m[1] ?? 0) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + ms;
}

const NL = /\r\n|\r|\n/;

export function parseSrt(text: string): Cue[] {
  const cues: Cue[] = [];
  // Normalise line ends first: a CR LF must never read as two line breaks.
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    const lines = block.split(NL).filter((l, i) => i > 0 || l.trim() !== '');
    const at = lines.findIndex((l) => l.includes('-->'));
    if (at < 0) continue;
    const [a, b] = lines[at].split('-->');
    const startMs = parseTime(a);
    const endMs = parseTime((b ?? '').trim().split(/\s+/)[0] ?? '');
    if (startMs === undefined || endMs === undefined) continue;
    const body = lines.slice(at + 1).join('\n').trim();
    if (body) cues.push({ startMs, endMs, text: cleanSrtText(body) });
  }
  return sortCues(cues);
}

function cleanSrtText(text: string): string {
  return text
    .replace(/\{\\[^}]*\}/g, '')
    .replace(/<\/?font[^>]*>/gi, '')
    .replace(/<(\/?)([biu])\s*>/gi, (_m, slash: string, tag: string) => `<${slash}${tag.toLowerCase()}>`)
    .replace(/-->/g, '->');
}

export function parseAss(text: string): Cue[] {
  const cues: Cue[] = [];
  let inEvents = false;
  let fields = ['layer', 'start', 'end', 'style', 'name', 'marginl', 'marginr', 'marginv', 'effect', 'text'];
  for (const raw of text.split(NL)) {
    const line = raw.trim();
    if (/^\[.*\]$/.test(line)) { inEvents = line.toLowerCase() === '[events]'; continue; }
    if (!inEvents) continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const kind = line.slice(0, colon).trim().toLowerCase();
    const rest = line.slice(colon + 1);
    if (kind === 'format') { fields = rest.split(',').map((f) => f.trim().toLowerCase()); continue; }
    if (kind !== 'dialogue') continue;
    const parts = rest.split(',');
    const textAt = fields.indexOf('text');
    const value = (name: string): string | undefined => {
      const i = fields.indexOf(name);
      return i >= 0 ? parts[i] : undefined;
    };
    const startMs = parseTime(value('start') ?? '');
    const endMs = parseTime(value('end') ?? '');
    if (startMs === undefined || endMs === undefined || textAt < 0) continue;
    const body = parts.slice(textAt).join(',')
      .replace(/\{[^}]*\}/g, '')
      .replace(/\\[Nn]/g, '\n')
      .replace(/\\h/g, ' ')
      .replace(/-->/g, '->')
      .trim();
    if (body) cues.push({ startMs, endMs, text: body });
  }
  return sortCues(cues);
}

function sortCues(cues: Cue[]): Cue[] {
  return cues.map((c, i) => ({ c, i })).sort((x, y) => x.c.startMs - y.c.startMs || x.i - y.i).map((x) => x.c);
}

export function cuesToVtt(cues: Cue[]): string {
  const out = ['WEBVTT', ''];
  for (const c of cues) {
    out.push(`${vttTime(c.startMs)} --> ${vttTime(c.endMs)}`, c.text.replace(/\n{2,}/g, '\n'), '');
  }
  return out.join('\n');
}

/** Any supported subtitle text to WebVTT. */
export function toWebVtt(text: string, format: SubtitleFormat): string {
  switch (format) {
    case 'srt': return cuesToVtt(parseSrt(text));
    case 'ass':
    case 'ssa': return cuesToVtt(parseAss(text));
    case 'vtt': {
      const body = text.replace(/\r\n|\r/g, '\n');
      return body.startsWith('WEBVTT') ? body : `WEBVTT\n\n${body}`;
    }
  }
}
