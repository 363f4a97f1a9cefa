/**
 * Launcher for the built daemon (dist/daemon/main.js) on 127.0.0.1 with a port the OS picks,
 * started through packaging/alcoved as users run it. It reads the daemon's JSON log lines: the
 * 'listening' line gives the port; /readyz is polled until 200. Times are measured from just
 * before spawn. Stopped by its PID.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { rssBytes, startProcess, waitUntil, type Started } from './proc.js';

export interface LibrarySpec { name: string; path: string; type?: string }

export interface DaemonOptions {
  stateDir: string;
  libraries?: LibrarySpec[];
  env?: Record<string, string>;
  extraArgs?: string[];
  /** Log level for the daemon (default info: needed for 'listening' and 'scan finished'). */
  logLevel?: string;
  readyTimeoutMs?: number;
}

export interface LogRecord { msg?: string; [k: string]: unknown }

export interface RunningDaemon {
  proc: Started;
  port: number;
  baseUrl: string;
  /** ms from spawn to the 'listening' log line and to the first /readyz 200. */
  listeningMs: number;
  readyMs: number;
  /** Parsed JSON log records seen so far. */
  records(): LogRecord[];
  /** Wait for a log record matching `match` (already seen or future). */
  waitForRecord(match: (r: LogRecord) => boolean, timeoutMs: number): Promise<LogRecord>;
  rss(): Promise<number>;
  stop(): Promise<void>;
}

export function daemonEntry(repoRoot: string): string {
  return join(repoRoot, 'dist', 'daemon', 'main.js');
}

/** packaging/alcoved: the launcher the packages, `npm start` and the quick start use. */
export function launcherPath(repoRoot: string): string {
  return join(repoRoot, 'packaging', 'alcoved');
}

export async function daemonBuilt(repoRoot: string): Promise<boolean> {
  try { await access(daemonEntry(repoRoot)); return true; } catch { return false; }
}

function parse(line: string): LogRecord | undefined {
  if (!line.startsWith('{')) return undefined;
  try { return JSON.parse(line) as LogRecord; } catch { return undefined; }
}

export async function startDaemon(repoRoot: string, o: DaemonOptions): Promise<RunningDaemon> {
  const entry = daemonEntry(repoRoot);
  if (!(await daemonBuilt(repoRoot))) throw new Error(`daemon not built: ${entry} is missing (npm run build)`);
  // Through the launcher users run (packaging/alcoved: allocator settings), on this node.
  const args = ['--host', '127.0.0.1', '--port', '0', '--state-dir', o.stateDir];
  for (const lib of o.libraries ?? []) args.push('--library', `${lib.name}=${lib.path}${lib.type ? `:${lib.type}` : ''}`);
  args.push(...(o.extraArgs ?? []));
  const env = { ...process.env, ALCOVE_NODE: process.execPath, ALCOVE_LOG_LEVEL: o.logLevel ?? 'info', ALCOVE_LOG_PRETTY: 'false', ...o.env };
  const proc = startProcess('alcoved', launcherPath(repoRoot), args, { cwd: repoRoot, env, keepLines: 20_000 });
  const timeout = o.readyTimeoutMs ?? 60_000;
  try {
    const line = await proc.waitForLine((l) => parse(l)?.msg === 'listening', timeout);
    const listeningMs = performance.now() - proc.startedAt;
    const port = Number(parse(line)?.port);
    if (!Number.isInteger(port) || port <= 0) throw new Error(`no port in the 'listening' line: ${line}`);
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitUntil('/readyz 200', async () => {
      try { const r = await fetch(`${baseUrl}/readyz`); await r.arrayBuffer(); return r.status === 200; } catch { return false; }
    }, timeout, 5);
    const readyMs = performance.now() - proc.startedAt;
    return {
      proc, port, baseUrl, listeningMs, readyMs,
      records: () => proc.lines.map(parse).filter((r): r is LogRecord => r !== undefined),
      waitForRecord: async (match, ms) => parse(await proc.waitForLine((l) => { const r = parse(l); return r !== undefined && match(r); }, ms))!,
      rss: () => rssBytes(proc.pid),
      stop: () => proc.stop(10_000),
    };
  } catch (err) {
    await proc.stop(2000);
    throw err;
  }
}

/** Set up the first admin (ignored when already set up) and log in; returns a Bearer token. */
export async function loginToken(baseUrl: string, password = 'bench-password-1'): Promise<string> {
  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const setup = await post('/api/auth/setup', { password });
  await setup.arrayBuffer();
  const login = await post('/api/auth/login', { password });
  const json = (await login.json()) as { token?: string };
  if (login.status !== 200 || typeof json.token !== 'string') throw new Error(`login failed: ${login.status} ${JSON.stringify(json)}`);
  return json.token;
}
