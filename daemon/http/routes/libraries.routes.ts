/**
 * h3xed library management (seed 004): list, create, update, delete, scan, scan status.
 * Libraries are addressed by uuid or numeric id. Browsing a library's items (Plex-style)
 * belongs to the home-media surface module.
 */
import type { Router } from '../router.js';
import type { AppServices } from '../../app.js';
import type { Library } from '../../domain/types.js';
import { ValidationError } from '../../domain/errors.js';
import type { LocationInput } from '../../services/libraries/library.service.js';
import { libraryItemCount } from '../../services/home/library-browse.service.js';

const ADMIN = { access: { kind: 'admin' } } as const;

function present(lib: Library, s: AppServices): Record<string, unknown> {
  const root = s.index.items;
  const items = lib.locations.reduce((n, loc) => n + (root.get(loc.rootItemId)?.childCount ?? 0), 0);
  return {
    id: lib.uuid,
    numericId: lib.id,
    name: lib.name,
    type: lib.type,
    topLevelCount: items,
    // h3xed item counts: what /items lists by default, and media files (kept counters).
    itemCount: libraryItemCount(s.index, lib),
    fileCount: s.index.items.libraryCounters(lib.id).fileCount,
    totalSize: s.index.items.libraryCounters(lib.id).totalSizeBytes,
    locations: lib.locations.map((loc) => {
      const r = s.index.roots.get(loc.rootId);
      return { id: loc.id, url: r?.url, online: loc.online, lastError: loc.lastError, lastScanAt: loc.lastScanAt };
    }),
    online: lib.locations.every((loc) => loc.online),
    scan: s.scanStatus.get(lib.id) ?? null,
    createdAt: Math.floor(lib.createdAt / 1000),
    updatedAt: Math.floor(lib.updatedAt / 1000),
  };
}

function readLocations(body: Record<string, unknown>): LocationInput[] {
  const out: LocationInput[] = [];
  const push = (value: unknown): void => {
    if (typeof value === 'string' && value) out.push({ url: value });
    else if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      const url = typeof v.url === 'string' ? v.url : typeof v.path === 'string' ? v.path : undefined;
      if (!url) throw new ValidationError('Each location needs a url or path', { field: 'locations' });
      out.push({
        url,
        credentials: typeof v.username === 'string' || typeof v.password === 'string'
          ? { username: v.username as string | undefined, password: v.password as string | undefined, domain: v.domain as string | undefined }
          : undefined,
      });
    } else throw new ValidationError('Each location needs a url or path', { field: 'locations' });
  };
  for (const key of ['locations', 'paths']) {
    const list = body[key];
    if (list !== undefined) {
      if (!Array.isArray(list)) throw new ValidationError(`${key} must be an array`, { field: key });
      list.forEach(push);
    }
  }
  if (body.path !== undefined) push(body.path);
  return out;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('Expected a JSON object');
  return body as Record<string, unknown>;
}

export function registerLibraryRoutes(router: Router, s: AppServices): void {
  router.get('/api/libraries', (ctx) => {
    const allowed = ctx.auth!.isAdmin ? undefined : s.index.users.get(ctx.auth!.user.id)?.restrictions?.libraryIds;
    const libs = s.libraries.list().filter((lib) => !allowed || allowed.includes(lib.id));
    ctx.sendJson(200, libs.map((lib) => present(lib, s)));
  });

  router.post('/api/libraries', async (ctx) => {
    const body = objectBody(await ctx.json());
    const lib = await s.libraries.create({
      name: body.name as string, type: body.type as string | undefined, locations: readLocations(body),
    });
    s.scans.scanLibrary(lib.id, { kind: 'full', trigger: 'api' }).catch((err: unknown) => s.logger.error({ err }, 'scan of new library failed'));
    ctx.sendJson(201, present(lib, s));
  }, ADMIN);

  router.get('/api/libraries/:id', (ctx) => ctx.sendJson(200, present(s.libraries.get(ctx.params.id), s)));

  router.put('/api/libraries/:id', async (ctx) => {
    const body = objectBody(await ctx.json());
    const lib = await s.libraries.update(ctx.params.id, {
      name: body.name as string | undefined, type: body.type as string | undefined,
      settings: body.settings as Record<string, unknown> | undefined,
    });
    ctx.sendJson(200, present(lib, s));
  }, ADMIN);

  router.delete('/api/libraries/:id', async (ctx) => {
    const lib = s.libraries.get(ctx.params.id);
    await s.scans.runningScan(lib.id)?.catch(() => undefined);
    await s.libraries.remove(lib.id);
    s.scanStatus.forget(lib.id);
    ctx.sendJson(200, { success: true });
  }, ADMIN);

  router.post('/api/libraries/:id/scan', (ctx) => {
    const lib = s.libraries.get(ctx.params.id);
    const full = ctx.query.get('full') === 'true';
    const running = Boolean(s.scans.runningScan(lib.id));
    s.scans.scanLibrary(lib.id, { kind: full ? 'full' : 'incremental', trigger: 'api' })
      .catch((err: unknown) => s.logger.error({ err, libraryId: lib.id }, 'scan failed'));
    ctx.sendJson(running ? 200 : 202, { success: true, status: running ? 'already_running' : 'started', libraryId: lib.uuid });
  }, ADMIN);

  router.get('/api/scan-status', (ctx) => {
    const all = s.scanStatus.all();
    ctx.sendJson(200, { scanning: all.some((x) => x.state === 'running'), libraries: all, history: s.index.scans.list(undefined, 20) });
  }, ADMIN);
}
