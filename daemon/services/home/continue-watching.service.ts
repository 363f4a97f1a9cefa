/**
 * Continue watching (h3xed /api/continue-watching): the user's partially watched items, most
 * recently played first, plus the next unwatched episode of shows in progress (a show whose
 * latest event was finishing an episode). One entry per show. Reads at most SCAN_LIMIT
 * progress records (a reverse range scan of the recency index), never the library.
 */
import type { IndexStore } from '../../domain/ports.js';
import type { Item } from '../../domain/types.js';
import type { AccessScope } from '../access/access.service.js';
import type { HomeItem, HomePresenter } from './home-item.js';
import type { ItemTree } from './item-tree.js';
import type { ProgressService } from './progress.service.js';

const SCAN_LIMIT = 500;

export interface ContinueEntry extends HomeItem { reason: 'resume' | 'next' }

export class ContinueWatchingService {
  constructor(
    private readonly index: IndexStore,
    private readonly tree: ItemTree,
    private readonly presenter: HomePresenter,
    private readonly progress: ProgressService,
  ) {}

  async list(scope: AccessScope, limit: number, libraryId?: number): Promise<ContinueEntry[]> {
    const out: { item: Item; reason: 'resume' | 'next' }[] = [];
    const shows = new Set<number>();
    for (const p of await this.progress.recent(scope.userId, SCAN_LIMIT)) {
      if (out.length >= limit) break;
      const item = this.index.items.get(p.itemId);
      if (!item || !scope.allows(item) || (libraryId !== undefined && item.libraryId !== libraryId)) continue;
      const show = this.tree.showOf(item);
      if (show && shows.has(show.id)) continue;
      if (p.offsetMs > 0) {
        if (show) shows.add(show.id);
        out.push({ item, reason: 'resume' });
      } else if (p.watched && show) {
        shows.add(show.id);
        const next = this.nextEpisode(scope, show, item);
        if (next) out.push({ item: next, reason: 'next' });
      }
    }
    return out.map(({ item, reason }) => ({ ...this.presenter.item(item, scope.userId), reason }));
  }

  /** The first unwatched, visible episode after `current` in show order. */
  nextEpisode(scope: AccessScope, show: Item, current: Item): Item | undefined {
    const episodes = this.tree.episodesOfShow(show);
    const at = episodes.findIndex((e) => e.id === current.id);
    for (let i = at + 1; i < episodes.length; i++) {
      const e = episodes[i];
      if (!scope.allows(e)) continue;
      const s = this.progress.get(scope.userId, e.id);
      if (!s?.watched) return e;
    }
    return undefined;
  }
}
