/**
 * Finding the daemon: `--url` as given, or the daemon running on a state dir, found through
 * the runtime file it writes once listening (<stateDir>/daemon.json: {pid, port, host,
 * startedAt}) and the local admin token (<stateDir>/admin.token, 0600, written once an
 * admin exists). Reading the token needs the daemon's user (or root): that file is the
 * local admin's key, so the TUI never asks for a password on the daemon's own machine.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface Target {
  baseUrl: string;
  /** The local admin token, when the state dir has one the user could read. */
  token?: string;
  /** Why no token was used (shown before the login prompt). */
  tokenNote?: string;
  /** Local mode only. */
  stateDir?: string;
}

export class ConnectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectError';
  }
}

interface RuntimeFile { pid: number; port: number; host?: string; startedAt?: string }

/** The URL a local client uses for a bind address: wildcard binds are reached on loopback. */
export function localUrl(host: string | undefined, port: number): string {
  const h = !host || host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user (the daemon's service account).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function resolveTarget(options: { stateDir: string; url?: string }): Promise<Target> {
  if (options.url) {
    if (!/^https?:\/\/[^/]+/.test(options.url)) throw new ConnectError(`--url must look like http://host:port (got '${options.url}')`);
    return { baseUrl: options.url.replace(/\/+$/, '') };
  }
  const stateDir = resolve(options.stateDir);
  let runtime: RuntimeFile;
  try {
    runtime = JSON.parse(await readFile(join(stateDir, 'daemon.json'), 'utf8')) as RuntimeFile;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConnectError(`no daemon is running on ${stateDir} (no daemon.json); start alcoved or use --url`);
    if (code === 'EACCES') throw new ConnectError(`cannot read ${join(stateDir, 'daemon.json')}: run as the daemon's user, or use --url`);
    throw new ConnectError(`cannot read ${join(stateDir, 'daemon.json')}: ${(err as Error).message}`);
  }
  if (!Number.isInteger(runtime.port) || runtime.port <= 0) throw new ConnectError(`${join(stateDir, 'daemon.json')} has no port`);
  if (Number.isInteger(runtime.pid) && !alive(runtime.pid)) {
    throw new ConnectError(`the daemon of ${stateDir} (pid ${runtime.pid}) is not running; start alcoved or use --url`);
  }
  return { baseUrl: localUrl(runtime.host, runtime.port), stateDir, ...(await readLocalToken(stateDir)) };
}

/** The state dir's admin.token, or why there is none. */
export async function readLocalToken(stateDir: string): Promise<{ token?: string; tokenNote?: string }> {
  try {
    const token = (await readFile(join(stateDir, 'admin.token'), 'utf8')).trim();
    return token ? { token } : { tokenNote: 'admin.token is empty' };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { tokenNote: code === 'ENOENT' ? 'no admin.token in the state dir' : `admin.token not readable (${code ?? 'error'})` };
  }
}
