/**
 * Exports of a log collection: JSON (the entries array), CSV (RFC 4180 quoting, formula
 * characters neutralised), plain text (one line per entry) and zip (the three files,
 * deflated; a minimal single-disk archive written with zlib).
 */
import { crc32, deflateRawSync } from 'node:zlib';
import { ValidationError } from '../../../domain/errors.js';
import type { LogEntryView } from './log-entry.js';

export const EXPORT_FORMATS = ['json', 'csv', 'txt', 'zip'] as const;
export type ExportFormat = typeof EXPORT_FORMATS[number];

export interface ExportedFile { body: Buffer; contentType: string; filename: string }

const CONTENT_TYPES: Record<ExportFormat, string> = {
  json: 'application/json', csv: 'text/csv; charset=utf-8', txt: 'text/plain; charset=utf-8', zip: 'application/zip',
};

export function parseFormat(raw: string | null): ExportFormat {
  const f = (raw ?? 'json').toLowerCase();
  if (!(EXPORT_FORMATS as readonly string[]).includes(f)) {
    throw new ValidationError(`format must be one of ${EXPORT_FORMATS.join(', ')}`, { field: 'format' }, 'UNSUPPORTED_FORMAT');
  }
  return f as ExportFormat;
}

function csvCell(value: string): string {
  // A leading =, +, - or @ makes spreadsheets evaluate the cell: prefix a quote.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(entries: LogEntryView[]): string {
  const rows = ['id,timestamp,level,component,message,context'];
  for (const e of entries) {
    rows.push([String(e.id), e.timestamp, e.level, e.component, e.message, e.context ? JSON.stringify(e.context) : ''].map(csvCell).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}

export function toText(entries: LogEntryView[]): string {
  return entries.map((e) => `${e.timestamp} ${e.level.toUpperCase().padEnd(7)} [${e.component}] ${e.message}${e.context ? ` ${JSON.stringify(e.context)}` : ''}\n`).join('');
}

export function exportEntries(entries: LogEntryView[], format: ExportFormat, baseName = 'logs'): ExportedFile {
  const json = (): Buffer => Buffer.from(JSON.stringify(entries, null, 2));
  const files: Record<Exclude<ExportFormat, 'zip'>, () => Buffer> = {
    json, csv: () => Buffer.from(toCsv(entries)), txt: () => Buffer.from(toText(entries)),
  };
  const body = format === 'zip'
    ? zip([['json', files.json()], ['csv', files.csv()], ['txt', files.txt()]].map(([ext, data]) => ({ name: `${baseName}.${ext as string}`, data: data as Buffer })))
    : files[format]();
  return { body, contentType: CONTENT_TYPES[format], filename: `${baseName}.${format}` };
}

/** A zip archive of small in-memory files (deflate, no data descriptors, no zip64). */
export function zip(files: Array<{ name: string; data: Buffer }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const now = new Date();
  const dosTime = (now.getHours() << 11) | (now.getMinutes() << 5) | Math.floor(now.getSeconds() / 2);
  const dosDate = ((now.getFullYear() - 1980) << 9) | ((now.getMonth() + 1) << 5) | now.getDate();
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const packed = deflateRawSync(file.data);
    const crc = crc32(file.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0x0800, 6); local.writeUInt16LE(8, 8);
    local.writeUInt16LE(dosTime, 10); local.writeUInt16LE(dosDate, 12); local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18); local.writeUInt32LE(file.data.length, 22); local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10); central.writeUInt16LE(dosTime, 12); central.writeUInt16LE(dosDate, 14); central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20); central.writeUInt32LE(file.data.length, 24); central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(files.length, 8); end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
