/**
 * A small multipart/form-data parser over a buffered body (RFC 7578): fields as strings,
 * files as Buffer slices (no copies). Malformed input is a 400, never a throw from deep
 * inside. Filenames are reduced to their base name (a client may send a full path).
 */
import { ValidationError } from '../../../domain/errors.js';

export interface MultipartFile { field: string; filename: string; contentType: string; data: Buffer }
export interface MultipartForm { fields: Record<string, string>; files: MultipartFile[] }

function boundaryOf(contentType: string): string {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!/^multipart\/form-data/i.test(contentType) || !m) throw new ValidationError('Expected multipart/form-data', { field: 'content-type' }, 'INVALID_CONTENT_TYPE');
  return m[1] ?? m[2];
}

function param(header: string, name: string): string | undefined {
  const star = new RegExp(`${name}\\*=UTF-8''([^;]+)`, 'i').exec(header);
  if (star) { try { return decodeURIComponent(star[1]); } catch { /* fall through */ } }
  const m = new RegExp(`${name}="((?:[^"\\\\]|\\\\.)*)"|${name}=([^;\\s]+)`, 'i').exec(header);
  return m ? (m[1] ?? m[2]).replace(/\\(.)/g, '$1') : undefined;
}

export function parseMultipart(body: Buffer, contentType: string): MultipartForm {
  const delimiter = Buffer.from(`--${boundaryOf(contentType)}`);
  const form: MultipartForm = { fields: {}, files: [] };
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new ValidationError('Malformed multipart body', undefined, 'INVALID_MULTIPART');
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break;
    pos += 2; // CRLF after the delimiter
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw new ValidationError('Malformed multipart body', undefined, 'INVALID_MULTIPART');
    const headers = body.subarray(pos, headerEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw new ValidationError('Malformed multipart body', undefined, 'INVALID_MULTIPART');
    const data = body.subarray(headerEnd + 4, next);
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = param(disposition, 'name');
    const filename = param(disposition, 'filename');
    if (name !== undefined) {
      if (filename !== undefined) {
        const base = filename.split(/[/\\]/).pop() ?? '';
        if (!base || base === '.' || base === '..') throw new ValidationError('Invalid file name', { field: name }, 'INVALID_FILENAME');
        form.files.push({ field: name, filename: base, contentType: /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1] ?? 'application/octet-stream', data });
      } else form.fields[name] = data.toString('utf8');
    }
    pos = next + 2;
  }
  return form;
}
