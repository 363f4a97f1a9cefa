/**
 * Catalogizer downloads (seed 003 "Download"): a file by id with Range and an RFC 6266
 * Content-Disposition; a directory or a list of paths as zip / tar / tar.gz streamed while
 * it is read (chunked; the client's disconnect stops the reading).
 */
import type { RequestContext } from '../../context.js';
import { DownloadService, type ArchivePlan } from '../../../services/catalogizer/download/download.service.js';
import { archiveStream, coalesce } from '../../../services/catalogizer/archive/archive-stream.js';
import { ARCHIVE_CONTENT_TYPES } from '../../../services/catalogizer/archive/archive-entry.js';
import type { CatalogServices } from '../../../services/catalogizer/catalog/create-catalog.js';
import { ValidationError } from '../../../domain/errors.js';
import type { CatalogizerGroups } from './index.js';

const DOWNLOAD = { permission: 'media.download' };

async function streamArchive(ctx: RequestContext, plan: ArchivePlan): Promise<void> {
  const writer = ctx.startStream(200, {
    'Content-Type': ARCHIVE_CONTENT_TYPES[plan.format],
    'Content-Disposition': plan.disposition,
    'X-Archive-Files': String(plan.fileCount),
    'X-Archive-Bytes': String(plan.totalSize),
    'Cache-Control': 'no-store',
  });
  const gen = coalesce(archiveStream(plan.format, plan.entries(), ctx.signal), 2 * 1024 * 1024);
  try {
    for await (const chunk of gen) {
      if (!(await writer.write(chunk))) break;
    }
    if (!writer.aborted) writer.end();
  } catch (err) {
    // Headers are gone: the server's error path closes the connection before the archive's
    // end record, so readers report it truncated instead of accepting a wrong archive.
    if (!writer.aborted) throw err;
  } finally {
    await gen.return(undefined);
  }
}

export function registerCatalogizerDownloadRoutes(groups: CatalogizerGroups, s: CatalogServices): void {
  const { api } = groups;
  api.get('/download/file/:id', async (ctx) => {
    const f = await s.download.file(ctx.params.id ?? '');
    await ctx.sendFile({ size: f.size, mtimeMs: f.mtimeMs, contentType: f.contentType, disposition: f.disposition, open: f.open });
  }, DOWNLOAD);
  api.get('/download/directory/*', async (ctx) => {
    const format = DownloadService.parseFormat(ctx.query.get('format'));
    await streamArchive(ctx, s.download.directory(ctx.params['*'] ?? '', format));
  }, DOWNLOAD);
  api.post('/download/archive', async (ctx) => {
    const body = await ctx.json<unknown>();
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('Invalid request format', undefined, 'INVALID_REQUEST');
    const b = body as { paths?: unknown; format?: unknown; smb_root?: unknown };
    const format = DownloadService.parseFormat(b.format);
    await streamArchive(ctx, s.download.archive(b.paths, format, typeof b.smb_root === 'string' && b.smb_root ? b.smb_root : undefined));
  }, DOWNLOAD);
}
