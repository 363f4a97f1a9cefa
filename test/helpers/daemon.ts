/**
 * Starts the BUILT daemon (dist/daemon/main.js) on 127.0.0.1 with --port 0 in a temp
 * state dir, waits for readiness, and gives tests a small authenticated HTTP client.
 * Stops only the process it started, by its handle. Requires `npm run build` first
 * (test/run.sh builds before running tap).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO_ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');
export const DAEMON_ENTRY = join(REPO_ROOT, 'dist/daemon/main.js');

export interface DaemonOptions {
  args?: string[];
  env?: Record<string, string>;
  stateDir?: string;
  /** Keep the state dir on stop (restart tests). */
  keepState?: boolean;
  /** Wait for /readyz (default true). */
  waitReady?: boolean;
  timeoutMs?: number;
}

export interface LogLine { level: number; msg: string; [key: string]: unknown }

export interface RunningDaemon {
  port: number;
  baseUrl: string;
  stateDir: string;
  process: ChildProcess;
  logs: LogLine[];
  /** fetch relative to the daemon, with the bearer token when logged in. */
  fetch(path: string, init?: RequestInit & { json?: unknown; token?: string | null }): Promise<Response>;
  /** JSON helper: returns { status, body, headers }. */
  request<T = any>(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: T; headers: Headers }>;
  /** Creates the first admin (if needed) and logs in; sets the default token. */
  loginAdmin(password?: string): Promise<string>;
  token?: string;
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startDaemon(options: DaemonOptions = {}): Promise<RunningDaemon> {
  await access(DAEMON_ENTRY).catch(() => {
    throw new Error(`${DAEMON_ENTRY} is missing: run \`npm run build\` first`);
  });
  const stateDir = options.stateDir ?? await mkdtemp(join(tmpdir(), 'alcove-e2e-'));
  const child = spawn(process.execPath, [DAEMON_ENTRY, '--host', '127.0.0.1', '--port', '0', '--state-dir', stateDir, ...(options.args ?? [])], {
    // mDNS off unless a test turns it on (with its private Avahi): never announce test
    // daemons on a developer machine's real network.
    env: { ...process.env, ALCOVE_LOG_PRETTY: 'false', ALCOVE_LOG_LEVEL: 'debug', ALCOVE_MDNS: 'false', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const waiters = new Set<{ predicate: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>();
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine;
    try { line = JSON.parse(text) as LogLine; } catch { return; }
    logs.push(line);
    for (const w of waiters) if (w.predicate(line)) { waiters.delete(w); w.resolve(line); }
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));

  const waitForLog = (predicate: (line: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> => {
    const found = logs.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((res, rej) => {
      const w = { predicate, resolve: (l: LogLine) => { clearTimeout(timer); res(l); } };
      const timer = setTimeout(() => { waiters.delete(w); rej(new Error(`log line not seen in ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`)); }, timeoutMs);
      waiters.add(w);
      void exited.then((code) => { if (waiters.delete(w)) { clearTimeout(timer); rej(new Error(`daemon exited (${code}) before the log line; stderr: ${stderr.slice(-2000)}; last logs: ${JSON.stringify(logs.slice(-5))}`)); } });
    });
  };

  const listening = await waitForLog((l) => l.msg === 'listening', options.timeoutMs ?? 20_000);
  const port = Number(listening.port);
  const baseUrl = `http://127.0.0.1:${port}`;

  const daemon: RunningDaemon = {
    port, baseUrl, stateDir, process: child, logs, waitForLog,
    async fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      const token = init.token === undefined ? daemon.token : init.token;
      if (token) headers.set('authorization', `Bearer ${token}`);
      let body = init.body;
      if (init.json !== undefined) { body = JSON.stringify(init.json); headers.set('content-type', 'application/json'); }
      return fetch(baseUrl + path, { ...init, headers, body });
    },
    async request(method, path, body, token) {
      const res = await daemon.fetch(path, { method, json: body, token });
      const text = await res.text();
      let parsed: unknown = text;
      try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
      return { status: res.status, body: parsed as any, headers: res.headers };
    },
    async loginAdmin(password = 'admin-password') {
      const check = await daemon.request('GET', '/api/auth/check', undefined, null);
      if (check.body?.setupRequired) {
        const setup = await daemon.request('POST', '/api/auth/setup', { password }, null);
        if (setup.status !== 200) throw new Error(`setup failed: ${setup.status} ${JSON.stringify(setup.body)}`);
      }
      const login = await daemon.request('POST', '/api/auth/login', { password }, null);
      if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
      daemon.token = login.body.token as string;
      return daemon.token;
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      if (!options.keepState && !options.stateDir) await rm(stateDir, { recursive: true, force: true });
      return code;
    },
  };

  if (options.waitReady !== false) {
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    for (;;) {
      const res = await fetch(`${baseUrl}/readyz`).catch(() => undefined);
      if (res?.status === 200) break;
      if (Date.now() > deadline) throw new Error('daemon not ready in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return daemon;
}

/** Polls `fn` until it returns a truthy value (or throws after timeoutMs). */
export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) { last = err; }
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
