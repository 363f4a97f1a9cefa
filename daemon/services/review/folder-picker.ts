/**
 * GET /api/folders: the review-path picker browses the server's own filesystem (admin only
 * at the route). Immediate subdirectories of `path`, dot-folders and folders hidden by the
 * picker policy left out, code-point order, has_children = has a visible subdirectory.
 * Local filesystem on purpose: a review path is chosen from the server's disks.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ForbiddenError, ValidationError } from '../../domain/errors.js';
import { mapLimit } from '../../../storage-adapters/map-limit.js';
import { isHiddenPath } from './review-config.js';
import { byCodePoint, normalizeClientPath } from './review-paths.service.js';

export interface FolderEntry { path: string; name: string; has_children: boolean }

export async function listFolders(raw: string | null, hidden: readonly string[], signal?: AbortSignal): Promise<{ path: string; folders: FolderEntry[] }> {
  if (raw === null || raw === '') throw new ValidationError("Query parameter 'path' is required.", { field: 'path' });
  const abs = normalizeClientPath(raw, 'path', 'Query parameter');
  const isDir = await stat(abs).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new ValidationError('Path must be an existing directory.', { field: 'path' }, 'NOT_A_DIRECTORY');
  if (isHiddenPath(abs, hidden)) throw new ForbiddenError('Path is hidden by picker policy.', 'PATH_HIDDEN');
  const dirs = await subdirectories(abs, hidden);
  const folders = await mapLimit(dirs, 16, async (name) => {
    const path = join(abs, name);
    const children = await subdirectories(path, hidden, true);
    return { path, name, has_children: children.length > 0 };
  }, signal);
  return { path: abs, folders };
}

/** Visible subdirectory names of `dir` (symlinks to directories count); unreadable -> []. */
async function subdirectories(dir: string, hidden: readonly string[], firstOnly = false): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (isHiddenPath(full, hidden)) continue;
    const isDir = e.isDirectory() || (e.isSymbolicLink() && await stat(full).then((s) => s.isDirectory(), () => false));
    if (!isDir) continue;
    out.push(e.name);
    if (firstOnly) break;
  }
  return out.sort(byCodePoint);
}
