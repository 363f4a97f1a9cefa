/**
 * Recursive walk of a review folder through its StorageAdapter, in a stable order that
 * needs no global sort (so memory stays flat and the first item leaves at once):
 * a directory's own files first (code-point order by name), then its subdirectories in
 * code-point order, depth first. Dot-directories (.thumbnails, .git, ...) are pruned and
 * dot-files (AppleDouble '._x.jpg') skipped.
 *
 * `after` (a path relative to the walk root) resumes strictly after that file in this
 * order, descending only along its path instead of re-listing everything before it.
 */
import type { StorageAdapter, StorageEntry } from '../../../storage-adapters/types.js';
import { reviewMediaType, type ReviewMediaType } from './review-media.js';
import { byCodePoint } from './review-paths.service.js';

export interface WalkedFile {
  entry: StorageEntry;
  mediaType: ReviewMediaType;
  /** Names in the same directory (companion lookup without extra I/O). */
  names: ReadonlySet<string>;
}

export interface WalkOptions {
  signal?: AbortSignal;
  /** Relative path of the last item already seen ('/'-separated). */
  after?: string;
  /** Called when a directory cannot be listed (the walk goes on). */
  onError?: (dir: string, err: Error) => void;
}

export async function* walkMedia(adapter: StorageAdapter, rootRel: string, options: WalkOptions = {}): AsyncGenerator<WalkedFile> {
  const cursor = options.after ? options.after.split('/').filter(Boolean) : undefined;
  yield* walkDir(adapter, rootRel, cursor, 0, options);
}

async function* walkDir(
  adapter: StorageAdapter, dir: string, cursor: string[] | undefined, depth: number, options: WalkOptions,
): AsyncGenerator<WalkedFile> {
  options.signal?.throwIfAborted();
  let entries: StorageEntry[];
  try {
    entries = await adapter.list(dir, options.signal);
  } catch (err) {
    if (options.signal?.aborted) throw err;
    options.onError?.(dir, err as Error);
    return;
  }
  const names = new Set(entries.map((e) => e.name));
  const files = entries.filter((e) => e.type === 'file').sort((a, b) => byCodePoint(a.name, b.name));
  const dirs = entries.filter((e) => e.type === 'dir' && !e.name.startsWith('.')).sort((a, b) => byCodePoint(a.name, b.name));
  const here = cursor?.[depth];
  const cursorAtFile = cursor !== undefined && depth === cursor.length - 1;
  const cursorBelow = cursor !== undefined && depth < cursor.length - 1;

  for (const entry of files) {
    if (cursorBelow) break; // every file here comes before the cursor's subdirectory
    if (cursorAtFile && byCodePoint(entry.name, here as string) <= 0) continue;
    if (entry.name.startsWith('.')) continue; // AppleDouble '._x.jpg' and other hidden files
    const mediaType = reviewMediaType(entry.name);
    if (mediaType) yield { entry, mediaType, names };
  }
  for (const sub of dirs) {
    if (cursorBelow) {
      const cmp = byCodePoint(sub.name, here as string);
      if (cmp < 0) continue;
      yield* walkDir(adapter, sub.path, cmp === 0 ? cursor : undefined, depth + 1, options);
    } else {
      yield* walkDir(adapter, sub.path, undefined, depth + 1, options);
    }
  }
}
