/**
 * Starts a private pure-ftpd on 127.0.0.1 for tests and benchmarks.
 *
 * One virtual user (PureDB) whose SHA-512 crypt hash is written by hand: `pure-pw useradd`
 * picks an argon2 cost that makes every login take ~3 s. The server runs in its own
 * process group (detached), so stop/pause/resume/kill signal the master and every
 * per-session child it forked, and nothing else on the machine. All state lives in a
 * temp dir that stop() removes.
 *
 * Contract: resolves once the server answers with its 220 banner; throws with the
 * package name when pure-ftpd is not installed.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { freePort } from '../helpers/ports.js';
export { freePort };

const run = promisify(execFile);

export interface PureFtpdOptions {
  /** Allow explicit FTPS (AUTH TLS) with a self-signed certificate made here. */
  tls?: boolean;
  /** Reuse this control port (a restart after stop()). Default: a free high port. */
  port?: number;
  /** Serve this directory instead of a fresh temp dir (kept on stop()). */
  root?: string;
  /** Reuse this password (a restart keeps the clients' credentials valid). */
  password?: string;
  /** 1: allow explicit FTPS; 3: require it on control and data channels (with `tls`). */
  tlsLevel?: 1 | 2 | 3;
  /** Extra pure-ftpd arguments. */
  extraArgs?: string[];
}

export interface PureFtpdServer {
  port: number;
  /** The served directory on disk (the FTP user's chroot). */
  root: string;
  user: string;
  password: string;
  pid: number;
  /** Owner of files the server writes; backdoor seeding must chown to these. */
  uid: number;
  gid: number;
  /** PEM of the self-signed certificate (tls only), for the client's `ca`. */
  certPem?: string;
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT the whole process group (a hung server). */
  pause(): void;
  resume(): void;
  /** SIGKILL the whole process group (a crashed server); stop() still cleans up. */
  kill(): void;
}

/** The uid/gid virtual users map to: pure-ftpd refuses uids below 100 (-u 100). */
const FTP_UID = 2001;
const FTP_GID = 2001;

export async function startPureFtpd(opts: PureFtpdOptions = {}): Promise<PureFtpdServer> {
  await requireBinary('pure-ftpd');
  const state = await fs.mkdtemp(path.join(os.tmpdir(), 'alcove-pure-ftpd-'));
  await fs.chmod(state, 0o711); // the FTP uid must traverse it to reach its home
  const root = opts.root ?? path.join(state, 'root');
  await fs.mkdir(root, { recursive: true });
  await fs.chown(root, FTP_UID, FTP_GID);

  const user = 'alcove';
  const password = opts.password ?? `pw-${randomBytes(9).toString('base64url')}`;
  const { stdout: hash } = await runWithInput('openssl', ['passwd', '-6', '-stdin'], `${password}\n`);
  const passwdFile = path.join(state, 'pureftpd.passwd');
  const pdb = path.join(state, 'pureftpd.pdb');
  // account:hash:uid:gid:gecos:home:... (18 fields). '/./' would mark a chroot point; -A chroots anyway.
  await fs.writeFile(passwdFile, `${user}:${hash.trim()}:${FTP_UID}:${FTP_GID}::${root}/./::::::::::::\n`, { mode: 0o600 });
  await run('pure-pw', ['mkdb', pdb, '-f', passwdFile]);

  const port = opts.port ?? (await freePort());
  const pasvBase = 20000 + Math.floor(Math.random() * 400) * 100;
  const args = [
    '-S', `127.0.0.1,${port}`, '-p', `${pasvBase}:${pasvBase + 99}`, '-P', '127.0.0.1',
    '-l', `puredb:${pdb}`, '-E', '-A', '-H', '-4', '-u', '100', '-D', '-f', 'none', '-I', '15',
  ];
  let certPem: string | undefined;
  if (opts.tls) {
    const pem = path.join(state, 'pure-ftpd.pem');
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', path.join(state, 'key.pem'), '-out', path.join(state, 'cert.pem'),
    ]);
    certPem = await fs.readFile(path.join(state, 'cert.pem'), 'utf8');
    await fs.writeFile(pem, (await fs.readFile(path.join(state, 'key.pem'), 'utf8')) + certPem, { mode: 0o600 });
    args.push('-Y', String(opts.tlsLevel ?? 1), '-2', pem);
  }
  args.push(...(opts.extraArgs ?? []));

  const child: ChildProcess = spawn('pure-ftpd', args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error('pure-ftpd did not start');
  const group = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch { /* group already gone */ }
  };
  try {
    await waitForBanner(port, 5000, () => child.exitCode !== null);
  } catch (err) {
    group('SIGKILL');
    await fs.rm(state, { recursive: true, force: true });
    throw new Error(`pure-ftpd did not come up on 127.0.0.1:${port}: ${(err as Error).message} ${stderr.trim()}`);
  }

  let stopped = false;
  return {
    port, root, user, password, pid, uid: FTP_UID, gid: FTP_GID, ...(certPem ? { certPem } : {}),
    pause: () => group('SIGSTOP'),
    resume: () => group('SIGCONT'),
    kill: () => group('SIGKILL'),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      group('SIGCONT');
      group('SIGTERM');
      const timer = setTimeout(() => group('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
      group('SIGKILL'); // session children that outlived the master
      await fs.rm(opts.root ? path.join(state, 'pureftpd.pdb') : state, { recursive: true, force: true });
      if (opts.root) await fs.rm(state, { recursive: true, force: true });
    },
  };
}

/** Backdoor seeding helper: a file under the served root owned by the FTP user. */
export async function seedFile(server: Pick<PureFtpdServer, 'root' | 'uid' | 'gid'>, rel: string, data: Buffer | string, mtimeMs?: number): Promise<void> {
  const abs = path.join(server.root, rel);
  const segs = path.relative(server.root, path.dirname(abs)).split(path.sep).filter(Boolean);
  let dir = server.root;
  for (const s of segs) {
    dir = path.join(dir, s);
    const made = await fs.mkdir(dir).then(() => true, () => false);
    if (made) await fs.chown(dir, server.uid, server.gid);
  }
  await fs.writeFile(abs, data);
  await fs.chown(abs, server.uid, server.gid);
  if (mtimeMs !== undefined) await fs.utimes(abs, mtimeMs / 1000, mtimeMs / 1000);
}

async function requireBinary(name: string): Promise<void> {
  try {
    await run('sh', ['-c', `command -v ${name}`]);
  } catch {
    throw new Error(`${name} is not installed: apt-get install -y pure-ftpd (test/servers/install-deps.sh)`);
  }
}

function runWithInput(cmd: string, args: string[], input: string): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const p = execFile(cmd, args, (err, stdout) => (err ? reject(err) : resolve({ stdout })));
    p.stdin?.end(input);
  });
}


async function waitForBanner(port: number, ms: number, dead: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (dead()) throw new Error('server exited');
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.setTimeout(500);
      s.once('data', (d) => { s.destroy(); resolve(d.toString().startsWith('220')); });
      s.once('error', () => resolve(false));
      s.once('timeout', () => { s.destroy(); resolve(false); });
    });
    if (ok) return;
    if (Date.now() > until) throw new Error('timed out waiting for the 220 banner');
    await new Promise((r) => setTimeout(r, 30));
  }
}
