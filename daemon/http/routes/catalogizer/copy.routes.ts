/**
 * Catalogizer copies (seed 003 "File Copy Operations"): /copy/storage (any source to a
 * storage root), /copy/local (host:path to a path inside a local root), /copy/upload
 * (multipart upload to host:path). Streamed, verified, 409 on an existing destination
 * unless overwrite; answers carry the byte count and sha256 as extras.
 */
import type { CatalogServices } from '../../../services/catalogizer/catalog/create-catalog.js';
import { ValidationError } from '../../../domain/errors.js';
import { readFilePart } from '../../multipart-stream.js';
import type { CatalogizerGroups } from './index.js';

const UPLOAD = { permission: 'media.upload' };
/** Uploads stream through (memory stays flat); this only bounds what one request may write. */
const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;

type Body = Record<string, unknown>;

function need(body: Body, keys: string[], message?: string): void {
  for (const k of keys) {
    if (typeof body[k] !== 'string' || !(body[k] as string).trim()) throw new ValidationError(message ?? `${k} is required`, { field: k }, 'MISSING_FIELD');
  }
}

const truthy = (v: unknown): boolean => v === true || v === 'true' || v === '1';

export function registerCatalogizerCopyRoutes(groups: CatalogizerGroups, s: CatalogServices): void {
  const { api } = groups;
  const json = async (ctx: Parameters<Parameters<typeof api.post>[1]>[0]): Promise<Body> => {
    const body = await ctx.json<unknown>();
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('Invalid request format', undefined, 'INVALID_REQUEST');
    return body as Body;
  };

  api.post('/copy/storage', async (ctx) => {
    const b = await json(ctx);
    need(b, ['source_path', 'dest_path']);
    if (b.storage_id === undefined || b.storage_id === null || b.storage_id === '') throw new ValidationError('storage_id is required', { field: 'storage_id' }, 'MISSING_FIELD');
    const from = s.copy.targets.anywhere(b.source_path, 'source_path');
    const to = s.copy.targets.fromHost(String(s.storage.find(String(b.storage_id)).id), String(b.dest_path), 'dest_path');
    const r = await s.copy.copy(from, to, truthy(b.overwrite), ctx.signal);
    return { message: 'File copied to storage successfully', source: b.source_path, destination: b.dest_path, storage_id: b.storage_id, size: r.bytes, sha256: r.sha256, job: r.job };
  }, UPLOAD);

  api.post('/copy/local', async (ctx) => {
    const b = await json(ctx);
    need(b, ['source_path', 'destination_path'], 'Source and destination paths are required');
    const from = s.copy.targets.hostPath(b.source_path, 'source_path', "Invalid source format. Use 'host:path'");
    const dest = String(b.destination_path);
    const to = dest.startsWith('/') ? s.copy.targets.local(dest, 'destination_path') : s.copy.targets.anywhere(dest, 'destination_path');
    const r = await s.copy.copy(from, to, truthy(b.overwrite), ctx.signal);
    return { message: 'File copied successfully to local filesystem', source: b.source_path, destination: b.destination_path, size: r.bytes, sha256: r.sha256, job: r.job };
  }, UPLOAD);

  api.post('/copy/upload', async (ctx) => {
    const file = await readFilePart(ctx.bodyStream(), ctx.header('content-type'), { requiredFields: ['destination'], spoolDir: s.spoolDir });
    try {
      const destination = file.fields.destination;
      if (!destination) {
        file.stream.resume();
        throw new ValidationError('Destination path is required', { field: 'destination' }, 'MISSING_FIELD');
      }
      let target;
      try {
        target = s.copy.targets.hostPath(destination, 'destination', "Invalid destination format. Use 'host:path'");
      } catch (err) { file.stream.resume(); throw err; }
      // A destination that names a folder (trailing '/') receives the file under its own name.
      if (destination.endsWith('/') || destination.endsWith(':')) target = { ...target, path: target.path ? `${target.path}/${file.filename}` : file.filename };
      const r = await s.copy.uploadStream(file.stream, target, truthy(file.fields.overwrite), ctx.signal);
      await file.done;
      return { message: 'File uploaded successfully', filename: file.filename, destination, size: r.bytes, sha256: r.sha256, job: r.job };
    } finally {
      await file.cleanup();
    }
  }, { ...UPLOAD, maxBodyBytes: MAX_UPLOAD_BYTES, streamBody: true });
}
