/**
 * Finds ffmpeg and ffprobe once per process.
 *
 * Order, per tool: an explicitly configured path (config `media.ffmpegPath` /
 * `media.ffprobePath`; it must work, there is no silent fallback), then the system binary
 * found on PATH (Debian's ffmpeg has the hardware encoders), then the static builds bundled
 * by @ffmpeg-installer/@ffprobe-installer.
 *
 * The bundled ffprobe ships as mode 644 and its postinstall only sets u+x, so a daemon
 * running as another user than the installer gets EACCES: we chmod a+x when we may, else
 * fail with a message that says what to do.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, chmod, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../log/logger.js';

const run = promisify(execFile);

export interface ToolInfo {
  path: string;
  version: string;
  source: 'system' | 'bundled' | 'config';
}

export interface MediaTools {
  ffmpeg: ToolInfo;
  ffprobe: ToolInfo;
}

export interface LocateOptions {
  ffmpegPath?: string;
  ffprobePath?: string;
  /**
   * Prefer the bundled static ffprobe over the system one. Debian's dynamically linked
   * ffprobe spends 85-125 ms starting, the static one 4-7 ms: worth it for big scans.
   */
  preferBundledFfprobe?: boolean;
  /** PATH to search (tests); default process.env.PATH. */
  searchPath?: string;
  /** Paths of the bundled binaries (tests); default resolved from node_modules. */
  bundled?: { ffmpeg?: string; ffprobe?: string };
}

type ToolName = 'ffmpeg' | 'ffprobe';

const cache = new Map<string, Promise<MediaTools>>();

/** Locate both tools (cached per distinct options). Rejects with a clear message. */
export function locateMediaTools(logger?: Logger, options: LocateOptions = {}): Promise<MediaTools> {
  const key = JSON.stringify(options);
  let p = cache.get(key);
  if (!p) {
    p = locate(options, logger?.child({ component: 'media' }));
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

async function locate(options: LocateOptions, log: Logger | undefined): Promise<MediaTools> {
  const [ffmpeg, ffprobe] = await Promise.all([
    locateOne('ffmpeg', options.ffmpegPath, false, options),
    locateOne('ffprobe', options.ffprobePath, options.preferBundledFfprobe ?? false, options),
  ]);
  log?.info({ ffmpeg, ffprobe }, 'media tools located');
  return { ffmpeg, ffprobe };
}

async function locateOne(name: ToolName, configured: string | undefined, preferBundled: boolean, options: LocateOptions): Promise<ToolInfo> {
  if (configured) {
    if (!(await isExecutable(configured))) {
      throw new Error(`configured ${name} path ${configured} is not an executable file`);
    }
    return { path: configured, version: await versionOf(configured, name), source: 'config' };
  }
  const system = async (): Promise<ToolInfo | undefined> => {
    const found = await findOnPath(name, options.searchPath ?? process.env.PATH ?? '');
    return found ? { path: found, version: await versionOf(found, name), source: 'system' } : undefined;
  };
  const bundled = async (): Promise<ToolInfo | undefined> => {
    const path = options.bundled?.[name] ?? resolveBundled(name);
    if (!path) return undefined;
    await ensureExecutable(path, name);
    return { path, version: await versionOf(path, name), source: 'bundled' };
  };
  const order = preferBundled ? [bundled, system] : [system, bundled];
  const errors: string[] = [];
  for (const attempt of order) {
    try {
      const info = await attempt();
      if (info) return info;
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  throw new Error(`${name} not found: install ffmpeg (Debian: apt-get install -y ffmpeg) or set media.${name}Path`
    + (errors.length ? ` (${errors.join('; ')})` : ''));
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    const st = await stat(path);
    if (!st.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findOnPath(name: string, searchPath: string): Promise<string | undefined> {
  for (const dir of searchPath.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function resolveBundled(name: ToolName): string | undefined {
  const require = createRequire(import.meta.url);
  const pkg = `@${name}-installer/${process.platform}-${process.arch}/${name}`;
  try {
    return require.resolve(pkg);
  } catch {
    return undefined;
  }
}

/**
 * Make a bundled binary executable for everyone (the daemon may run as another user than
 * the one who ran npm install). Throws a clear error when we cannot.
 */
export async function ensureExecutable(path: string, name: string): Promise<void> {
  const st = await stat(path);
  const uid = process.getuid?.();
  if ((st.mode & 0o111) !== 0o111 && (uid === 0 || uid === st.uid)) {
    try {
      await chmod(path, (st.mode & 0o7777) | 0o111);
    } catch { /* fall through to the access check, which says what is wrong */ }
  }
  try {
    await access(path, constants.X_OK);
  } catch {
    throw new Error(`bundled ${name} at ${path} is not executable by uid ${uid ?? '?'} (mode ${(st.mode & 0o777).toString(8)}): `
      + `run "chmod a+x ${path}" or set media.${name}Path`);
  }
}

/** First line of `-version`, e.g. "ffmpeg version 5.1.9-0+deb12u1 ..." -> "5.1.9-0+deb12u1". */
export function parseVersion(output: string): string {
  const m = /version\s+(\S+)/.exec(output);
  return m ? m[1] : 'unknown';
}

async function versionOf(path: string, name: string): Promise<string> {
  try {
    const { stdout } = await run(path, ['-version'], { timeout: 10_000, maxBuffer: 1 << 20 });
    return parseVersion(stdout);
  } catch (err) {
    throw new Error(`${name} at ${path} does not run: ${(err as Error).message.split('\n')[0]}`);
  }
}
