/**
 * Helpers shared by the home-surface route modules (h3xed, seed 004).
 */
import type { RequestContext } from '../context.js';
import type { AppServices } from '../../app.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Library } from '../../domain/types.js';
import type { AccessScope } from '../../services/access/access.service.js';
import type { HomeServices } from '../../services/home/create-home.js';

export const ADMIN = { access: { kind: 'admin' } } as const;
export const PUBLIC = { access: { kind: 'public' } } as const;

/** Services the home routes use: the app's, with the home services required. */
export type HomeApp = AppServices & { home: HomeServices };

export function scopeOf(s: HomeApp, ctx: RequestContext): AccessScope {
  return s.home.access.scopeOf(ctx.auth!);
}

/** A JSON object body; an empty body is {} when `optional`. */
export async function objectBody(ctx: RequestContext, optional = false): Promise<Record<string, unknown>> {
  const raw = await ctx.body();
  if (raw.length === 0) {
    if (optional) return {};
    throw new ValidationError('Request body is empty', undefined, 'EMPTY_BODY');
  }
  let parsed: unknown;
  try { parsed = JSON.parse(raw.toString('utf8')); } catch { throw new ValidationError('Request body is not valid JSON', undefined, 'INVALID_JSON'); }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ValidationError('Expected a JSON object');
  return parsed as Record<string, unknown>;
}

/** A library by uuid or numeric id that this request may see (others are 404). */
export function visibleLibrary(s: HomeApp, ctx: RequestContext, scope: AccessScope): Library {
  const lib = s.libraries.get(ctx.params.id ?? '');
  if (!scope.allowsLibrary(lib.id)) throw new NotFoundError('Library not found', 'LIBRARY_NOT_FOUND');
  return lib;
}

export function limitParam(ctx: RequestContext, def: number, max: number): number {
  const raw = ctx.query.get('limit');
  if (raw === null || raw === '') return def;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new ValidationError(`limit must be an integer 1..${max}`, { field: 'limit' });
  return Number(raw);
}

/** Optional ?library= (uuid or id) filter, 404 when not visible; undefined when absent. */
export function visibleLibraryId(s: HomeApp, ctx: RequestContext, scope: AccessScope): number | undefined {
  const raw = ctx.query.get('library') ?? ctx.query.get('libraryId');
  if (!raw) return undefined;
  const lib = s.libraries.get(raw);
  if (!scope.allowsLibrary(lib.id)) throw new NotFoundError('Library not found', 'LIBRARY_NOT_FOUND');
  return lib.id;
}
