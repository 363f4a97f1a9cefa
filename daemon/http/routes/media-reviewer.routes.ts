/**
 * Media Reviewer surface (seed 001): /api/health, /api/review-paths, /api/folders,
 * /api/folders/files, /api/media-items/stream, /api/media-actions, /api/empty-trash,
 * /api/media-file, /api/media-thumbnail. Thin: parse, call ReviewService, answer.
 * Access (API-NOTES): /api/health public; changing review paths, browsing the server's
 * folders and emptying trash need admin; the rest any session.
 * NDJSON answers are written with backpressure and stop when the client goes away.
 */
import type { Router } from '../router.js';
import type { RequestContext, StreamWriter } from '../context.js';
import { ValidationError } from '../../domain/errors.js';
import type { Logger } from '../../log/logger.js';
import { classify } from '../../scanner/classify.js';
import type { ReviewService } from '../../services/review/review.service.js';
import { listFolders } from '../../services/review/folder-picker.js';
import { reviewMediaType } from '../../services/review/review-media.js';

const PUBLIC = { access: { kind: 'public' } } as const;
const ADMIN = { access: { kind: 'admin' } } as const;
const NO_CACHE = { 'Cache-Control': 'no-cache' };
const NDJSON = { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
/** Lines are batched up to this size, or this age, after the first (sent alone, at once). */
const FLUSH_BYTES = 32 * 1024;
const FLUSH_MS = 25;

async function objectBody(ctx: RequestContext, optional = false): Promise<Record<string, unknown> | undefined> {
  const raw = await ctx.body();
  if (raw.length === 0 && optional) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ValidationError('Expected JSON object body.', undefined, 'INVALID_JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('Expected JSON object body.');
  return body as Record<string, unknown>;
}

/** Writes NDJSON lines from `source`; returns false when the client went away. */
async function pipeNdjson(writer: StreamWriter, source: AsyncIterable<unknown>, signal: AbortSignal, flushEach: boolean): Promise<boolean> {
  let buffer = '';
  let first = true;
  let last = Date.now();
  for await (const value of source) {
    buffer += `${JSON.stringify(value)}\n`;
    if (first || flushEach || buffer.length >= FLUSH_BYTES || Date.now() - last >= FLUSH_MS) {
      first = false;
      const ok = await writer.write(buffer);
      buffer = '';
      last = Date.now();
      if (!ok || signal.aborted) return false;
    }
  }
  if (buffer) return (await writer.write(buffer)) && !signal.aborted;
  return !signal.aborted;
}

function isAbort(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (err as Error)?.name === 'AbortError';
}

export function registerMediaReviewerRoutes(router: Router, review: ReviewService, logger: Logger): void {
  const log = logger.child({ component: 'media-reviewer' });

  router.get('/api/health', (ctx) => ctx.sendJson(200, review.health(), NO_CACHE), PUBLIC);

  router.get('/api/review-paths', (ctx) => ctx.sendJson(200, {
    knownPaths: review.paths.list(), hiddenPickerPaths: [...review.settings.hiddenPickerPaths],
  }));

  router.post('/api/review-paths', async (ctx) => {
    const body = await objectBody(ctx);
    const { addedPath, knownPaths } = await review.paths.add(body?.path);
    ctx.sendJson(201, { addedPath, knownPaths });
  }, ADMIN);

  router.delete('/api/review-paths', async (ctx) => {
    const body = await objectBody(ctx);
    ctx.sendJson(200, await review.paths.remove(body?.path));
  }, ADMIN);

  router.get('/api/folders', async (ctx) => {
    ctx.sendJson(200, await listFolders(ctx.query.get('path'), review.settings.hiddenPickerPaths, ctx.signal));
  }, ADMIN);

  router.get('/api/folders/files', async (ctx) => {
    ctx.sendJson(200, await review.listing.folderFiles(ctx.query, ctx.signal));
  });

  router.get('/api/media-items/stream', async (ctx) => {
    const req = await review.listing.streamRequest(ctx.query);
    review.warm(req.location);
    const writer = ctx.startStream(200, NDJSON);
    let count = 0;
    const counted = (async function* () {
      for await (const item of review.listing.stream(req, ctx.signal)) { count++; yield item; }
    })();
    try {
      if (!await pipeNdjson(writer, counted, ctx.signal, false)) return;
    } catch (err) {
      if (isAbort(err, ctx.signal)) return;
      log.error({ err, path: req.location.path }, 'review stream failed');
      await writer.write(`${JSON.stringify({ type: 'error', message: 'The scan stopped on an error.' })}\n`);
    }
    await writer.write(`${JSON.stringify({ type: 'done', count })}\n`);
    writer.end();
  });

  router.post('/api/media-actions', async (ctx) => {
    ctx.sendJson(200, await review.actions.apply(await objectBody(ctx)));
  });

  router.post('/api/empty-trash', async (ctx) => {
    const locations = await review.trash.scope(await objectBody(ctx, true));
    const writer = ctx.startStream(200, NDJSON);
    try {
      if (!await pipeNdjson(writer, review.trash.run(locations, ctx.signal), ctx.signal, true)) return;
    } catch (err) {
      if (isAbort(err, ctx.signal)) return;
      log.error({ err }, 'empty trash failed');
      await writer.write(`${JSON.stringify({ type: 'error', path: null, message: 'Emptying the trash stopped on an error.' })}\n`);
    }
    writer.end();
  }, ADMIN);

  router.get('/api/media-file', async (ctx) => {
    const f = await review.file(ctx.query);
    if (!reviewMediaType(f.entry.name)) throw new ValidationError('Path must be an existing media file.', { field: 'path' }, 'NOT_MEDIA');
    await ctx.sendFile({
      size: f.entry.size, mtimeMs: f.entry.mtimeMs,
      contentType: classify(f.entry.name).mime ?? 'application/octet-stream',
      cacheControl: 'private, no-cache',
      open: (start, end, signal) => f.owner.adapter.createReadStream(f.rel, { start, end, signal, highWaterMark: 512 * 1024 }),
    });
  });

  router.get('/api/media-thumbnail', async (ctx) => {
    const f = await review.file(ctx.query, true);
    const answer = await review.thumbnails.get(f.owner, f.rel, f.entry, f.size, ctx.signal);
    if (answer.kind === 'file') {
      await ctx.sendFile({ size: answer.size, mtimeMs: answer.mtimeMs, contentType: 'image/png', cacheControl: 'private, no-cache', open: answer.open });
    } else {
      ctx.setHeader('Cache-Control', answer.placeholder ? 'no-store' : 'private, no-cache');
      if (answer.placeholder) ctx.setHeader('X-Thumbnail-Placeholder', 'true');
      ctx.send(200, answer.png, 'image/png');
    }
  });
}
