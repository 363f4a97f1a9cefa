/**
 * Streaming multipart/form-data for uploads (busboy): the file part is handed over as a
 * stream while it arrives, so an upload of any size crosses the daemon with flat memory.
 *
 * Fields a route needs to place the file (e.g. `destination`) may come before or after the
 * file part in the form. When they come first, the file streams straight through. When the
 * file comes first, it is spooled to a temporary file in `spoolDir` (streamed, memory still
 * flat) and handed over from there once the whole form is read; the spool file is removed
 * by `cleanup()`. Limits: one file, 64 fields of 64 KiB each.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type busboy from 'busboy';
import { ValidationError } from '../domain/errors.js';

export interface StreamedFilePart {
  fields: Record<string, string>;
  filename: string;
  mimeType: string;
  /** The file's bytes: consume it (or resume() it) so the request can finish. */
  stream: Readable;
  /** Resolves once the whole request body has been read. */
  done: Promise<void>;
  /** Removes the spool file, if one was used. Safe to call always. */
  cleanup(): Promise<void>;
}

export interface FilePartOptions {
  fileField?: string;
  /** Fields that must be known before the file is handed over. */
  requiredFields?: string[];
  /** Where to spool a file that arrives before its required fields. */
  spoolDir: string;
}

/** busboy is required on the first upload (~0.5 MB of heap a daemon without uploads never needs). */
let busboyFactory: typeof busboy | undefined;
const loadBusboy = (): typeof busboy => (busboyFactory ??= createRequire(import.meta.url)('busboy') as typeof busboy);

const malformed = (err: Error): ValidationError =>
  new ValidationError(`Malformed multipart body: ${err.message}`, undefined, 'INVALID_MULTIPART');

export function readFilePart(body: Readable, contentType: string | undefined, options: FilePartOptions): Promise<StreamedFilePart> {
  const fileField = options.fileField ?? 'file';
  const required = options.requiredFields ?? [];
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) {
    body.resume();
    return Promise.reject(new ValidationError('Expected multipart/form-data', { field: 'content-type' }, 'INVALID_CONTENT_TYPE'));
  }
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = loadBusboy()({ headers: { 'content-type': contentType }, limits: { files: 1, fields: 64, fieldSize: 64 * 1024 } });
    } catch (err) {
      body.resume();
      reject(malformed(err as Error));
      return;
    }
    const fields: Record<string, string> = {};
    let settled = false;
    let spool: { path: string; written: Promise<void>; filename: string; mimeType: string } | undefined;
    let finish!: () => void;
    let fail!: (err: Error) => void;
    const done = new Promise<void>((res, rej) => { finish = res; fail = rej; });
    done.catch(() => undefined);
    const settle = (value: StreamedFilePart | Error): void => {
      if (settled) { if (value instanceof Error) fail(value); return; }
      settled = true;
      if (value instanceof Error) reject(value); else resolve(value);
    };
    const noop = async (): Promise<void> => undefined;

    parser.on('field', (name, value) => { fields[name] = value; });
    parser.on('file', (name, stream, info) => {
      if (settled || spool || name !== fileField) { stream.resume(); return; }
      const filename = info.filename ?? 'upload';
      if (required.every((f) => fields[f] !== undefined)) {
        settle({ fields: { ...fields }, filename, mimeType: info.mimeType, stream, done, cleanup: noop });
        return;
      }
      const path = join(options.spoolDir, `.upload-${randomBytes(8).toString('hex')}.part`);
      spool = { path, filename, mimeType: info.mimeType, written: pipeline(stream, createWriteStream(path, { mode: 0o600 })) };
      spool.written.catch(() => undefined);
    });
    parser.on('error', (err: Error) => settle(malformed(err)));
    parser.on('close', () => {
      finish();
      if (settled) return;
      if (!spool) { settle(new ValidationError('No file uploaded', { field: fileField }, 'NO_FILE')); return; }
      const { path, filename, mimeType, written } = spool;
      const cleanup = (): Promise<void> => rm(path, { force: true });
      written.then(
        () => settle({ fields: { ...fields }, filename, mimeType, stream: createReadStream(path), done, cleanup }),
        (err: Error) => { void cleanup(); settle(err); },
      );
    });
    body.on('error', (err) => { parser.destroy(err); settle(err); if (spool) void rm(spool.path, { force: true }); });
    body.pipe(parser);
  });
}
