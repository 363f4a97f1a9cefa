/**
 * A private Apache mod_dav server on 127.0.0.1 for WebDAV tests and benchmarks.
 *
 *   const server = await startApacheWebdav();
 *   server.url            // 'webdav://127.0.0.1:<port>/dav' (credential-free)
 *   await server.seed('dir/a b.txt', 'x')   // backdoor: straight onto the served disk
 *   server.pause() / resume() / kill()      // SIGSTOP / SIGCONT / SIGKILL (fault tests)
 *   await server.stop()
 *
 * Config, pid file, mutexes, lock DB, logs and the served tree live in one temp dir.
 * Basic auth with an apr1 htpasswd (`htpasswd -m`; bcrypt would add ~2.5 ms a request).
 * The access log records each request's Range header so tests can prove ranges were
 * really sent. mpm_event runs one parent and one child process (ServerLimit 1); both are
 * signalled by PID: the parent's from spawn, the child's from /proc (its PPID), never by
 * name or port. Run as root, Apache's workers switch to www-data, so the served tree and
 * everything `seed` writes is owned by that user.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
// Sync /proc reads: signalling must happen right when pause()/kill() is called; they are tiny.
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/ports.js';

export interface ApacheWebdavOptions {
  user?: string;
  password?: string;
  /** URL path the share is served under (default '/dav'). */
  prefix?: string;
  /** KeepAliveTimeout in seconds (default 5, Apache's own default). */
  keepAliveTimeout?: number;
}

export interface ApacheWebdav {
  port: number;
  /** The served directory on disk. */
  root: string;
  user: string;
  password: string;
  /** PID of the Apache parent process. */
  pid: number;
  prefix: string;
  /** Credential-free adapter URL of the served root. */
  url: string;
  /** Path of the access log ('%h %u "%r" %>s %b %O "%{Range}i"': %O = bytes really sent, headers included). */
  accessLog: string;
  readAccessLog(): Promise<string>;
  /** Write a file (creating parents) on disk, owned by the server's user. */
  seed(rel: string, data: Buffer | string): Promise<void>;
  /** Create a directory (and parents) on disk, owned by the server's user. */
  mkdir(rel: string): Promise<void>;
  stop(): Promise<void>;
  /** SIGSTOP every server process: connections are accepted by the kernel, never answered. */
  pause(): void;
  resume(): void;
  /** SIGKILL every server process (a crash); stop() still cleans up. */
  kill(): void;
}

const MODULES = ['mpm_event', 'authz_core', 'authn_core', 'authn_file', 'auth_basic', 'authz_user', 'mime', 'dav', 'dav_fs'];
const MODULE_DIR = '/usr/lib/apache2/modules';

export async function startApacheWebdav(opts: ApacheWebdavOptions = {}): Promise<ApacheWebdav> {
  await requireBinary('apache2', 'apache2');
  await requireBinary('htpasswd', 'apache2-utils');
  const user = opts.user ?? 'alcove';
  const password = opts.password ?? 'Wd-S3cret!pw@1';
  const prefix = opts.prefix ?? '/dav';
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alcove-apache-'));
  // The share is a folder of the DocumentRoot named like the prefix (no mod_alias needed).
  if (!/^\/[A-Za-z0-9._-]+$/.test(prefix)) throw new Error(`prefix must be one plain segment: ${prefix}`);
  const root = path.join(dir, 'www', prefix.slice(1));
  const run = path.join(dir, 'run');
  const lockDir = path.join(dir, 'davlock');
  await Promise.all([fs.mkdir(root, { recursive: true }), fs.mkdir(run), fs.mkdir(lockDir)]);
  const owner = await serverOwner();
  if (owner) {
    await fs.chown(dir, 0, 0);
    await fs.chmod(dir, 0o755);
    await fs.chown(root, owner.uid, owner.gid);
    await fs.chown(lockDir, owner.uid, owner.gid);
  }
  await htpasswd(path.join(dir, 'htpasswd'), user, password);

  let lastErr: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const conf = path.join(dir, 'httpd.conf');
    await fs.writeFile(conf, config({ dir, root, run, lockDir, port, prefix, owner: owner?.name, keepAlive: opts.keepAliveTimeout ?? 5 }));
    const child = spawn('apache2', ['-f', conf, '-DFOREGROUND'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    try {
      await waitListening(port, child, 5000);
    } catch (err) {
      lastErr = new Error(`apache2 did not start: ${(err as Error).message}\n${stderr}${await fs.readFile(path.join(dir, 'error.log'), 'utf8').catch(() => '')}`);
      child.kill('SIGKILL');
      continue;
    }
    return handle({ dir, root, port, user, password, prefix, child, owner });
  }
  await fs.rm(dir, { recursive: true, force: true });
  throw lastErr;
}

interface Owner { name: string; uid: number; gid: number }

function handle(h: { dir: string; root: string; port: number; user: string; password: string; prefix: string; child: ChildProcess; owner?: Owner }): ApacheWebdav {
  const pid = h.child.pid as number;
  const exited = new Promise<void>((resolve) => h.child.once('exit', () => resolve()));
  const signalAll = (sig: NodeJS.Signals, childrenFirst: boolean): void => {
    const kids = childPids(pid);
    const order = childrenFirst ? [...kids, pid] : [pid, ...kids];
    for (const p of order) {
      try { process.kill(p, sig); } catch { /* already gone */ }
    }
  };
  const chown = async (p: string): Promise<void> => {
    if (h.owner) await fs.chown(p, h.owner.uid, h.owner.gid);
  };
  const mkdirs = async (rel: string): Promise<void> => {
    let cur = h.root;
    for (const seg of rel.split('/').filter(Boolean)) {
      cur = path.join(cur, seg);
      try {
        await fs.mkdir(cur);
        await chown(cur);
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST') throw err;
      }
    }
  };
  const accessLog = path.join(h.dir, 'access.log');
  // A test or bench that crashes must not leave Apache running (sync kill in 'exit').
  const onExit = (): void => signalAll('SIGKILL', false);
  process.once('exit', onExit);
  return {
    port: h.port, root: h.root, user: h.user, password: h.password, pid, prefix: h.prefix,
    url: `webdav://127.0.0.1:${h.port}${h.prefix}`,
    accessLog,
    readAccessLog: () => fs.readFile(accessLog, 'utf8').catch(() => ''),
    seed: async (rel, data) => {
      await mkdirs(path.posix.dirname(rel));
      const abs = path.join(h.root, rel);
      await fs.writeFile(abs, data);
      await chown(abs);
    },
    mkdir: mkdirs,
    pause: () => signalAll('SIGSTOP', false),
    resume: () => signalAll('SIGCONT', true),
    kill: () => signalAll('SIGKILL', false),
    stop: async () => {
      process.off('exit', onExit);
      signalAll('SIGCONT', true);
      if (h.child.exitCode === null && h.child.signalCode === null) {
        const kids = childPids(pid);
        try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
        const timer = setTimeout(() => signalAll('SIGKILL', false), 3000);
        await exited;
        clearTimeout(timer);
        for (const k of kids) {
          try { process.kill(k, 'SIGKILL'); } catch { /* gone with the parent */ }
        }
      }
      await fs.rm(h.dir, { recursive: true, force: true });
    },
  };
}

function config(c: { dir: string; root: string; run: string; lockDir: string; port: number; prefix: string; owner?: string; keepAlive: number }): string {
  const q = (s: string): string => `"${s.replace(/"/g, '\\"')}"`;
  return [
    `ServerRoot ${q(c.dir)}`,
    `Listen 127.0.0.1:${c.port}`,
    'ServerName 127.0.0.1',
    `PidFile ${q(path.join(c.run, 'httpd.pid'))}`,
    `Mutex file:${c.run} default`,
    `DefaultRuntimeDir ${q(c.run)}`,
    `ErrorLog ${q(path.join(c.dir, 'error.log'))}`,
    'LogLevel warn',
    ...(c.owner ? [`User ${c.owner}`, `Group ${c.owner}`] : []),
    ...MODULES.map((m) => `LoadModule ${m}_module ${MODULE_DIR}/mod_${m}.so`),
    'TypesConfig /etc/mime.types',
    'StartServers 1', 'ServerLimit 1', 'ThreadLimit 64', 'ThreadsPerChild 64', 'MaxRequestWorkers 64',
    'MinSpareThreads 1', 'MaxSpareThreads 64',
    'KeepAlive On', `KeepAliveTimeout ${c.keepAlive}`, 'MaxKeepAliveRequests 0',
    `DavLockDB ${q(path.join(c.lockDir, 'lockdb'))}`,
    // %b: body size Apache meant to send; %O (mod_logio, built in): bytes really sent.
    'LogFormat "%h %u \\"%r\\" %>s %b %O \\"%{Range}i\\"" alcove',
    `CustomLog ${q(path.join(c.dir, 'access.log'))} alcove`,
    `DocumentRoot ${q(path.join(c.dir, 'www'))}`,
    `<Directory ${q(c.root)}>`,
    '  Dav On',
    '  AuthType Basic',
    '  AuthName "alcove"',
    '  AuthBasicProvider file',
    `  AuthUserFile ${q(path.join(c.dir, 'htpasswd'))}`,
    '  Require valid-user',
    '</Directory>',
    '',
  ].join('\n');
}

/** Who Apache's workers run as: www-data when we are root (Apache refuses root), else nobody changes. */
async function serverOwner(): Promise<Owner | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = await fs.readFile('/etc/passwd', 'utf8');
  for (const name of ['www-data', 'nobody']) {
    const line = passwd.split('\n').find((l) => l.startsWith(`${name}:`));
    const parts = line?.split(':');
    if (parts) return { name, uid: Number(parts[2]), gid: Number(parts[3]) };
  }
  throw new Error('no www-data or nobody user to run Apache workers as');
}

async function htpasswd(file: string, user: string, password: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    // -i: password on stdin, so it never shows in a process listing.
    const p = spawn('htpasswd', ['-c', '-i', '-m', file, user], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`htpasswd failed: ${err}`))));
    p.stdin?.end(password);
  });
}

/** PIDs whose parent is `ppid` (from /proc; Linux). */
function childPids(ppid: number): number[] {
  const out: number[] = [];
  let names: string[] = [];
  try {
    names = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const stat = readProcStat(n);
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces or ')'.
    const rest = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest && Number(rest[1]) === ppid) out.push(Number(n));
  }
  return out;
}

function readProcStat(pid: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
}


async function waitListening(port: number, child: ChildProcess, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error('not listening in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function requireBinary(bin: string, pkg: string): Promise<void> {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin']);
  for (const d of dirs) {
    try {
      await fs.access(path.join(d, bin), fs.constants.X_OK);
      return;
    } catch { /* next */ }
  }
  throw new Error(`${bin} not found: install the Debian package '${pkg}' (apt-get install -y ${pkg})`);
}
