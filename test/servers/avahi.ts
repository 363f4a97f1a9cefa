/**
 * A private Avahi for tests: its own D-Bus daemon (a unix socket under a temp dir, an
 * allow-all policy) and an avahi-daemon that lives inside a network namespace this module
 * creates, publishing only on that namespace's own loopback. Nothing is ever announced on
 * the machine's real interfaces, and the host's /run, D-Bus and Avahi are left alone.
 *
 *   const avahi = await startAvahi();     // needs root (ip netns) and the Debian packages
 *   spawn(..., { env: { ...avahi.env } }) // DBUS_SYSTEM_BUS_ADDRESS for the client
 *   await avahi.browse('_alcove._tcp')    // avahi-browse -rtp, parsed
 *   await avahi.stop();                   // both daemons by PID, then `ip netns delete`
 *
 * The daemon under test talks to Avahi only over D-Bus, so it runs outside the namespace.
 * avahi-daemon's pid file and socket path are fixed (/run/avahi-daemon): it runs in a
 * private mount namespace (unshare -m) where a temp dir is bound over /run (and an empty
 * one over /etc/avahi/services, so no static service of the host is published).
 */
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface BrowsedService {
  interface: string;
  protocol: string;
  name: string;
  type: string;
  domain: string;
  host: string;
  address: string;
  port: number;
  txt: Record<string, string>;
}

export interface AvahiServer {
  /** The network namespace avahi-daemon runs in. */
  namespace: string;
  /** unix:path=<socket> of the private bus. */
  busAddress: string;
  /** Environment for clients of this Avahi: DBUS_SYSTEM_BUS_ADDRESS. */
  env: Record<string, string>;
  dbusPid: number;
  avahiPid: number;
  /** Resolved services of `type` (e.g. '_alcove._tcp') as avahi-browse -rtp reports them. */
  browse(type: string): Promise<BrowsedService[]>;
  stop(): Promise<void>;
}

const NEEDS = [
  ['dbus-daemon', 'dbus'], ['avahi-daemon', 'avahi-daemon'], ['avahi-browse', 'avahi-utils'],
  ['ip', 'iproute2'], ['unshare', 'util-linux'],
] as const;

export async function startAvahi(): Promise<AvahiServer> {
  const missing: string[] = [];
  for (const [cmd, pkg] of NEEDS) if (!(await which(cmd))) missing.push(pkg);
  if (missing.length) throw new Error(`missing Debian packages for the private Avahi: apt-get install -y ${missing.join(' ')}`);
  if (process.getuid?.() !== 0) throw new Error('the private Avahi needs root: it creates a network namespace (ip netns add) and a mount namespace');

  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'alcove-avahi-'));
  const namespace = `alcove-mdns-${randomBytes(4).toString('hex')}`;
  const socket = path.join(base, 'bus.sock');
  const busAddress = `unix:path=${socket}`;
  let dbus: ChildProcess | undefined;
  let avahi: ChildProcess | undefined;
  let nsCreated = false;

  // If the test process dies without calling stop() (an uncaught error), the daemons would
  // outlive it as orphans: stop them and drop the namespace on the way out.
  const onExit = (): void => {
    for (const child of [avahi, dbus]) if (child?.pid && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (nsCreated) { try { execFileSync('ip', ['netns', 'delete', namespace]); } catch { /* already gone */ } }
    rmSync(base, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const cleanup = async (): Promise<void> => {
    process.off('exit', onExit);
    await stopProcess(avahi);
    await stopProcess(dbus);
    if (nsCreated) await run('ip', ['netns', 'delete', namespace]).catch(() => undefined);
    await fs.rm(base, { recursive: true, force: true });
  };

  try {
    await fs.writeFile(path.join(base, 'dbus.conf'), dbusConfig(socket));
    dbus = spawn('dbus-daemon', [`--config-file=${path.join(base, 'dbus.conf')}`, '--nofork', '--nopidfile', '--print-address=1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(dbus, 'stdout', (l) => l.startsWith('unix:'), 5000, 'dbus-daemon');

    await run('ip', ['netns', 'add', namespace]);
    nsCreated = true;
    // The namespace's own loopback: up, and multicast-capable so Avahi will use it.
    await run('ip', ['netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'up']);
    await run('ip', ['netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'multicast', 'on']);

    const runDir = path.join(base, 'run');
    const servicesDir = path.join(base, 'services');
    await fs.mkdir(runDir);
    await fs.mkdir(servicesDir);
    const conf = path.join(base, 'avahi-daemon.conf');
    await fs.writeFile(conf, avahiConfig());
    const script = `mount --bind "$1" /run && mkdir -p /run/avahi-daemon && mount --bind "$2" /etc/avahi/services && exec avahi-daemon -f "$3" --no-drop-root --no-chroot --no-rlimits --no-proc-title`;
    // ip netns exec, unshare and sh all exec() in turn: the spawned PID is avahi-daemon's.
    avahi = spawn('ip', ['netns', 'exec', namespace, 'unshare', '-m', 'sh', '-c', script, 'sh', runDir, servicesDir, conf], {
      env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: busAddress }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(avahi, 'stderr', (l) => l.startsWith('Server startup complete'), 10_000, 'avahi-daemon');
  } catch (err) {
    await cleanup();
    throw err;
  }

  const env = { DBUS_SYSTEM_BUS_ADDRESS: busAddress };
  return {
    namespace, busAddress, env,
    dbusPid: dbus.pid ?? -1,
    avahiPid: avahi.pid ?? -1,
    async browse(type) {
      const { stdout } = await run('avahi-browse', ['-rtp', type], { env: { ...process.env, ...env }, timeout: 10_000 });
      return parseBrowse(stdout);
    },
    stop: cleanup,
  };
}

/** Parses `avahi-browse -p` resolved lines: =;iface;proto;name;type;domain;host;addr;port;txt. */
export function parseBrowse(stdout: string): BrowsedService[] {
  const out: BrowsedService[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('=;')) continue;
    const f = line.split(';');
    const txt: Record<string, string> = {};
    for (const m of f.slice(9).join(';').matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
      const entry = unescape(m[1]);
      const eq = entry.indexOf('=');
      if (eq > 0) txt[entry.slice(0, eq)] = entry.slice(eq + 1);
      else txt[entry] = '';
    }
    out.push({
      interface: f[1], protocol: f[2], name: unescape(f[3]), type: f[4], domain: f[5],
      host: f[6], address: f[7], port: Number(f[8]), txt,
    });
  }
  return out;
}

/** avahi-browse escapes bytes as \DDD (decimal) and '\' + char. */
function unescape(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && /^\d{3}$/.test(s.slice(i + 1, i + 4))) { bytes.push(Number(s.slice(i + 1, i + 4))); i += 3; }
    else if (s[i] === '\\' && i + 1 < s.length) { bytes.push(...Buffer.from(s[i + 1])); i += 1; }
    else bytes.push(...Buffer.from(s[i]));
  }
  return Buffer.from(bytes).toString('utf8');
}

function dbusConfig(socket: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`;
}

function avahiConfig(): string {
  return `[server]
host-name=alcove-test
allow-interfaces=lo
use-ipv4=yes
use-ipv6=no
enable-dbus=yes
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[wide-area]
enable-wide-area=no
[publish]
publish-workstation=no
publish-hinfo=no
publish-addresses=yes
[reflector]
enable-reflector=no
[rlimits]
`;
}

function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', match: (line: string) => boolean, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    const rl = createInterface({ input: child[stream]! });
    const timer = setTimeout(() => done(new Error(`${what} not ready in ${ms} ms: ${seen.slice(-10).join(' | ')}`)), ms);
    const onExit = (code: number | null): void => done(new Error(`${what} exited (${code}): ${seen.slice(-10).join(' | ')}`));
    const other = stream === 'stdout' ? child.stderr : child.stdout;
    other?.on('data', (d: Buffer) => seen.push(d.toString().trim()));
    function done(err?: Error): void {
      clearTimeout(timer);
      child.off('exit', onExit);
      rl.removeAllListeners('line');
      // Keep draining the pipes so the daemon never blocks on a full one.
      rl.on('line', () => undefined);
      if (err) reject(err); else resolve();
    }
    rl.on('line', (line) => { seen.push(line); if (match(line)) done(); });
    child.once('exit', onExit);
  });
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

async function which(cmd: string): Promise<string | undefined> {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    const p = path.join(dir, cmd);
    if (await fs.access(p).then(() => true, () => false)) return p;
  }
  return undefined;
}
