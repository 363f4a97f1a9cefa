/**
 * The one guard for "may this user read this item": library restrictions, a maximum content
 * rating and excluded labels (User.restrictions). Every home-surface reader (listings,
 * search, recent, recommendations, continue watching, artwork) and playback (stream, HLS)
 * asks it, so a restriction cannot be forgotten in one place.
 *
 * An item's rating and labels are its own plus those of the items it belongs to (a file's
 * movie/episode, a sidecar's video, an episode's season and show, a track's album and artist): the strictest
 * rating wins and labels add up. Labels are meta.labels plus the item's tags (Media
 * Viewer), compared case-insensitively. Unrated items pass a rating limit. Admins pass all.
 */
import type { AuthInfo } from '../../domain/auth.js';
import { NotFoundError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { Item, User } from '../../domain/types.js';
import { ratingRank } from './content-rating.js';

/** What one request may see; build once per request (it memoizes ancestor facts). */
export interface AccessScope {
  readonly userId: number;
  readonly isAdmin: boolean;
  /** Visible library ids (undefined = all). */
  readonly libraryIds?: ReadonlySet<number>;
  /** True when rating or label rules apply (listings must filter item by item). */
  readonly contentFiltered: boolean;
  allows(item: Item): boolean;
  allowsLibrary(libraryId: number): boolean;
  /**
   * Items of a library this scope refuses for their rating or labels (own or inherited),
   * found from the index's content-marked items and inheritance links, not by a pass over
   * the library; memoized per scope. Empty when no content rule applies.
   */
  hiddenIn(libraryId: number): ReadonlySet<number>;
}

interface Facts { rank?: number; labels: string[] }
const EMPTY: ReadonlySet<number> = new Set();
const MAX_DEPTH = 4;

export class AccessService {
  constructor(private readonly index: IndexStore) {}

  /** The scope of an authenticated request. */
  scopeOf(auth: AuthInfo): AccessScope {
    if (auth.isAdmin) return this.scopeFor(auth.user.id, true, undefined);
    return this.scopeFor(auth.user.id, false, this.index.users.get(auth.user.id)?.restrictions);
  }

  scopeFor(userId: number, isAdmin: boolean, r: User['restrictions']): AccessScope {
    const libraryIds = !isAdmin && r?.libraryIds ? new Set(r.libraryIds) : undefined;
    const maxRank = !isAdmin ? ratingRank(r?.maxContentRating) : undefined;
    const excluded = !isAdmin && r?.excludedLabels?.length ? new Set(r.excludedLabels.map((l) => l.trim().toLowerCase())) : undefined;
    const contentFiltered = maxRank !== undefined || excluded !== undefined;
    const memo = new Map<number, Facts>();
    const allowsLibrary = (id: number) => !libraryIds || libraryIds.has(id);
    const hidden = new Map<number, ReadonlySet<number>>();
    return {
      userId, isAdmin, libraryIds, contentFiltered, allowsLibrary,
      hiddenIn: (libraryId) => {
        if (!contentFiltered) return EMPTY;
        let set = hidden.get(libraryId);
        if (!set) hidden.set(libraryId, set = this.hiddenSet(libraryId, maxRank, excluded));
        return set;
      },
      allows: (item) => {
        if (!allowsLibrary(item.libraryId)) return false;
        if (!contentFiltered) return true;
        const f = this.facts(item, memo, excluded !== undefined, 0);
        if (maxRank !== undefined && f.rank !== undefined && f.rank > maxRank) return false;
        if (excluded && f.labels.some((l) => excluded.has(l))) return false;
        return true;
      },
    };
  }

  /** Shared guard: may this request read `item`? (stream, HLS, artwork...) */
  canAccessItem(auth: AuthInfo | undefined, item: Item): boolean {
    if (!auth) return false;
    return this.scopeOf(auth).allows(item);
  }

  /**
   * Playback guard by item id: NotFoundError (FILE_NOT_FOUND, like a missing file) when the
   * item exists but this request may not read it; a missing item is left to the caller.
   */
  assertCanAccessId(auth: AuthInfo | undefined, id: number): void {
    const item = this.index.items.get(id);
    if (item && !this.canAccessItem(auth, item)) throw new NotFoundError('No such file', 'FILE_NOT_FOUND');
  }

  /** The item if the request may read it; NotFoundError otherwise (hidden items do not exist). */
  requireItem(scope: AccessScope, id: number): Item {
    const item = this.index.items.get(id);
    if (!item || !scope.allows(item)) throw new NotFoundError(`No item with ratingKey ${id}`, 'ITEM_NOT_FOUND');
    return item;
  }

  /**
   * Items refused on their own facts (a rank above the limit, an excluded label or tag) are
   * the seeds; everything that inherits from a refused item, up to MAX_DEPTH links down
   * (as far as facts() looks up), is refused too.
   */
  private hiddenSet(libraryId: number, maxRank: number | undefined, excluded: ReadonlySet<string> | undefined): Set<number> {
    const out = new Set<number>();
    const ranks = new Map<string | undefined, number | undefined>(); // few distinct ratings
    for (const m of this.index.items.contentMarked(libraryId)) {
      let rank = ranks.get(m.contentRating);
      if (rank === undefined && !ranks.has(m.contentRating)) ranks.set(m.contentRating, rank = ratingRank(m.contentRating));
      if ((maxRank !== undefined && rank !== undefined && rank > maxRank)
        || (excluded && m.labels.some((l) => excluded.has(l.trim().toLowerCase())))) out.add(m.id);
    }
    if (excluded) {
      // Tags count as labels on files and folders (facts(): withTags).
      for (const label of excluded) {
        const tag = this.index.tags.getByName(label);
        if (!tag || tag.key !== label) continue;
        for (let after = 0; ;) {
          const ids = this.index.tags.itemIdsOf(tag.id, after, 1_000);
          for (const it of this.index.items.getMany(ids)) {
            if (it && it.libraryId === libraryId && (it.kind === 'file' || it.kind === 'dir')) out.add(it.id);
          }
          if (ids.length < 1_000) break;
          after = ids[ids.length - 1];
        }
      }
    }
    let frontier = [...out];
    for (let depth = 0; depth < MAX_DEPTH && frontier.length; depth++) {
      const next: number[] = [];
      for (const id of this.index.items.inheritorsOf(frontier)) if (!out.has(id)) { out.add(id); next.push(id); }
      frontier = next;
    }
    return out;
  }

  private facts(item: Item, memo: Map<number, Facts>, withTags: boolean, depth: number): Facts {
    const hit = memo.get(item.id);
    if (hit) return hit;
    const m = item.meta ?? {};
    let rank = ratingRank(m.contentRating);
    const labels: string[] = [];
    if (Array.isArray(m.labels)) for (const l of m.labels) if (typeof l === 'string') labels.push(l.trim().toLowerCase());
    if (withTags && (item.kind === 'file' || item.kind === 'dir')) for (const t of this.index.tags.tagsOf(item.id)) labels.push(t.key);
    if (depth < MAX_DEPTH) {
      const up = new Set<number>();
      if (typeof m.virtualId === 'number') up.add(m.virtualId);
      if (typeof item.ownerId === 'number') up.add(item.ownerId); // a sidecar (nfo, subtitle) follows its video
      if (typeof m.showId === 'number') up.add(m.showId);
      if (item.kind !== 'file' && item.kind !== 'dir' && item.parentId > 0) up.add(item.parentId);
      for (const id of up) {
        const other = id === item.id ? undefined : this.index.items.get(id);
        if (!other) continue;
        const f = this.facts(other, memo, withTags, depth + 1);
        if (f.rank !== undefined) rank = rank === undefined ? f.rank : Math.max(rank, f.rank);
        labels.push(...f.labels);
      }
    }
    const facts: Facts = { rank, labels };
    memo.set(item.id, facts);
    return facts;
  }
}
