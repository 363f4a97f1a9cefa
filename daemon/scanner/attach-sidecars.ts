/**
 * Sidecar phase of a scan: for each directory that changed, recompute which subtitles and
 * .nfo files belong to which media (sidecars.ts) and write only the owners whose list
 * differs, including owners that lost all their sidecars.
 */
import type { ItemRepo } from '../domain/ports.js';
import type { Item } from '../domain/types.js';
import { matchSidecars } from './sidecars.js';

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Returns how many owners were updated. `dirs` are relPaths within the location. */
export async function attachSidecars(items: ItemRepo, locationId: number, rootItemId: number, dirs: Iterable<string>): Promise<number> {
  let updated = 0;
  for (const relPath of dirs) {
    const dir = relPath === '' ? items.get(rootItemId) : items.getByPath(locationId, relPath);
    if (!dir || dir.kind !== 'dir') continue;
    const files: Item[] = [];
    for (const child of items.iterateChildren(dir.id)) if (child.kind === 'file') files.push(child);
    const matches = matchSidecars(files);
    for (const file of files) {
      if (file.mediaType !== 'video' && file.mediaType !== 'audio') continue;
      const want = matches.get(file.id) ?? [];
      const have = [...(file.sidecarIds ?? [])].sort((a, b) => a - b);
      if (sameIds(want, have)) continue;
      await items.setSidecars(file.id, want);
      updated++;
    }
  }
  return updated;
}
