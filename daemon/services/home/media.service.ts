/**
 * Item details (h3xed /api/media/:ratingKey, /children, /episodes, /api/cast/:ratingKey):
 * movies, shows, seasons, episodes, artists, albums, tracks and plain files/folders, with
 * files[] for playable items. Hidden and missing items are both 404 ITEM_NOT_FOUND.
 */
import { ValidationError } from '../../domain/errors.js';
import type { Item } from '../../domain/types.js';
import type { AccessScope, AccessService } from '../access/access.service.js';
import type { HomeItem, HomePresenter } from './home-item.js';
import type { ItemTree } from './item-tree.js';
import { parseRatingKey } from './watch.service.js';

export interface CastMember { name: string; role?: string; type: string; thumb?: string }

export class MediaService {
  constructor(private readonly access: AccessService, private readonly tree: ItemTree, private readonly presenter: HomePresenter) {}

  detail(scope: AccessScope, rawKey: string): HomeItem & { people?: CastMember[] } {
    const item = this.access.requireItem(scope, parseRatingKey(rawKey));
    return this.presenter.item(item, scope.userId, { detail: true });
  }

  /** Seasons of a show, episodes of a season, albums of an artist, tracks of an album, a folder's entries. */
  children(scope: AccessScope, rawKey: string): { parent: HomeItem; items: HomeItem[]; totalCount: number } {
    const item = this.access.requireItem(scope, parseRatingKey(rawKey));
    if (!this.tree.isContainer(item)) throw new ValidationError('This item has no children', { ratingKey: rawKey }, 'NO_CHILDREN');
    const items = this.tree.children(item).filter((c) => scope.allows(c));
    return { parent: this.presenter.item(item, scope.userId), items: this.presenter.list(items, scope.userId), totalCount: items.length };
  }

  /** All episodes of a season, or of a whole show (season order). */
  episodes(scope: AccessScope, rawKey: string): { parent: HomeItem; items: HomeItem[]; totalCount: number } {
    const item = this.access.requireItem(scope, parseRatingKey(rawKey));
    let eps: Item[];
    if (item.kind === 'season') eps = this.tree.children(item).filter((e) => e.kind === 'episode');
    else if (item.kind === 'show') eps = this.tree.episodesOfShow(item);
    else throw new ValidationError('Episodes are listed for a show or a season', { ratingKey: rawKey }, 'NOT_A_SEASON');
    const visible = eps.filter((e) => scope.allows(e));
    return { parent: this.presenter.item(item, scope.userId), items: this.presenter.list(visible, scope.userId), totalCount: visible.length };
  }

  /** Cast and crew from meta.people (an episode without its own falls back to its show). */
  cast(scope: AccessScope, rawKey: string): { ratingKey: string; cast: CastMember[]; crew: CastMember[] } {
    const item = this.access.requireItem(scope, parseRatingKey(rawKey));
    let people = peopleOf(item);
    if (!people.length) {
      const canonical = this.tree.canonical(item);
      people = peopleOf(canonical);
      const show = !people.length ? this.tree.showOf(item) : undefined;
      if (show) people = peopleOf(show);
    }
    const isCast = (p: CastMember): boolean => p.type === 'actor' || p.type === 'cast' || p.type === 'guest';
    return { ratingKey: String(item.id), cast: people.filter(isCast), crew: people.filter((p) => !isCast(p)) };
  }
}

function peopleOf(item: Item): CastMember[] {
  const raw = item.meta?.people;
  if (!Array.isArray(raw)) return [];
  const out: CastMember[] = [];
  for (const p of raw) {
    const r = p as { name?: unknown; role?: unknown; type?: unknown; thumb?: unknown };
    if (typeof r?.name !== 'string') continue;
    const m: CastMember = { name: r.name, type: typeof r.type === 'string' ? r.type : 'actor' };
    if (typeof r.role === 'string' && r.role) m.role = r.role;
    if (typeof r.thumb === 'string' && /^https?:\/\//.test(r.thumb)) m.thumb = r.thumb;
    out.push(m);
  }
  return out;
}
