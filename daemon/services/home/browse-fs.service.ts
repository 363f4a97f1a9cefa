/**
 * Server filesystem browser for picking library folders (h3xed /api/browse-fs, admin only):
 * directories only (symlinks followed when they point at one), sorted by name, hidden
 * entries (dot names) left out, and system trees (/proc, /sys, /dev, /run, /boot, /etc,
 * /lost+found...) neither listed nor browsable. No file names are ever returned.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors.js';

export const HIDDEN_SYSTEM_PATHS = ['/proc', '/sys', '/dev', '/run', '/boot', '/etc', '/lost+found', '/snap', '/var/lib', '/var/run', '/var/lock'];
const MAX_ENTRIES = 5_000;

export interface FsListing { path: string; parent: string | null; directories: { name: string; path: string }[]; truncated: boolean }

const isSystem = (p: string): boolean => HIDDEN_SYSTEM_PATHS.some((s) => p === s || p.startsWith(`${s}/`));

export async function browseFs(raw: string | null): Promise<FsListing> {
  const input = raw === null || raw === '' ? '/' : raw;
  if (!input.startsWith('/') || input.includes('\0')) throw new ValidationError('path must be an absolute path', { field: 'path' });
  const path = posix.normalize(input).replace(/(.)\/+$/, '$1');
  if (isSystem(path)) throw new ForbiddenError('System folders cannot be browsed', 'PATH_FORBIDDEN');
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new NotFoundError('No such folder', 'PATH_NOT_FOUND');
  if (!st.isDirectory()) throw new ValidationError('path is not a folder', { field: 'path' }, 'NOT_A_DIRECTORY');
  const entries = await readdir(path, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EACCES' || err.code === 'EPERM') throw new ForbiddenError('The daemon may not read this folder', 'PATH_FORBIDDEN');
    throw new NotFoundError('No such folder', 'PATH_NOT_FOUND');
  });
  const directories: { name: string; path: string }[] = [];
  let truncated = false;
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = path === '/' ? `/${e.name}` : `${path}/${e.name}`;
    if (isSystem(full)) continue;
    let dir = e.isDirectory();
    if (!dir && e.isSymbolicLink()) dir = (await stat(join(path, e.name)).catch(() => undefined))?.isDirectory() ?? false;
    if (!dir) continue;
    if (directories.length >= MAX_ENTRIES) { truncated = true; break; }
    directories.push({ name: e.name, path: full });
  }
  directories.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' }));
  return { path, parent: path === '/' ? null : posix.dirname(path), directories, truncated };
}
