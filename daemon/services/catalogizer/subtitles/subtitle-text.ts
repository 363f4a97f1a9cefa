/**
 * Uploaded or downloaded subtitle bytes -> a stored text: encoding detected (UTF-8 with or
 * without BOM, UTF-16 LE/BE, else Windows-1252) and re-encoded as UTF-8; format by
 * extension (.srt, .ass/.ssa, .vtt) or, for .txt, by content (SRT timing lines, or MicroDVD
 * `{start}{end}text` frames converted to SRT). A file with no readable cue is refused.
 * Pure; table-tested through the integration suite.
 */
import { ValidationError } from '../../../domain/errors.js';
import { decodeSubtitleText, type DetectedEncoding } from '../../../media/subtitles/text-decode.js';
import { parseAss, parseSrt, type Cue } from '../../../media/subtitles/subtitle-convert.js';

export type StoredFormat = 'srt' | 'ass' | 'vtt';

export interface NormalizedSubtitle {
  format: StoredFormat;
  /** UTF-8 text to store (no BOM). */
  text: string;
  /** What the input was encoded in. */
  encoding: DetectedEncoding;
  cues: Cue[];
}

function srtTime(ms: number): string {
  const t = Math.max(0, Math.round(ms));
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(Math.floor(t / 3_600_000))}:${p(Math.floor((t % 3_600_000) / 60_000))}:${p(Math.floor((t % 60_000) / 1000))},${p(t % 1000, 3)}`;
}

export function cuesToSrt(cues: readonly Cue[]): string {
  return cues.map((c, i) => `${i + 1}\n${srtTime(c.startMs)} --> ${srtTime(c.endMs)}\n${c.text}\n`).join('\n');
}

/** MicroDVD: `{123}{456}Line one|Line two`; a first `{1}{1}23.976` line gives the frame rate. */
export function parseMicroDvd(text: string, defaultFps = 23.976): Cue[] {
  let fps = defaultFps;
  const cues: Cue[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    const m = /^\{(\d+)\}\{(\d*)\}(.*)$/.exec(line.trim());
    if (!m) continue;
    const start = Number(m[1]);
    const end = m[2] ? Number(m[2]) : start + Math.round(fps * 2);
    const body = m[3].replace(/\{[^}]*\}/g, '').split('|').join('\n').trim();
    if (start <= 1 && end <= 1 && /^\d+(\.\d+)?$/.test(body)) { fps = Number(body) || fps; continue; }
    if (body) cues.push({ startMs: (start / fps) * 1000, endMs: (end / fps) * 1000, text: body });
  }
  return cues;
}

export function subtitleExtension(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
}

export const UPLOAD_EXTENSIONS: ReadonlySet<string> = new Set(['srt', 'ass', 'ssa', 'vtt', 'txt']);

export function normalizeSubtitle(bytes: Uint8Array, fileName: string, fps?: number): NormalizedSubtitle {
  const ext = subtitleExtension(fileName);
  if (!UPLOAD_EXTENSIONS.has(ext)) {
    throw new ValidationError('Unsupported subtitle format (use .srt, .vtt, .ass or .txt)', { field: 'file', extension: ext }, 'UNSUPPORTED_FORMAT');
  }
  const { text: raw, encoding } = decodeSubtitleText(bytes);
  const text = raw.replace(/\r\n?/g, '\n');
  let out: NormalizedSubtitle;
  if (ext === 'ass' || ext === 'ssa') out = { format: 'ass', text, encoding, cues: parseAss(text) };
  // WebVTT cue timing lines parse with the SRT reader (the header block has no '-->').
  else if (ext === 'vtt') out = { format: 'vtt', text: text.startsWith('WEBVTT') ? text : `WEBVTT\n\n${text}`, encoding, cues: parseSrt(text) };
  else if (ext === 'srt') out = { format: 'srt', text, encoding, cues: parseSrt(text) };
  else {
    const srt = parseSrt(text);
    const cues = srt.length ? srt : parseMicroDvd(text, fps);
    out = { format: 'srt', text: srt.length ? text : cuesToSrt(cues), encoding, cues };
  }
  if (out.cues.length === 0) throw new ValidationError('The file contains no subtitle cues', { field: 'file' }, 'INVALID_SUBTITLE');
  return out;
}
