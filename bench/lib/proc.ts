/**
 * Process helpers for benchmarks. Every process a benchmark starts goes through
 * `startProcess`, which records its PID in a registry; `stopAll` (called by run.ts on exit
 * and on SIGINT) signals exactly those PIDs and nothing else. Never select processes by
 * name or port: other work shares the machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInterface } from 'node:readline';

export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Keep at least the last N output lines (stdout and stderr together; up to 2N are held,
   * trimmed in one splice per N lines: a daemon's access log under wrk is ~50,000 lines/s,
   * and trimming one line at a time moved the whole array per line); default 2000.
   */
  keepLines?: number;
  /** Echo output to our stderr (debugging). */
  echo?: boolean;
}

/** A started process: its PID, its recent output lines, and a way to stop it. */
export interface Started {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** performance.now() right before spawn. */
  readonly startedAt: number;
  readonly lines: string[];
  /** Resolves with the exit code (or signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** Resolves with the first line (already seen or future) that matches. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const registry = new Set<Started>();

export function startProcess(name: string, cmd: string, args: readonly string[], options: StartOptions = {}): Started {
  const keep = options.keepLines ?? 2000;
  const startedAt = performance.now();
  const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
  const lines: string[] = [];
  const waiters = new Set<{ match: (l: string) => boolean; resolve: (l: string) => void }>();
  const onLine = (line: string): void => {
    if (options.echo) process.stderr.write(`[${name}] ${line}\n`);
    lines.push(line);
    if (lines.length >= 2 * keep) lines.splice(0, lines.length - keep);
    for (const w of waiters) if (w.match(line)) { waiters.delete(w); w.resolve(line); }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => { done = true; registry.delete(started); resolve(code ?? signal ?? 'unknown'); });
    child.once('error', () => { done = true; registry.delete(started); resolve('spawn-error'); });
  });
  const started: Started = {
    name, pid: child.pid, child, startedAt, lines, exited,
    waitForLine(match, timeoutMs) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const w = { match, resolve: (l: string) => { clearTimeout(timer); resolve(l); } };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`${name}: no matching output line within ${timeoutMs} ms; last lines:\n${lines.slice(-15).join('\n')}`));
        }, timeoutMs);
        waiters.add(w);
        void exited.then((code) => {
          if (!waiters.has(w)) return;
          waiters.delete(w); clearTimeout(timer);
          reject(new Error(`${name} exited (${code}) before the expected output; last lines:\n${lines.slice(-15).join('\n')}`));
        });
      });
    },
    async stop(graceMs = 5000) {
      if (done) return;
      try { process.kill(child.pid!, 'SIGTERM'); } catch { /* already gone */ }
      const timer = setTimeout(() => { try { process.kill(child.pid!, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  registry.add(started);
  return started;
}

/** Stop every process this run started (by recorded PID), in parallel. */
export async function stopAll(): Promise<void> {
  await Promise.all([...registry].map((p) => p.stop(2000)));
}

/** Synchronous last resort for process 'exit': SIGKILL the recorded PIDs. */
export function killAllNow(): void {
  for (const p of registry) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
}

export interface RunResult { code: number | string; stdout: string; stderr: string; ms: number }

/** Run a command to completion (registered like any other process, so it is stopped on abort). */
export async function run(cmd: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; check?: boolean } = {}): Promise<RunResult> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = ''; let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const pseudo = { name: cmd, pid: child.pid ?? -1, stop: async () => { try { child.kill('SIGKILL'); } catch { /* gone */ } } } as unknown as Started;
  if (child.pid !== undefined) registry.add(pseudo);
  const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
  const code = await new Promise<number | string>((resolve) => {
    child.once('close', (c, s) => resolve(c ?? s ?? 'unknown'));
    child.once('error', (e) => { stderr += String(e); resolve('spawn-error'); });
  });
  if (timer) clearTimeout(timer);
  registry.delete(pseudo);
  const result = { code, stdout, stderr, ms: performance.now() - t0 };
  if ((options.check ?? true) && code !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${code}): ${stderr.slice(-2000) || stdout.slice(-2000)}`);
  }
  return result;
}

/** Absolute path of an executable on PATH (also /usr/sbin, /sbin), or undefined. */
export async function which(cmd: string): Promise<string | undefined> {
  const { access, constants } = await import('node:fs/promises');
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    try { await access(`${dir}/${cmd}`, constants.X_OK); return `${dir}/${cmd}`; } catch { /* next */ }
  }
  return undefined;
}

/** Resident set size of a process in bytes (VmRSS from /proc). */
export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** RSS split (bytes): anonymous (heap, stacks), file-backed (code, mmapped files such as LMDB), shared memory. */
export async function rssBreakdown(pid: number): Promise<{ total: number; anon: number; file: number; shmem: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { total: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem') };
}

/** Poll `check` until it returns a value other than undefined/false, or time out. */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, intervalMs = 50): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** A free TCP port on 127.0.0.1 (for servers that cannot report the port they bound). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
