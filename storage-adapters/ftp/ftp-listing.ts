/**
 * Parsers for FTP directory listings: RFC 3659 facts (MLSD lines, the MLST reply) and the
 * two LIST dialects servers without MLSD send (Unix `ls -l` style, e.g. vsftpd; DOS/IIS
 * style). Pure functions, table-tested against recorded outputs.
 *
 * Contract: each parser returns `ListedEntry` records with the name exactly as sent
 * (spaces, unicode kept; only the line ending is stripped). `precision` says how far the
 * mtime can be trusted: MLSx gives seconds, LIST gives minutes for recent files and only
 * days for old ones, so callers that need better ask MDTM.
 */

export interface ListedEntry {
  name: string;
  type: 'file' | 'dir' | 'other';
  size: number;
  /** Modification time (ms since epoch, UTC); NaN when the listing had none. */
  mtimeMs: number;
  precision: 'second' | 'minute' | 'day' | 'none';
}

/** Parse one RFC 3659 facts line: `type=file;size=3;modify=20200102030405; name`. */
export function parseFactsLine(line: string): (ListedEntry & { kind: string }) | undefined {
  const text = line.replace(/\r$/, '');
  const sp = text.indexOf(' ');
  if (sp < 0) return undefined;
  const facts = new Map<string, string>();
  for (const part of text.slice(0, sp).split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) facts.set(part.slice(0, eq).toLowerCase(), part.slice(eq + 1));
  }
  const name = text.slice(sp + 1);
  if (name === '' || facts.size === 0) return undefined;
  const kind = (facts.get('type') ?? '').toLowerCase();
  const type = kind === 'file' ? 'file' : kind === 'dir' || kind === 'cdir' || kind === 'pdir' ? 'dir' : 'other';
  const size = Number.parseInt(facts.get('size') ?? facts.get('sizd') ?? '0', 10);
  const modify = facts.get('modify');
  const mtimeMs = modify ? parseMlsxTime(modify) : Number.NaN;
  return {
    name, kind, type, size: type === 'file' && Number.isFinite(size) ? size : 0,
    mtimeMs, precision: Number.isNaN(mtimeMs) ? 'none' : 'second',
  };
}

/** MLSD body: one facts line per entry; `.`/`..` (cdir/pdir) dropped. */
export function parseMlsd(text: string): ListedEntry[] {
  const out: ListedEntry[] = [];
  for (const line of text.split('\n')) {
    const e = parseFactsLine(line);
    if (!e || e.kind === 'cdir' || e.kind === 'pdir' || e.name === '.' || e.name === '..') continue;
    out.push(strip(e));
  }
  return out;
}

/**
 * MLST reply (`250-...\n type=...; /path\n250 End`): the facts line is the one that starts
 * with a space. The name it carries is the server's path, so callers use their own name.
 */
export function parseMlstReply(message: string): ListedEntry | undefined {
  for (const line of message.split('\n')) {
    if (!line.startsWith(' ')) continue;
    const e = parseFactsLine(line.slice(1));
    if (e) return strip(e);
  }
  return undefined;
}

/** `YYYYMMDDHHMMSS[.sss]` (UTC, RFC 3659 time-val) to ms; NaN if malformed. */
export function parseMlsxTime(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3}))?$/.exec(value.trim());
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s, frac] = m as unknown as string[];
  const ms = frac ? Number((frac + '00').slice(0, 3)) : 0;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
}

/** ms to `YYYYMMDDHHMMSS` (UTC), for MFMT. */
export function formatMlsxTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
// perms links owner group size month day time-or-year name
const UNIX_RE = /^([bcdlps-])[-rwxsStTl+.@]{9}\S*\s+\d+\s+\S+\s+(?:\S+\s+)?(\d+)\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}:\d{2}|\d{4})\s(.*)$/;
// 01-02-20  03:04PM  <DIR>  name   |   01-02-2020  15:04  1234 name
const DOS_RE = /^(\d{2})-(\d{2})-(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})\s*([AaPp][Mm])?\s+(<DIR>|\d+)\s+(.*)$/;

/**
 * LIST output in either dialect, detected per line. `now` decides the year of Unix
 * entries that show a time instead of one (the last six months, as `ls` does); those
 * times are the server's local time, assumed UTC here (as most NAS servers run).
 */
export function parseList(text: string, now = Date.now()): ListedEntry[] {
  const out: ListedEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '' || /^total\s+\d+/i.test(line)) continue;
    const e = parseUnixLine(line, now) ?? parseDosLine(line);
    if (e && e.name !== '.' && e.name !== '..') out.push(e);
  }
  return out;
}

export function parseUnixLine(line: string, now = Date.now()): ListedEntry | undefined {
  const m = UNIX_RE.exec(line);
  if (!m) return undefined;
  const [, t, size, mon, day, timeOrYear, rest] = m as unknown as string[];
  const month = MONTHS.indexOf(mon.toLowerCase());
  if (month < 0) return undefined;
  let name = rest;
  if (t === 'l') {
    const arrow = name.indexOf(' -> ');
    if (arrow >= 0) name = name.slice(0, arrow);
  }
  let mtimeMs: number;
  let precision: ListedEntry['precision'];
  if (timeOrYear.includes(':')) {
    const [hh, mm] = timeOrYear.split(':').map(Number) as [number, number];
    const year = new Date(now).getUTCFullYear();
    mtimeMs = Date.UTC(year, month, Number(day), hh, mm);
    // A date in the future (more than a day ahead) belongs to last year.
    if (mtimeMs > now + 86_400_000) mtimeMs = Date.UTC(year - 1, month, Number(day), hh, mm);
    precision = 'minute';
  } else {
    mtimeMs = Date.UTC(Number(timeOrYear), month, Number(day));
    precision = 'day';
  }
  const type = t === '-' ? 'file' : t === 'd' ? 'dir' : 'other';
  return { name, type, size: type === 'file' ? Number(size) : 0, mtimeMs, precision };
}

export function parseDosLine(line: string): ListedEntry | undefined {
  const m = DOS_RE.exec(line);
  if (!m) return undefined;
  const [, mo, d, y, h, mi, ampm, sizeOrDir, name] = m as unknown as string[];
  let year = Number(y);
  if (y.length === 2) year += year < 70 ? 2000 : 1900;
  let hour = Number(h);
  if (ampm) {
    const pm = ampm.toLowerCase() === 'pm';
    if (hour === 12) hour = pm ? 12 : 0;
    else if (pm) hour += 12;
  }
  const dir = sizeOrDir.toUpperCase() === '<DIR>';
  return {
    name, type: dir ? 'dir' : 'file', size: dir ? 0 : Number(sizeOrDir),
    mtimeMs: Date.UTC(year, Number(mo) - 1, Number(d), hour, Number(mi)), precision: 'minute',
  };
}

function strip(e: ListedEntry & { kind?: string }): ListedEntry {
  return { name: e.name, type: e.type, size: e.size, mtimeMs: e.mtimeMs, precision: e.precision };
}
