/**
 * Catalogizer /api/v1/logs (seed 003, api-003 §20): system.admin except the public share
 * link GET /logs/share/:token. The live stream is Server-Sent Events: one `data:` line of
 * JSON per log entry, a comment line every 15 s to keep proxies from closing it.
 */
import { ValidationError } from '../../../domain/errors.js';
import { Permission } from '../../../services/users/permissions.js';
import type { CatalogizerCore } from '../../../services/catalogizer/create-catalogizer-core.js';
import { normalizeLevel } from '../../../services/catalogizer/logs/log-entry.js';
import { parseFormat } from '../../../services/catalogizer/logs/log-export.js';
import { streamLogs } from '../../../services/catalogizer/logs/log-stream.js';
import { numericId, readObject } from './auth.routes.js';
import type { CatalogizerGroups } from './index.js';

const KEEPALIVE_MS = 15_000;

export function registerCatalogizerLogRoutes({ api }: CatalogizerGroups, core: CatalogizerCore): void {
  const { logCollections: collections, logShares: shares } = core;
  const ADMIN = { permission: Permission.SYSTEM_ADMIN };

  api.post('/logs/collect', async (ctx) => { ctx.sendJson(201, await collections.collect(ctx.auth!.user.id, await readObject(ctx))); }, ADMIN);
  api.get('/logs/collections', (ctx) => { ctx.sendJson(200, collections.list(ctx.query)); }, ADMIN);
  api.get('/logs/collections/:id', (ctx) => { ctx.sendJson(200, collections.get(numericId(ctx, 'id', 'collection'))); }, ADMIN);
  api.get('/logs/collections/:id/entries', (ctx) => {
    ctx.sendJson(200, collections.entries(numericId(ctx, 'id', 'collection'), ctx.query));
  }, ADMIN);
  const exportHandler = (ctx: Parameters<Parameters<typeof api.get>[1]>[0]): void => {
    const file = collections.export(numericId(ctx, 'id', 'collection'), parseFormat(ctx.query.get('format')));
    ctx.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
    ctx.send(200, file.body, file.contentType);
  };
  api.post('/logs/collections/:id/export', exportHandler, ADMIN);
  api.get('/logs/collections/:id/export', exportHandler, ADMIN);
  api.get('/logs/collections/:id/analyze', (ctx) => { ctx.sendJson(200, collections.analyze(numericId(ctx, 'id', 'collection'))); }, ADMIN);
  api.post('/logs/share', async (ctx) => { ctx.sendJson(201, await shares.create(ctx.auth!.user.id, await readObject(ctx))); }, ADMIN);
  api.get('/logs/share/:token', async (ctx) => { ctx.sendJson(200, await shares.open(ctx.params.token ?? '')); }, { public: true });
  api.delete('/logs/share/:id', async (ctx) => {
    await shares.revoke(numericId(ctx, 'id', 'share'));
    ctx.noContent();
  }, ADMIN);
  api.get('/logs/statistics', (ctx) => { ctx.sendJson(200, collections.statistics(shares.activeCount())); }, ADMIN);

  api.get('/logs/stream', (ctx) => {
    const levelRaw = ctx.query.get('level');
    const level = levelRaw ? normalizeLevel(levelRaw) : undefined;
    if (levelRaw && !level) throw new ValidationError('level must be one of debug, info, warning, error, fatal', { field: 'level' });
    const writer = ctx.startStream(200, {
      'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no',
    });
    void writer.write(': connected\n\n');
    const stream = streamLogs(core.logTap, {
      ...(level ? { level } : {}), ...(ctx.query.get('component') ? { component: ctx.query.get('component')! } : {}),
      ...(ctx.query.get('search') ? { search: ctx.query.get('search')! } : {}),
    }, { send: (entry) => writer.write(`id: ${entry.id}\ndata: ${JSON.stringify(entry)}\n\n`) });
    const ping = setInterval(() => { void writer.write(': keep-alive\n\n'); }, KEEPALIVE_MS);
    ping.unref();
    const stop = (): void => {
      clearInterval(ping);
      stream.stop();
      core.streams.delete(stop);
      writer.end();
    };
    core.streams.add(stop);
    ctx.signal.addEventListener('abort', stop, { once: true });
  }, ADMIN);
}
