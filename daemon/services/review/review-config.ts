/**
 * The Media Reviewer's YAML file (paths.reviewConfigFile, `<state>/review-paths.yaml`):
 *
 *   known_paths: [/srv/trailcam, ...]      # mirror of the review libraries in the index
 *   hidden_picker_paths: [/proc, /sys, ...] # replaces the defaults when present
 *   deletion_workers: 2                     # files deleted at once by empty-trash
 *   auto_thumbnail: true                    # warm thumbnails on add / stream
 *
 * The index is the source of truth for known paths; this file is rewritten after every
 * change so an operator can read (and pre-seed) it. Paths a person added to the file by hand
 * are imported at start. Writes are atomic (temp file + rename).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadYaml } from '../../config/yaml.js';

export interface ReviewSettings {
  knownPaths: string[];
  hiddenPickerPaths: string[];
  deletionWorkers: number;
  autoThumbnail: boolean;
}

/** Conservative defaults: kernel/virtual filesystems, boot files, secrets, our own state. */
export function defaultHiddenPaths(stateDir: string): string[] {
  return [...new Set(['/boot', '/dev', '/proc', '/run', '/snap', '/sys', join(homedir(), '.ssh'), resolve(stateDir)])].sort();
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((v): v is string => typeof v === 'string' && v.startsWith('/')).map((v) => resolve(v));
}

/** Reads the file; a missing file (or none given) gives the defaults, a malformed one throws (start fails loudly). */
export async function loadReviewSettings(file: string | undefined, stateDir: string): Promise<ReviewSettings> {
  let doc: Record<string, unknown> = {};
  try {
    if (file === undefined) throw Object.assign(new Error('no file'), { code: 'ENOENT' });
    const text = await readFile(file, 'utf8');
    const parsed: unknown = (await loadYaml()).parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) doc = parsed as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file}: ${(err as Error).message}`);
  }
  const workers = Number(doc.deletion_workers);
  return {
    knownPaths: stringList(doc.known_paths) ?? [],
    hiddenPickerPaths: stringList(doc.hidden_picker_paths) ?? defaultHiddenPaths(stateDir),
    deletionWorkers: Number.isInteger(workers) && workers >= 1 && workers <= 64 ? workers : 2,
    autoThumbnail: doc.auto_thumbnail !== false,
  };
}

export async function saveReviewSettings(file: string, settings: ReviewSettings): Promise<void> {
  const text = (await loadYaml()).stringify({
    known_paths: [...settings.knownPaths].sort(),
    hidden_picker_paths: settings.hiddenPickerPaths,
    deletion_workers: settings.deletionWorkers,
    auto_thumbnail: settings.autoThumbnail,
  });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o640 });
  await rename(tmp, file);
}

/** True when `path` equals or lies under one of `hidden`. */
export function isHiddenPath(path: string, hidden: readonly string[]): boolean {
  return hidden.some((h) => h === '/' ? true : path === h || path.startsWith(`${h}/`));
}
