/**
 * Generator: a large tree of tiny files (the scan benchmark). Layout: `topDirs` top-level
 * folders, each with enough subfolders to make `dirs` folders in all, and `files` files
 * spread evenly over every folder, named like camera/phone/music files with a mix of
 * media extensions. Contents are a few bytes: the scan benchmark measures walking and
 * indexing, not probing. Cached under the bench cache, keyed by the parameters.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cached, mapLimit } from './cache.js';

export interface TreeParams {
  files: number;
  dirs: number;
  /**
   * 'media': photo/video/music extensions (what a library holds; the scanner queues them
   * for probing). 'plain': the same layout with document extensions that are never probed
   * (for the daemon run, where probing 100,000 13-byte stand-ins would dominate).
   */
  names?: 'media' | 'plain';
}

export interface GeneratedTree { root: string; files: number; dirs: number; built: boolean; buildMs: number }

const NAMES: readonly ((i: number) => string)[] = [
  (i) => `IMG_${String(i).padStart(6, '0')}.jpg`,
  (i) => `IMG_${String(i).padStart(6, '0')}.JPG`,
  (i) => `Screenshot ${String(i).padStart(6, '0')}.png`,
  (i) => `PXL_${String(i).padStart(6, '0')}.mp4`,
  (i) => `Episode ${String(i).padStart(6, '0')}.mkv`,
  (i) => `${String(i % 100).padStart(2, '0')} - Track ${i}.mp3`,
  (i) => `${String(i % 100).padStart(2, '0')} - Song ${i}.flac`,
  (i) => `notes-${i}.txt`,
];

const PLAIN_NAMES: readonly ((i: number) => string)[] = [
  (i) => `notes-${String(i).padStart(6, '0')}.txt`,
  (i) => `Report ${String(i).padStart(6, '0')}.pdf`,
  (i) => `scan_${String(i).padStart(6, '0')}.doc`,
  (i) => `data-${i}.csv`,
];

/** Folder paths (relative) of the generated tree, top-level first. */
export function treeDirs(p: TreeParams): string[] {
  const top = Math.max(1, Math.round(Math.sqrt(p.dirs / 2)));
  const perTop = Math.ceil((p.dirs - top) / top);
  const out: string[] = [];
  for (let t = 0; t < top; t++) out.push(`Folder ${String(t).padStart(3, '0')}`);
  let made = top;
  for (let t = 0; t < top && made < p.dirs; t++) {
    for (let s = 0; s < perTop && made < p.dirs; s++, made++) out.push(`${out[t]}/Album ${String(s).padStart(3, '0')}`);
  }
  return out;
}

export async function generateTree(cacheRoot: string, p: TreeParams): Promise<GeneratedTree> {
  const names = p.names === 'plain' ? PLAIN_NAMES : NAMES;
  const key = p.names === 'plain' ? 'tree-plain' : 'tree';
  const { dir, built, buildMs } = await cached(cacheRoot, key, { files: p.files, dirs: p.dirs }, async (base) => {
    const root = join(base, 'tree');
    const dirs = treeDirs(p);
    await mkdir(root);
    for (const d of dirs) await mkdir(join(root, d));   // parents come first in the list
    const jobs = Array.from({ length: p.files }, (_, i) => i);
    const body = Buffer.from('alcove-bench\n');
    await mapLimit(jobs, 64, async (i) => {
      // Contiguous runs per folder, so every folder holds a mix of extensions.
      const folder = dirs[Math.floor((i * dirs.length) / p.files)]!;
      await writeFile(join(root, folder, names[i % names.length]!(i)), body);
    });
  });
  return { root: join(dir, 'tree'), files: p.files, dirs: p.dirs, built, buildMs };
}
