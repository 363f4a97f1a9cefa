/**
 * Navigation of the metadata tree (show -> season -> episode, artist -> album -> track)
 * and of files to the metadata item they belong to. Pure reads over the ItemRepo.
 */
import type { IndexStore } from '../../domain/ports.js';
import type { Item } from '../../domain/types.js';

const LEAF_KINDS = new Set<Item['kind']>(['movie', 'episode', 'track']);
const MAX_CHILDREN = 5_000;
/** Leaves gathered for one mark-watched (a whole show or a big folder). */
export const MAX_LEAVES = 20_000;

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

export class ItemTree {
  constructor(private readonly index: IndexStore) {}

  /** The metadata item a file stands for (its movie/episode/track), or the item itself. */
  canonical(item: Item): Item {
    if (item.kind === 'file' && typeof item.meta?.virtualId === 'number') return this.index.items.get(item.meta.virtualId) ?? item;
    return item;
  }

  /** Can a client play this item (and report progress on it)? */
  isPlayable(item: Item): boolean {
    if (LEAF_KINDS.has(item.kind)) return true;
    return item.kind === 'file' && (item.mediaType === 'video' || item.mediaType === 'audio');
  }

  isContainer(item: Item): boolean {
    return item.kind === 'show' || item.kind === 'season' || item.kind === 'artist' || item.kind === 'album' || item.kind === 'collection' || item.kind === 'dir';
  }

  /** Files of a playable item: the file itself, or a virtual item's meta.fileIds. */
  filesOf(item: Item): Item[] {
    if (item.kind === 'file') return [item];
    const ids = Array.isArray(item.meta?.fileIds) ? (item.meta.fileIds as unknown[]).filter((x): x is number => typeof x === 'number') : [];
    return this.index.items.getMany(ids).filter((x): x is Item => Boolean(x));
  }

  /** Children in display order: seasons by number, episodes by number, tracks by disc/track, albums by year. */
  children(item: Item): Item[] {
    const list = this.index.items.listChildren(item.id, { limit: MAX_CHILDREN, foldersFirst: item.kind === 'dir' }).items;
    if (item.kind === 'dir') return list;
    const key = (c: Item): number[] => {
      const m = c.meta ?? {};
      if (c.kind === 'season') return [num(m.season, 9999) === 0 ? 9998 : num(m.season, 9999)];
      if (c.kind === 'episode') return [num(m.season, 0), num(m.episode, 9999)];
      if (c.kind === 'track') return [num(m.disc, 1), num(m.track, 9999)];
      if (c.kind === 'album') return [num(m.year, 9999)];
      return [];
    };
    return list.slice().sort((a, b) => {
      const ka = key(a); const kb = key(b);
      for (let i = 0; i < Math.max(ka.length, kb.length); i++) if ((ka[i] ?? 0) !== (kb[i] ?? 0)) return (ka[i] ?? 0) - (kb[i] ?? 0);
      return a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id;
    });
  }

  /** Every playable item under `item` (itself when playable), in display order, capped. */
  leaves(item: Item, cap = MAX_LEAVES): Item[] {
    const out: Item[] = [];
    const walk = (it: Item, depth: number): void => {
      if (out.length >= cap || depth > 32) return;
      if (this.isPlayable(it)) { out.push(this.canonical(it)); return; }
      if (!this.isContainer(it)) return;
      for (const c of this.children(it)) walk(c, depth + 1);
    };
    walk(item, 0);
    const seen = new Set<number>();
    return out.filter((x) => (seen.has(x.id) ? false : (seen.add(x.id), true)));
  }

  /** The show of an episode (or of an episode's file), if any. */
  showOf(item: Item): Item | undefined {
    const c = this.canonical(item);
    if (c.kind !== 'episode') return undefined;
    const id = typeof c.meta?.showId === 'number' ? c.meta.showId : this.index.items.get(c.parentId)?.parentId;
    const show = id ? this.index.items.get(id) : undefined;
    return show?.kind === 'show' ? show : undefined;
  }

  /** Episodes of a show in order (seasons by number; specials last). */
  episodesOfShow(show: Item): Item[] {
    return this.children(show).flatMap((s) => (s.kind === 'season' ? this.children(s).filter((e) => e.kind === 'episode') : []));
  }

  /** Parent and grandparent in the metadata tree (season and show of an episode...). */
  ancestry(item: Item): { parent?: Item; grandparent?: Item } {
    if (item.kind === 'file' || item.kind === 'dir' || item.parentId <= 0) return {};
    const parent = this.index.items.get(item.parentId);
    const grandparent = parent && parent.parentId > 0 ? this.index.items.get(parent.parentId) : undefined;
    return { parent, grandparent };
  }

  /** Duration in ms: the probe of the item's (first) file, else meta.runtimeMin. */
  durationOf(item: Item): number {
    const file = item.kind === 'file' ? item : this.firstFile(item);
    const d = file?.probe?.durationMs;
    if (typeof d === 'number' && d > 0) return Math.round(d);
    const rt = item.meta?.runtimeMin;
    return typeof rt === 'number' && rt > 0 ? Math.round(rt * 60_000) : 0;
  }

  private firstFile(item: Item): Item | undefined {
    const ids = item.meta?.fileIds;
    if (!Array.isArray(ids)) return undefined;
    for (const id of ids) if (typeof id === 'number') { const f = this.index.items.get(id); if (f) return f; }
    return undefined;
  }
}
