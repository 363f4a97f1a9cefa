/**
 * Builds the frozen configuration from defaults, an optional YAML file, ALCOVE_* environment
 * variables and command-line flags (in rising precedence). Errors name the offending key
 * and the source it came from, e.g. `server.port: expected number (from ALCOVE_PORT)`.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_STATE_DIR, validateConfig, type AlcoveConfig, type LibrarySeed } from './schema.js';
import { LIBRARY_TYPES } from '../domain/types.js';
import { derivePaths } from './paths.js';
import { loadYaml } from './yaml.js';

export class ConfigError extends Error {
  constructor(message: string) { super(message); this.name = 'ConfigError'; }
}

type Tree = Record<string, unknown>;

/** Environment variable -> config key path, and how to parse the string. */
const ENV_KEYS: Record<string, { key: string; kind: 'string' | 'int' | 'bool' | 'list' }> = {
  ALCOVE_HOST: { key: 'server.host', kind: 'string' },
  ALCOVE_PORT: { key: 'server.port', kind: 'int' },
  ALCOVE_NAME: { key: 'server.name', kind: 'string' },
  ALCOVE_STATE_DIR: { key: 'stateDir', kind: 'string' },
  ALCOVE_CACHE_DIR: { key: 'cacheDir', kind: 'string' },
  ALCOVE_LOG_LEVEL: { key: 'log.level', kind: 'string' },
  ALCOVE_LOG_PRETTY: { key: 'log.pretty', kind: 'bool' },
  ALCOVE_REGISTRATION: { key: 'auth.registration', kind: 'string' },
  ALCOVE_SESSION_TTL_HOURS: { key: 'auth.sessionTtlHours', kind: 'int' },
  ALCOVE_SCAN_ON_STARTUP: { key: 'scan.onStartup', kind: 'bool' },
  ALCOVE_SCAN_WATCH: { key: 'scan.watch', kind: 'bool' },
  ALCOVE_FFMPEG: { key: 'media.ffmpegPath', kind: 'string' },
  ALCOVE_FFPROBE: { key: 'media.ffprobePath', kind: 'string' },
  ALCOVE_TMDB_URL: { key: 'metadata.tmdbUrl', kind: 'string' },
  ALCOVE_TMDB_API_KEY: { key: 'metadata.tmdbApiKey', kind: 'string' },
  ALCOVE_LIBRARIES: { key: 'libraries', kind: 'list' },
  ALCOVE_MDNS: { key: 'mdns.enabled', kind: 'bool' },
  ALCOVE_OPENSUBTITLES_API_KEY: { key: 'subtitles.opensubtitlesApiKey', kind: 'string' },
  ALCOVE_OPENSUBTITLES_URL: { key: 'subtitles.opensubtitlesUrl', kind: 'string' },
};

export interface LoadedConfig {
  config: Readonly<AlcoveConfig>;
  /** The config file actually read, if any. */
  file?: string;
}

/**
 * `--library NAME=PATH[:TYPE]`. PATH may itself contain ':' only when TYPE is given
 * explicitly as the last ':'-separated part and is a known type.
 */
export function parseLibraryFlag(value: string, types: readonly string[]): LibrarySeed {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--library ${value}: expected NAME=PATH[:TYPE]`);
  const name = value.slice(0, eq).trim();
  let path = value.slice(eq + 1);
  let type = 'mixed';
  const colon = path.lastIndexOf(':');
  if (colon > 0 && types.includes(path.slice(colon + 1))) {
    type = path.slice(colon + 1);
    path = path.slice(0, colon);
  }
  if (!path) throw new ConfigError(`--library ${value}: PATH is empty`);
  return { name, path, type } as LibrarySeed;
}

function setPath(tree: Tree, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Tree;
  }
  node[parts[parts.length - 1]] = value;
}

function parseEnvValue(name: string, raw: string, kind: 'string' | 'int' | 'bool' | 'list', types: readonly string[]): unknown {
  switch (kind) {
    case 'string': return raw;
    case 'int': {
      if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name}: expected an integer, got "${raw}"`);
      return Number(raw);
    }
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw new ConfigError(`${name}: expected true/false, got "${raw}"`);
    }
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean).map((s) => parseLibraryFlag(s, types));
  }
}

function mergeInto(target: Tree, source: Tree): void {
  for (const [k, v] of Object.entries(source)) {
    const cur = target[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) mergeInto(cur as Tree, v as Tree);
    else target[k] = v;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

export interface LoadOptions {
  argv?: string[];
  env?: NodeJS.ProcessEnv;
}

export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  let flags;
  try {
    flags = parseArgs({
      args: options.argv ?? process.argv.slice(2),
      options: {
        config: { type: 'string', short: 'c' },
        host: { type: 'string' },
        port: { type: 'string', short: 'p' },
        'state-dir': { type: 'string' },
        'cache-dir': { type: 'string' },
        'log-level': { type: 'string' },
        library: { type: 'string', multiple: true },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }

  const tree: Tree = {};
  const file = flags.config ?? env.ALCOVE_CONFIG;
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`config file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = (await loadYaml()).parse(text) ?? {};
    } catch (err) {
      throw new ConfigError(`config file ${file}: invalid YAML: ${(err as Error).message}`);
    }
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`config file ${file}: expected a mapping at the top level`);
    Object.assign(tree, parsed);
  }

  // The overlay written by the configuration API (<stateDir>/config.override.yaml) sits
  // above the config file and below ALCOVE_* and flags; it cannot move the state itself.
  const stateDir = flags['state-dir'] ?? (env.ALCOVE_STATE_DIR || undefined) ?? (typeof tree.stateDir === 'string' ? tree.stateDir : undefined)
    ?? DEFAULT_STATE_DIR;
  const overlayFile = derivePaths(stateDir).configOverrideFile;
  let overlayText: string | undefined;
  try {
    overlayText = await readFile(overlayFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`config overlay ${overlayFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (overlayText !== undefined) {
    let overlay: unknown;
    try {
      overlay = (await loadYaml()).parse(overlayText) ?? {};
    } catch (err) {
      throw new ConfigError(`config overlay ${overlayFile}: invalid YAML: ${(err as Error).message}`);
    }
    if (typeof overlay === 'object' && overlay !== null && !Array.isArray(overlay)) {
      const { stateDir: _s, cacheDir: _c, ...rest } = overlay as Tree;
      mergeInto(tree, rest);
    }
  }

  for (const [name, spec] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') setPath(tree, spec.key, parseEnvValue(name, raw, spec.kind, LIBRARY_TYPES));
  }

  if (flags.host !== undefined) setPath(tree, 'server.host', flags.host);
  if (flags.port !== undefined) {
    if (!/^\d+$/.test(flags.port)) throw new ConfigError(`--port: expected an integer 0..65535, got "${flags.port}"`);
    setPath(tree, 'server.port', Number(flags.port));
  }
  if (flags['state-dir'] !== undefined) setPath(tree, 'stateDir', flags['state-dir']);
  if (flags['cache-dir'] !== undefined) setPath(tree, 'cacheDir', flags['cache-dir']);
  if (flags['log-level'] !== undefined) setPath(tree, 'log.level', flags['log-level']);
  if (flags.library?.length) {
    const fromFlags = flags.library.map((v) => parseLibraryFlag(v, LIBRARY_TYPES));
    const existing = Array.isArray(tree.libraries) ? tree.libraries as LibrarySeed[] : [];
    setPath(tree, 'libraries', [...existing, ...fromFlags]);
  }

  const result = validateConfig(tree);
  if (!result.ok) throw new ConfigError(`invalid configuration${file ? ` (${file})` : ''}: ${result.errors.join('; ')}`);
  return { config: deepFreeze(result.config), file };
}
