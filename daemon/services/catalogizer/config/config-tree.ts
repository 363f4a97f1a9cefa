/**
 * Helpers over plain configuration trees: deep merge, dotted-path get/set, secret
 * redaction, validation against the one config schema, and the overlay file
 * (<stateDir>/config.override.yaml) that the configuration API writes and the daemon
 * loads at its next start (daemon/config/load.ts).
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { validateConfig, type AlcoveConfig } from '../../../config/schema.js';
import { loadYaml } from '../../../config/yaml.js';

export type Tree = Record<string, unknown>;

export const SECRET_MASK = '********';
const SECRET_KEY = /(api[_-]?key|apikey|password|secret|token)$/i;
/** Keys the configuration API never changes (they locate the state itself). */
export const FIXED_KEYS = ['stateDir', 'cacheDir'];

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepMerge(base: Tree, patch: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    out[k] = isTree(v) && isTree(out[k]) ? deepMerge(out[k] as Tree, v) : v;
  }
  return out;
}

export function getPath(tree: Tree, path: string): unknown {
  let node: unknown = tree;
  for (const part of path.split('.')) {
    if (!isTree(node)) return undefined;
    node = node[part];
  }
  return node;
}

export function setPath(tree: Tree, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    if (!isTree(node[part])) node[part] = {};
    node = node[part] as Tree;
  }
  node[parts[parts.length - 1]] = value;
}

/** Dotted paths of every leaf (arrays are leaves). */
export function leafPaths(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (isTree(v) ? leafPaths(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

export function isSecretPath(path: string): boolean {
  return SECRET_KEY.test(path.split('.').pop() ?? '');
}

/** A copy with every secret leaf that is set replaced by SECRET_MASK. */
export function redact(tree: Tree): Tree {
  const out: Tree = {};
  for (const [k, v] of Object.entries(tree)) {
    if (isTree(v)) out[k] = redact(v);
    else out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '' ? SECRET_MASK : v;
  }
  return out;
}

/** Drop secret leaves a client sent back masked (so they keep their stored value). */
export function dropMaskedSecrets(tree: Tree): Tree {
  const out: Tree = {};
  for (const [k, v] of Object.entries(tree)) {
    if (isTree(v)) out[k] = dropMaskedSecrets(v);
    else if (!(SECRET_KEY.test(k) && v === SECRET_MASK)) out[k] = v;
  }
  return out;
}

export interface Validation { ok: boolean; errors: string[]; config?: AlcoveConfig }

export function validateTree(tree: Tree): Validation {
  const result = validateConfig(tree);
  return result.ok ? { ok: true, errors: [], config: result.config } : { ok: false, errors: result.errors };
}

export async function readOverlay(file: string): Promise<Tree> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  const parsed: unknown = (await loadYaml()).parse(text) ?? {};
  return isTree(parsed) ? parsed : {};
}

/** Atomic replace, owner-only (the overlay may hold API keys). */
export async function writeOverlay(file: string, tree: Tree): Promise<void> {
  const yaml = (await loadYaml()).stringify(tree);
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`# Written by the configuration API; loaded at start above the config file, below ALCOVE_* and flags.\n${yaml}`);
  } finally {
    await handle.close();
  }
  await rename(tmp, file).catch(async (err: unknown) => { await unlink(tmp).catch(() => undefined); throw err; });
}
