/**
 * A private Samba (smbd) for tests and benchmarks: 127.0.0.1 on a free high port, every
 * state path under a temp dir, one share ('media' by default) served from `root`, one user.
 *
 *   const srv = await startSamba();            // { port, root, user, password, pid, share }
 *   ...
 *   await srv.stop();                          // kills the process group it started
 *
 * smbd forks a child per connection, so pause()/resume()/kill() signal smbd's whole
 * process group (smbd runs under setsid, so the group is exactly the one we started and
 * its leader is the recorded PID). `security` lets a test demand SMB signing or SMB3.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../helpers/ports.js';
export { freePort };

const run = promisify(execFile);

export interface SambaOptions {
  /** Share name (default 'media'). */
  share?: string;
  /** Serve this directory instead of a fresh one (not removed by stop()). */
  root?: string;
  user?: string;
  password?: string;
  /** Comment of the share (listed by share enumeration). */
  comment?: string;
  /** 'signing': `server signing = mandatory`; 'smb3': `server min protocol = SMB3`. */
  security?: 'signing' | 'smb3';
  /** Fixed port (default: a free one). */
  port?: number;
}

export interface SambaServer {
  port: number;
  root: string;
  share: string;
  user: string;
  password: string;
  pid: number;
  comment: string;
  stop(): Promise<void>;
  /** SIGSTOP the server (and its per-connection children). */
  pause(): void;
  resume(): void;
  /** SIGKILL the server group now (a crash); stop() still cleans up. */
  kill(): void;
  /** Start smbd again on the same port, root and state (after kill()). */
  restart(): Promise<void>;
}

export async function startSamba(opts: SambaOptions = {}): Promise<SambaServer> {
  const smbd = await which('smbd');
  const smbpasswd = await which('smbpasswd');
  if (!smbd || !smbpasswd) throw new Error('smbd/smbpasswd not found: apt-get install -y samba smbclient');
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'alcove-samba-'));
  const root = opts.root ?? path.join(base, 'share');
  await fs.mkdir(root, { recursive: true });
  const state = path.join(base, 'state');
  for (const d of ['private', 'lock', 'state', 'cache', 'pid', 'ncalrpc', 'log']) await fs.mkdir(path.join(state, d), { recursive: true });
  const share = opts.share ?? 'media';
  const user = opts.user ?? 'alcovesmb';
  const password = opts.password ?? 'S3cret-pw!42';
  const comment = opts.comment ?? 'Alcove test share';
  const port = opts.port ?? (await freePort());
  const owner = os.userInfo().username;
  const conf = path.join(base, 'smb.conf');
  const lines = [
    '[global]',
    'server role = standalone server',
    'interfaces = 127.0.0.1',
    'bind interfaces only = yes',
    `smb ports = ${port}`,
    'disable netbios = yes',
    `server min protocol = ${opts.security === 'smb3' ? 'SMB3' : 'SMB2_02'}`,
    `server signing = ${opts.security === 'signing' ? 'mandatory' : 'default'}`,
    'map to guest = never',
    `private dir = ${state}/private`,
    `lock directory = ${state}/lock`,
    `state directory = ${state}/state`,
    `cache directory = ${state}/cache`,
    `pid directory = ${state}/pid`,
    `ncalrpc dir = ${state}/ncalrpc`,
    `passdb backend = tdbsam:${state}/private/passdb.tdb`,
    `log file = ${state}/log/log.%m`,
    'log level = 0',
    'load printers = no',
    'printcap name = /dev/null',
    'disable spoolss = yes',
    'unix charset = UTF-8',
    '',
    `[${share}]`,
    `path = ${root}`,
    `comment = ${comment}`,
    'read only = no',
    `valid users = ${user}`,
    `force user = ${owner}`,
    'create mask = 0644',
    '',
  ];
  await fs.writeFile(conf, lines.join('\n'));
  // smbpasswd maps the SMB user to a Unix account: make sure one exists.
  await ensureUnixUser(user);
  const child = spawn(smbpasswd, ['-c', conf, '-s', '-a', user], { stdio: ['pipe', 'ignore', 'pipe'] });
  child.stdin?.end(`${password}\n${password}\n`);
  const [code] = (await new Promise((r) => child.once('exit', (c) => r([c])))) as [number | null];
  if (code !== 0) throw new Error(`smbpasswd failed (${code})`);

  let proc: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    proc = spawn('setsid', [smbd, '-F', '--no-process-group', '--debug-stdout', '-s', conf], {
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    // setsid exec()s smbd in place when it is not a group leader already: same PID.
    await waitForPort(port, 5000);
  };
  await launch();
  const group = (sig: NodeJS.Signals): void => {
    if (proc?.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    try {
      process.kill(-proc.pid, sig);
    } catch {
      // Already gone.
    }
  };
  const exited = (): Promise<void> => (proc && proc.exitCode === null && proc.signalCode === null
    ? new Promise((r) => proc!.once('exit', () => r()))
    : Promise.resolve());

  const server: SambaServer = {
    port, root, share, user, password, comment,
    get pid() { return proc?.pid ?? -1; },
    pause: () => group('SIGSTOP'),
    resume: () => group('SIGCONT'),
    kill: () => group('SIGKILL'),
    restart: async () => {
      group('SIGKILL');
      await exited();
      await launch();
    },
    stop: async () => {
      group('SIGCONT');
      const done = exited();
      group('SIGTERM');
      const timer = setTimeout(() => group('SIGKILL'), 2000);
      await done;
      clearTimeout(timer);
      // Per-connection children may outlive a SIGTERMed parent for a moment.
      group('SIGKILL');
      await stopRpcHelper(path.join(state, 'pid'));
      await fs.rm(base, { recursive: true, force: true });
    },
  };
  return server;
}

/**
 * smbd starts samba-dcerpcd on demand (IPC$ / share enumeration); it calls setsid, so it
 * is not in smbd's group. Its PID is in our private pid directory: stop its group too.
 */
async function stopRpcHelper(pidDir: string): Promise<void> {
  const pid = Number((await fs.readFile(path.join(pidDir, 'samba-dcerpcd.pid'), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return; // not running
  }
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 25));
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone
  }
}

async function which(cmd: string): Promise<string | undefined> {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin']) {
    const p = path.join(dir, cmd);
    try {
      await fs.access(p);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

async function ensureUnixUser(user: string): Promise<void> {
  try {
    await run('id', [user]);
  } catch {
    await run('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', user]).catch(() => undefined);
  }
}

/** A free TCP port on 127.0.0.1 (bound then released). */

async function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`smbd did not listen on 127.0.0.1:${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 30));
  }
}
