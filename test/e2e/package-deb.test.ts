/**
 * The Debian package end to end, on this machine: build two versions with
 * packaging/deb/build.sh, install the first (dpkg -i), check its files, user and state
 * directories, run the daemon the way the unit does (systemd is not PID 1 here: the unit's
 * ExecStart as the alcove user via runuser), reach /health, upgrade keeping config and
 * index, remove (config and index stay), purge (all gone).
 *
 * Needs root (dpkg, adduser, runuser): CI runs as root. Uses the dist/ that test/run.sh
 * just built, and zstd compression to keep the run short (the release default is xz).
 */
import t from 'tap';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, appendFile, access, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { REPO_ROOT, eventually } from '../helpers/daemon.js';
import { freePort } from '../helpers/ports.js';

const run = promisify(execFile);
const PACKAGE_GECOS = 'Alcove media server';
const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

async function sh(cmd: string, args: string[], env: Record<string, string> = {}, input?: string): Promise<string> {
  if (input === undefined) {
    const { stdout } = await run(cmd, args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', ...env }, maxBuffer: 16 << 20, timeout: 240_000 });
    return stdout;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${err}`))));
    child.stdin.end(input);
  });
}

async function passwdEntry(user: string): Promise<string[] | undefined> {
  try { return (await sh('getent', ['passwd', user])).trim().split(':'); } catch { return undefined; }
}


/** The installed unit's ExecStart and Environment=, run as its User= through runuser. */
async function startLikeTheUnit(port: number): Promise<{ child: ChildProcess; stop(): Promise<void>; output(): string }> {
  const unit = await readFile('/lib/systemd/system/alcove.service', 'utf8');
  const execStart = /^ExecStart=(.+)$/m.exec(unit)![1].trim().split(/\s+/);
  const user = /^User=(.+)$/m.exec(unit)![1].trim();
  const env: Record<string, string> = {};
  for (const m of unit.matchAll(/^Environment=(\w+)=(.*)$/gm)) env[m[1]] = m[2];
  // No Avahi of the host's: a D-Bus address that leads nowhere keeps the LAN quiet.
  const child = spawn('runuser', ['-u', user, '--', 'env', ...Object.entries({ ...env, DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent/alcove-test-bus' }).map(([k, v]) => `${k}=${v}`),
    ...execStart, '--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function health(port: number): Promise<{ status: string; version: string }> {
  return eventually(async () => {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    return res.status === 200 ? (await res.json()) as { status: string; version: string } : undefined;
  }, 30_000, 200);
}

t.test('deb: build, install, run as the unit does, upgrade keeping config and index, remove, purge', async (t) => {
  if (process.getuid?.() !== 0) {
    t.fail('test/e2e/package-deb.test.ts must run as root: it installs, upgrades and purges the alcove package with dpkg and creates the alcove system user (CI runs as root)');
    return;
  }
  for (const tool of ['dpkg', 'dpkg-deb', 'runuser', 'adduser']) {
    if (!(await sh('sh', ['-c', `command -v ${tool} || true`])).trim()) { t.fail(`${tool} is missing: apt-get install -y dpkg adduser util-linux`); return; }
  }
  const installed = await sh('dpkg-query', ['-W', '-f=${Status}', 'alcove']).catch(() => '');
  if (installed.includes('installed')) {
    t.fail('the alcove package is already installed on this machine; this test installs and purges it: dpkg --purge alcove first');
    return;
  }
  // The Samba test server maps its SMB user to a Unix account also called alcove; when one
  // exists that the package did not make, the package must reuse it and purge must keep it.
  const before = await passwdEntry('alcove');
  const foreignUser = before !== undefined && before[4].split(',')[0] !== PACKAGE_GECOS;
  if (foreignUser) t.comment('an "alcove" account not made by the package exists: checking that it is reused and kept');

  const out = await mkdtemp(join(tmpdir(), 'alcove-deb-'));
  let daemon: Awaited<ReturnType<typeof startLikeTheUnit>> | undefined;
  t.teardown(async () => {
    await daemon?.stop();
    await sh('dpkg', ['--purge', 'alcove']).catch(() => undefined);
    await rm(out, { recursive: true, force: true });
  });

  const base = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')).version as string;
  const v1 = `${base}+test1`;
  const v2 = `${base}+test2`;
  const build = async (version: string): Promise<string> => (await sh('bash', [join(REPO_ROOT, 'packaging/deb/build.sh')], {
    ALCOVE_PKG_VERSION: version, ALCOVE_PKG_OUT: out, ALCOVE_PKG_COMPRESS: 'zstd', ALCOVE_PKG_SKIP_BUILD: '1',
  })).trim().split('\n').pop()!;
  const deb1 = await build(v1);
  const deb2 = await build(v2);
  const arch = (await sh('dpkg', ['--print-architecture'])).trim();
  t.equal(deb1, join(out, `alcove_${v1}_${arch}.deb`), 'architecture-specific file name');
  const fields = await sh('dpkg-deb', ['-f', deb1, 'Package', 'Version', 'Architecture', 'Depends', 'Recommends', 'Installed-Size']);
  t.match(fields, new RegExp(`Version: ${v1.replace('+', '\\+')}`));
  t.match(fields, new RegExp(`Architecture: ${arch}`));
  t.match(fields, /Depends: .*\bffmpeg\b/, 'depends on ffmpeg');
  t.match(fields, /Recommends: .*avahi-daemon/, 'recommends avahi-daemon');
  const contents = await sh('dpkg-deb', ['-c', deb1]);
  t.notMatch(contents, /dist\/(test|bench)\//, 'no tests or benchmarks in the package');
  t.notMatch(contents, /node_modules\/(tap|typescript|@types)\//, 'no dev dependencies');
  t.match(contents, /\.\/usr\/lib\/alcove\/node\n/, 'bundled Node runtime');
  t.comment(`package ${deb1}: ${(await stat(deb1)).size} bytes (zstd), installed ${/Installed-Size: (\d+)/.exec(fields)![1]} KiB`);

  // --- install ---------------------------------------------------------------------------
  await sh('dpkg', ['-i', deb1]).catch(async (err: Error) => {
    t.comment(`dpkg -i needs dependencies (${err.message.split('\n')[0]}): apt-get install -f -y`);
    await sh('apt-get', ['install', '-f', '-y', '-qq']);
  });
  t.match(await sh('dpkg-query', ['-W', '-f=${Status} ${Version}', 'alcove']), `install ok installed ${v1}`);
  for (const f of ['/usr/lib/alcove/node', '/usr/lib/alcove/bin/alcoved', '/usr/bin/alcove', '/usr/lib/alcove/dist/daemon/main.js', '/lib/systemd/system/alcove.service', '/etc/alcove/alcove.yaml']) {
    t.ok(await exists(f), `${f} installed`);
  }
  t.match(await sh('/usr/lib/alcove/node', ['--version']), /^v20\./, 'bundled Node 20');
  t.match(await sh('dpkg-query', ['-W', '-f=${Conffiles}', 'alcove']), /\/etc\/alcove\/alcove\.yaml [0-9a-f]{32}/, 'alcove.yaml is a conffile');
  const user = await passwdEntry('alcove');
  t.ok(user, 'alcove user exists');
  if (!foreignUser) {
    t.equal(user![5], '/var/lib/alcove', 'home is the state directory');
    t.equal(user![4].split(',')[0], PACKAGE_GECOS, 'the package made it (GECOS)');
    t.ok(Number(user![2]) < 1000, 'a system account');
  }
  for (const dir of ['/var/lib/alcove', '/var/cache/alcove']) {
    const st = await stat(dir);
    t.equal(st.uid, Number(user![2]), `${dir} owned by alcove`);
    t.equal(st.mode & 0o777, 0o750, `${dir} is 0750`);
  }
  const conf = await stat('/etc/alcove/alcove.yaml');
  t.equal(conf.mode & 0o777, 0o640, 'config readable by the alcove group only');
  t.equal(await readlink('/etc/systemd/system/multi-user.target.wants/alcove.service'), '/lib/systemd/system/alcove.service', 'service enabled');
  const reinstall = await sh('dpkg', ['-i', deb1]).then(() => 'ok', (err: Error) => err.message);
  t.equal(reinstall, 'ok', 'reinstalling the same version runs the maintainer scripts again without error');

  // --- run as the unit would; config marker and an index user --------------------------------
  let port = await freePort();
  daemon = await startLikeTheUnit(port);
  t.equal((await health(port)).version, v1, '/health answers with the package version');
  t.match(daemon.output(), /"msg":"mDNS unavailable"/, 'no Avahi reachable: one clear log line, and the daemon serves');
  const marker = `# test marker ${randomBytes(6).toString('hex')}`;
  await appendFile('/etc/alcove/alcove.yaml', `${marker}\n`);
  await sh('/usr/bin/alcove', ['user', 'add', 'upgrade-check', '--password-stdin'], {}, 'a-long-password\n');
  const listed = (): Promise<string> => sh('/usr/bin/alcove', ['user', 'list', '--json']);
  t.match(await listed(), /"upgrade-check"/, 'user created in the index');
  const indexOwner = await stat('/var/lib/alcove/index/data.mdb');
  t.equal(indexOwner.uid, Number(user![2]), 'the CLI run as root left the index owned by alcove');
  await daemon.stop();
  daemon = undefined;

  // --- upgrade ------------------------------------------------------------------------------
  await sh('dpkg', ['-i', deb2]);
  t.match(await sh('dpkg-query', ['-W', '-f=${Version}', 'alcove']), v2, 'upgraded');
  t.match(await readFile('/etc/alcove/alcove.yaml', 'utf8'), marker, 'config edit survives the upgrade');
  t.match(await listed(), /"upgrade-check"/, 'index survives the upgrade');
  port = await freePort();
  daemon = await startLikeTheUnit(port);
  t.equal((await health(port)).version, v2, 'the upgraded daemon serves');
  await daemon.stop();
  daemon = undefined;

  // --- remove: config and index stay ------------------------------------------------------------
  await sh('dpkg', ['-r', 'alcove']);
  t.notOk(await exists('/usr/lib/alcove/node'), 'program files removed');
  t.notOk(await exists('/usr/bin/alcove'), 'CLI removed');
  t.match(await readFile('/etc/alcove/alcove.yaml', 'utf8'), marker, 'config kept on remove');
  t.ok(await exists('/var/lib/alcove/index/data.mdb'), 'index kept on remove');
  t.ok(await passwdEntry('alcove'), 'user kept on remove');

  // --- purge: everything goes -----------------------------------------------------------------
  await sh('dpkg', ['-P', 'alcove']);
  for (const p of ['/etc/alcove', '/var/lib/alcove', '/var/cache/alcove', '/var/log/alcove', '/etc/systemd/system/multi-user.target.wants/alcove.service', '/etc/systemd/system/alcove.service']) {
    t.notOk(await exists(p), `${p} gone after purge`);
  }
  if (foreignUser) t.ok(await passwdEntry('alcove'), 'an account the package did not create is kept');
  else t.equal(await passwdEntry('alcove'), undefined, 'alcove user gone after purge');
  t.equal((await sh('dpkg-query', ['-W', '-f=${Status}', 'alcove']).catch(() => 'not-installed')).includes(' installed'), false, 'package purged');
});
