/**
 * Media Viewer (seed 000, api-000-media-viewer.md): browsing, lightbox lists, thumbnails,
 * originals, search, stats and the thumbnail rebuild. Tags and favorites are in
 * media-viewer-data.routes.ts. Handlers parse input and call one service; shapes and
 * rules live in daemon/services/media-viewer. Errors are the one JSON body (API-NOTES).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Router } from '../router.js';
import { JSON_TYPE, type RequestContext } from '../context.js';
import type { MediaViewerServices } from '../../services/media-viewer/create-media-viewer.js';
import { parseListQuery } from '../../services/media-viewer/browse.service.js';
import { SEARCH_DEFAULT_PAGE_SIZE } from '../../services/media-viewer/search.service.js';
import type { PresentedPage } from '../../services/media-viewer/listing-cache.js';
import { registerMediaViewerDataRoutes } from './media-viewer-data.routes.js';

const ADMIN = { access: { kind: 'admin' } } as const;
/** Listings revalidate every time: the ETag makes that cheap, and tags/favorites change. */
const LISTING_CACHE = 'private, max-age=0, must-revalidate';

/** Send JSON with a content ETag (md5 of the body) and answer 304 when it matches. */
export function sendJsonWithEtag(ctx: RequestContext, body: unknown, cacheControl = LISTING_CACHE): void {
  const text = JSON.stringify(body);
  ctx.setHeader('Cache-Control', cacheControl);
  if (ctx.notModified(`"${createHash('md5').update(text).digest('hex')}"`)) return;
  ctx.send(200, text, JSON_TYPE);
}

/** A serialised page (listing cache) with its precomputed ETag; 304 when it matches. */
function sendPresented(ctx: RequestContext, page: PresentedPage, cacheControl = LISTING_CACHE): void {
  ctx.setHeader('Cache-Control', cacheControl);
  if (ctx.notModified(page.etag)) return;
  ctx.send(200, page.json, JSON_TYPE);
}

const intParam = (raw: string | null, fallback: number): number => {
  if (raw === null || !/^\s*-?\d+\s*$/.test(raw)) return fallback;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
};

/** `attachment; filename="..."` with an RFC 5987 filename* for non-ASCII names. */
export function attachmentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '\\$&');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function registerMediaViewerRoutes(router: Router, mv: MediaViewerServices): void {
  router.get('/api/files', (ctx) => {
    sendPresented(ctx, mv.browse.presentFiles(parseListQuery(ctx.query), mv.viewerOf(ctx.auth!)));
  });

  router.get('/api/media', (ctx) => {
    sendJsonWithEtag(ctx, mv.browse.listMedia(parseListQuery(ctx.query), mv.viewerOf(ctx.auth!)));
  });

  router.get('/api/thumbnail/*', async (ctx) => {
    const t = await mv.thumbnails.forPath(mv.viewerOf(ctx.auth!), ctx.params['*'] ?? '', ctx.signal);
    ctx.setHeader('Content-Security-Policy', "default-src 'none'");
    if (t.kind === 'folder') {
      ctx.setHeader('Cache-Control', 'private, max-age=300, must-revalidate');
      if (ctx.notModified(t.etag)) return;
      ctx.send(200, t.bytes, t.contentType);
      return;
    }
    await ctx.sendFile({
      size: t.size, mtimeMs: t.mtimeMs, contentType: t.contentType, etag: t.etag,
      cacheControl: 'private, max-age=86400',
      open: async (start, end, signal) => {
        const stream = createReadStream(t.path, { start, end, highWaterMark: 256 * 1024 });
        signal.addEventListener('abort', () => stream.destroy(), { once: true });
        return stream;
      },
    });
  });

  router.get('/api/file/*', async (ctx) => {
    const f = await mv.files.get(mv.viewerOf(ctx.auth!), ctx.params['*'] ?? '');
    await ctx.sendFile({
      size: f.size, mtimeMs: f.mtimeMs, contentType: f.contentType, open: f.open, file: f.file,
      disposition: ctx.query.get('download') === 'true' ? attachmentDisposition(f.name) : undefined,
    });
  });

  router.post('/api/thumbnails/rebuild', (ctx) => {
    if (mv.rebuild.start() === 'already_running') {
      ctx.sendJson(200, { message: 'Thumbnail generation is already in progress', status: 'already_running' });
    } else {
      ctx.sendJson(202, { message: 'Thumbnail rebuild started in background', status: 'started' });
    }
  }, ADMIN);

  router.get('/api/thumbnails/status', (ctx) => {
    ctx.sendJson(200, { enabled: true, generation: mv.rebuild.status() });
  }, ADMIN);

  router.get('/api/search', (ctx) => {
    ctx.sendJson(200, mv.search.search(mv.viewerOf(ctx.auth!), {
      q: ctx.query.get('q') ?? '',
      type: ctx.query.get('type') ?? '',
      page: intParam(ctx.query.get('page'), 1),
      pageSize: intParam(ctx.query.get('pageSize'), SEARCH_DEFAULT_PAGE_SIZE),
    }));
  });

  router.get('/api/search/suggestions', (ctx) => {
    ctx.sendJson(200, mv.search.suggestions(mv.viewerOf(ctx.auth!), ctx.query.get('q') ?? '', intParam(ctx.query.get('limit'), 10)));
  });

  router.get('/api/stats', async (ctx) => {
    ctx.sendJson(200, await mv.stats.stats(mv.viewerOf(ctx.auth!)));
  });

  registerMediaViewerDataRoutes(router, mv);
}
