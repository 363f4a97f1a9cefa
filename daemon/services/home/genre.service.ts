/**
 * Genre list (h3xed /api/genres): genres of movies, shows, albums and unidentified files,
 * counted per library. Built lazily per library by one pass over its items and cached;
 * items.* events for a library drop its cache, so a request never pays more than one
 * pass per library after a change. Only libraries the user may see are counted.
 */
import type { EventBus, IndexStore } from '../../domain/ports.js';
import type { AccessScope } from '../access/access.service.js';

const COUNTED = new Set(['movie', 'show', 'album']);

export class GenreService {
  private readonly cache = new Map<number, Map<string, { name: string; count: number }>>();
  private readonly off: () => void;

  constructor(private readonly index: IndexStore, events: EventBus) {
    this.off = events.on((e) => {
      if (e.type === 'items.added' || e.type === 'items.changed' || e.type === 'items.removed') this.cache.delete(e.libraryId);
    });
  }

  close(): void { this.off(); }

  list(scope: AccessScope, libraryId?: number): { genres: { name: string; count: number; key: string }[] } {
    const merged = new Map<string, { name: string; count: number }>();
    for (const lib of this.index.libraries.list()) {
      if (lib.purpose !== 'library' || !scope.allowsLibrary(lib.id) || (libraryId !== undefined && lib.id !== libraryId)) continue;
      for (const [k, v] of this.forLibrary(lib.id)) {
        const m = merged.get(k);
        if (m) m.count += v.count; else merged.set(k, { ...v });
      }
    }
    const genres = [...merged.entries()].map(([key, v]) => ({ name: v.name, count: v.count, key }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
    return { genres };
  }

  private forLibrary(libraryId: number): Map<string, { name: string; count: number }> {
    let c = this.cache.get(libraryId);
    if (c) return c;
    c = new Map();
    for (const item of this.index.items.iterateLibrary(libraryId)) {
      const counted = COUNTED.has(item.kind) || (item.kind === 'file' && item.meta?.virtualId === undefined);
      const g = item.meta?.genres;
      if (!counted || !Array.isArray(g)) continue;
      for (const name of g) {
        if (typeof name !== 'string' || !name.trim()) continue;
        const key = name.trim().toLowerCase();
        const e = c.get(key);
        if (e) e.count++; else c.set(key, { name: name.trim(), count: 1 });
      }
    }
    this.cache.set(libraryId, c);
    return c;
  }
}
