/**
 * Media Reviewer listings: one folder, paginated (GET /api/folders/files) and the recursive
 * NDJSON stream (GET /api/media-items/stream). Files come from the review location's
 * StorageAdapter; status from companion files in the same listing; metadata from the
 * index's probe info (probed on demand for a folder page when the scanner has not yet).
 * A status found on disk that differs from item.meta.review is written back to the index.
 */
import type { IndexStore, Prober, ProbeSource } from '../../domain/ports.js';
import type { Item } from '../../domain/types.js';
import { ForbiddenError, ValidationError } from '../../domain/errors.js';
import type { Logger } from '../../log/logger.js';
import { createLimiter, type Limiter } from '../../jobs/limiter.js';
import { StorageError, type StorageAdapter, type StorageEntry } from '../../../storage-adapters/types.js';
import {
  STATUS_FILTERS, matchesFilter, reviewMediaType, sameStatus, statusFromNames, toView,
  type MediaItemView, type ReviewMediaType, type ReviewStatus, type StatusFilter,
} from './review-media.js';
import { byCodePoint, normalizeClientPath, type ReviewLocation, type ReviewPathService } from './review-paths.service.js';
import { walkMedia } from './review-walk.js';

type Probed = Pick<Item, 'probe'>;

export interface FolderPage {
  path: string; offset: number; limit: number; count: number; ignoredCount: number; items: MediaItemView[];
}

export interface StreamRequest {
  location: ReviewLocation;
  offset: number;
  limit: number;
  statusFilter: StatusFilter;
  /** Relative cursor inside the location (from `after`). */
  after?: string;
}

/** Reads an optional integer query parameter; non-integers and out-of-range values are 400. */
export function intParam(raw: string | null | undefined, name: string, def: number, min: number, max: number): number {
  if (raw === null || raw === undefined || raw === '') return def;
  const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const rule = max === Number.MAX_SAFE_INTEGER ? `must be >= ${min}` : `must be between ${min} and ${max}`;
    throw new ValidationError(`Query parameter '${name}' ${rule}.`, { field: name });
  }
  return n;
}

export class ReviewListingService {
  private readonly probes: Limiter = createLimiter(4);

  constructor(private readonly deps: {
    index: IndexStore;
    paths: ReviewPathService;
    prober?: Prober;
    logger: Logger;
  }) {}

  /** One folder, non-recursive, media only, alphabetical, paginated. */
  async folderFiles(query: URLSearchParams, signal?: AbortSignal): Promise<FolderPage> {
    const offset = intParam(query.get('offset'), 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(query.get('limit'), 'limit', 100, 1, 1000);
    const abs = normalizeClientPath(query.get('path') ?? undefined, 'path', 'Query parameter');
    const resolved = await this.deps.paths.resolve(abs);
    if (!resolved) throw new ForbiddenError('Folder is not under a configured review path.', 'OUTSIDE_REVIEW_PATHS');
    const { owner, rel } = resolved;
    let entries: StorageEntry[];
    try {
      entries = await owner.adapter.list(rel, signal);
    } catch (err) {
      if (err instanceof StorageError && (err.code === 'NOT_FOUND' || err.code === 'NOT_DIR')) {
        throw new ValidationError('Path must be an existing directory.', { field: 'path' }, 'NOT_A_DIRECTORY');
      }
      throw err;
    }
    const names = new Set(entries.map((e) => e.name));
    const media: { entry: StorageEntry; mediaType: ReviewMediaType }[] = [];
    let ignoredCount = 0;
    for (const entry of entries) {
      if (entry.type !== 'file') continue;
      const mediaType = entry.name.startsWith('.') ? undefined : reviewMediaType(entry.name);
      if (mediaType) media.push({ entry, mediaType });
      else ignoredCount++;
    }
    media.sort((a, b) => byCodePoint(a.entry.name, b.entry.name));
    const page = media.slice(offset, offset + limit);
    const items = await Promise.all(page.map(async ({ entry, mediaType }) => {
      const status = statusFromNames(entry.name, names);
      const indexed = this.syncItem(owner, entry.path, status);
      const item = indexed?.probe || !this.deps.prober ? indexed : await this.probeNow(owner, entry, mediaType, indexed, signal);
      return toView(joinAbs(owner.path, entry.path), entry, mediaType, status, item);
    }));
    return { path: abs, offset, limit, count: items.length, ignoredCount, items };
  }

  /** Validates the stream query: 400s first (table order of the seed), then 403. */
  async streamRequest(query: URLSearchParams): Promise<StreamRequest> {
    const abs = normalizeClientPath(query.get('path') ?? undefined, 'path', 'Query parameter');
    const limit = intParam(query.get('limit'), 'limit', 50, 1, 10_000);
    const offset = intParam(query.get('offset'), 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const rawFilter = query.get('statusFilter') ?? 'all';
    if (!(STATUS_FILTERS as readonly string[]).includes(rawFilter)) {
      throw new ValidationError(`Query parameter 'statusFilter' must be one of: ${STATUS_FILTERS.join(', ')}.`, { field: 'statusFilter' });
    }
    let after: string | undefined;
    const rawAfter = query.get('after');
    if (rawAfter) {
      const afterAbs = normalizeClientPath(rawAfter, 'after', 'Query parameter');
      if (!afterAbs.startsWith(abs === '/' ? '/' : `${abs}/`)) {
        throw new ValidationError("Query parameter 'after' must be inside 'path'.", { field: 'after' });
      }
      after = afterAbs.slice(abs === '/' ? 1 : abs.length + 1);
    }
    const location = await this.deps.paths.exact(abs);
    if (!location) throw new ForbiddenError('Path is not configured as a known review path.', 'NOT_A_REVIEW_PATH');
    return { location, offset, limit, statusFilter: rawFilter as StatusFilter, after };
  }

  /**
   * Items of one page, in walk order (review-walk.ts), produced as the walk goes.
   * Stop early by aborting `signal` or by returning from the consumer's loop.
   */
  async *stream(req: StreamRequest, signal?: AbortSignal): AsyncGenerator<MediaItemView> {
    const { location } = req;
    let skipped = 0;
    let sent = 0;
    const walk = walkMedia(location.adapter, '', {
      signal, after: req.after,
      onError: (dir, err) => this.deps.logger.warn({ dir, err: err.message }, 'review walk: directory not listed'),
    });
    for await (const { entry, mediaType, names } of walk) {
      const status = statusFromNames(entry.name, names);
      if (!matchesFilter(status, req.statusFilter)) continue;
      if (skipped < req.offset) { skipped++; continue; }
      const item = this.syncItem(location, entry.path, status);
      yield toView(joinAbs(location.path, entry.path), entry, mediaType, status, item);
      if (++sent >= req.limit) return;
    }
  }

  /** The index item for a file; writes the on-disk status to meta.review when it differs. */
  private syncItem(location: ReviewLocation, rel: string, status: ReviewStatus): Item | undefined {
    const item = this.deps.index.items.getByPath(location.locationId, rel);
    if (item && !sameStatus(item.meta?.review, status)) {
      this.deps.index.items.updateMeta(item.id, { review: status })
        .catch((err: unknown) => this.deps.logger.warn({ err, id: item.id }, 'review status not indexed'));
    }
    return item;
  }

  private async probeNow(location: ReviewLocation, entry: StorageEntry, mediaType: ReviewMediaType, item: Item | undefined, signal?: AbortSignal): Promise<Probed | undefined> {
    const prober = this.deps.prober as Prober;
    try {
      const info = await this.probes.run((s) => prober.probe(probeSource(location.adapter, entry, mediaType), s), { signal });
      if (!item) return { probe: info }; // not indexed yet: use the answer, the scanner will index it
      await this.deps.index.items.setProbe(item.id, 'done', info);
      return { ...item, probe: info };
    } catch (err) {
      if (signal?.aborted) throw err;
      this.deps.logger.debug({ path: entry.path, err: (err as Error).message }, 'review probe failed');
      return item;
    }
  }
}

export function probeSource(adapter: StorageAdapter, entry: Pick<StorageEntry, 'name' | 'path' | 'size'>, mediaType: ReviewMediaType): ProbeSource {
  return {
    name: entry.name, mediaType, size: entry.size,
    localPath: adapter.localPath?.(entry.path),
    open: (start, end, signal) => adapter.createReadStream(entry.path, { start, end, signal }),
  };
}

export function joinAbs(root: string, rel: string): string {
  if (!rel) return root;
  return root === '/' ? `/${rel}` : `${root}/${rel}`;
}

