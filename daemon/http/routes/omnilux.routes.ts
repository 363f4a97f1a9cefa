/**
 * OmniLux library API (seed 002): /api/library/*. Bearer (or any session) for reads,
 * admin for changes. Thin: parse, call OmniLuxService / ArtworkService, send.
 */
import type { Router } from '../router.js';
import { ValidationError } from '../../domain/errors.js';
import { parseFileQuery, type OmniLuxService } from '../../services/library-api/omnilux.service.js';
import type { ArtworkService } from '../../services/library-api/artwork.service.js';
import type { TmdbMatcher } from '../../metadata/providers/tmdb/tmdb-matcher.js';

const ADMIN = { access: { kind: 'admin' } } as const;

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('Expected a JSON object');
  return body as Record<string, unknown>;
}

export function registerOmniLuxRoutes(router: Router, omni: OmniLuxService, artwork: ArtworkService, matcher: TmdbMatcher): void {
  router.get('/api/library/roots', (ctx) => ctx.sendJson(200, omni.roots()));

  router.post('/api/library/roots', async (ctx) => {
    ctx.sendJson(201, await omni.addRoot(objectBody(await ctx.json())));
  }, ADMIN);

  router.delete('/api/library/roots/:id', async (ctx) => {
    await omni.removeRoot(ctx.params.id);
    ctx.sendJson(200, { success: true });
  }, ADMIN);

  router.get('/api/library/files', (ctx) => ctx.sendJson(200, omni.files(parseFileQuery(ctx.query))));

  router.get('/api/library/files/:id', (ctx) => ctx.sendJson(200, omni.file(ctx.params.id)));

  router.put('/api/library/files/:id/metadata', async (ctx) => {
    ctx.sendJson(200, await omni.updateMetadata(ctx.params.id, await ctx.json()));
  }, ADMIN);

  // Extension: match one file against TMDb now (503 TMDB_NOT_CONFIGURED without a key).
  router.post('/api/library/files/:id/match', async (ctx) => {
    const file = omni.fileItem(ctx.params.id);
    const outcome = await matcher.matchFile(file.id);
    ctx.sendJson(200, { ...outcome, file: omni.file(String(file.id)) });
  }, ADMIN);

  router.get('/api/library/files/:id/artwork/:type', async (ctx) => {
    await ctx.sendFile(await artwork.get(ctx.params.id, ctx.params.type));
  });

  router.post('/api/library/scan', async (ctx) => {
    // The body is optional: no body (or {}) scans every root.
    const raw = await ctx.body();
    let body: Record<string, unknown> = {};
    if (raw.length) {
      try { body = objectBody(JSON.parse(raw.toString('utf8')) as unknown); } catch (err) {
        if (err instanceof ValidationError) throw err;
        throw new ValidationError('Request body is not valid JSON', undefined, 'INVALID_JSON');
      }
    }
    ctx.sendJson(200, omni.scan(body.rootId));
  }, ADMIN);

  router.get('/api/library/stats', (ctx) => ctx.sendJson(200, omni.stats()));
}
