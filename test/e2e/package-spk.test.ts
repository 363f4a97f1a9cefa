/**
 * The Synology package: build it with packaging/synology/build.sh, unpack the .spk and its
 * package.tgz into a temp dir the way DSM does, then drive the package's own scripts
 * (postinst, start-stop-status start / status / stop) with SYNOPKG_PKGDEST and
 * SYNOPKG_PKGVAR pointing there, checking /health in between. Uses the dist/ that
 * test/run.sh just built.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { REPO_ROOT, eventually } from '../helpers/daemon.js';
import { freePort } from '../helpers/ports.js';

const run = promisify(execFile);


/** Runs a package script; resolves with its exit code (DSM reads status from it). */
async function script(dir: string, name: string, args: string[], env: Record<string, string>): Promise<number> {
  try {
    await run(join(dir, 'scripts', name), args, { env: { ...process.env, ...env }, timeout: 60_000 });
    return 0;
  } catch (err) {
    const code = (err as { code?: number | string }).code;
    if (typeof code === 'number') return code;
    throw err;
  }
}

function parseInfo(text: string): Record<string, string> {
  const info: Record<string, string> = {};
  for (const m of text.matchAll(/^(\w+)="(.*)"$/gm)) info[m[1]] = m[2];
  return info;
}

t.test('spk: DSM 7 layout, scripts start, report and stop the bundled daemon', async (t) => {
  const work = await mkdtemp(join(tmpdir(), 'alcove-spk-'));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  const out = join(work, 'out');
  const { stdout } = await run('bash', [join(REPO_ROOT, 'packaging/synology/build.sh')], {
    env: { ...process.env, ALCOVE_PKG_OUT: out, ALCOVE_PKG_SKIP_BUILD: '1', ALCOVE_SPK_GZIP_LEVEL: '1', ALCOVE_PKG_VERSION: '0.1.0-0042' },
    maxBuffer: 16 << 20, timeout: 240_000,
  });
  const spk = stdout.trim().split('\n').pop()!;
  t.match(spk, /alcove-(x86_64|armv8|armv7)-0\.1\.0-0042\.spk$/);
  t.comment(`package ${spk}: ${(await stat(spk)).size} bytes (gzip -1)`);

  // --- layout ------------------------------------------------------------------------------
  const pkgDir = join(work, 'spk');
  await mkdir(pkgDir);
  await run('tar', ['-xf', spk, '-C', pkgDir]);
  const entries = (await readdir(pkgDir)).sort();
  t.same(entries, ['INFO', 'PACKAGE_ICON.PNG', 'PACKAGE_ICON_256.PNG', 'conf', 'package.tgz', 'scripts'], 'top-level entries');
  t.same((await readdir(join(pkgDir, 'scripts'))).sort(),
    ['common', 'postinst', 'postuninst', 'postupgrade', 'preinst', 'preuninst', 'preupgrade', 'start-stop-status'], 'DSM scripts');
  for (const s of ['preinst', 'postinst', 'preuninst', 'postuninst', 'preupgrade', 'postupgrade', 'start-stop-status']) {
    t.equal((await stat(join(pkgDir, 'scripts', s))).mode & 0o111, 0o111, `${s} executable`);
  }
  t.same(JSON.parse(await readFile(join(pkgDir, 'conf/privilege'), 'utf8')), { defaults: { 'run-as': 'package' } }, 'runs as the package user');
  t.ok(JSON.parse(await readFile(join(pkgDir, 'conf/resource'), 'utf8'))['port-config'], 'port-config resource');
  const icon = await sharp(join(pkgDir, 'PACKAGE_ICON.PNG')).metadata();
  t.same([icon.format, icon.width, icon.height], ['png', 72, 72], '72x72 PNG icon');
  const icon256 = await sharp(join(pkgDir, 'PACKAGE_ICON_256.PNG')).metadata();
  t.same([icon256.width, icon256.height], [256, 256], '256x256 icon');
  const info = parseInfo(await readFile(join(pkgDir, 'INFO'), 'utf8'));
  t.equal(info.package, 'alcove');
  t.equal(info.version, '0.1.0-0042');
  t.match(info.os_min_ver, /^7\./, 'DSM 7');
  t.match(info.arch, /^(x86_64|armv8|armv7)$/);
  const tgz = await readFile(join(pkgDir, 'package.tgz'));
  t.equal(info.checksum, createHash('md5').update(tgz).digest('hex'), 'INFO checksum is package.tgz md5');

  // --- installed the way DSM does it --------------------------------------------------------
  const dest = join(work, 'target');
  const varDir = join(work, 'var');
  await mkdir(dest);
  await mkdir(varDir);
  await run('tar', ['-xzf', join(pkgDir, 'package.tgz'), '-C', dest]);
  t.notOk((await readdir(join(dest, 'dist'))).includes('test'), 'no tests in package.tgz');
  t.match((await run(join(dest, 'node'), ['--version'])).stdout, /^v20\./, 'bundled Node 20');
  const port = await freePort();
  const env = {
    SYNOPKG_PKGNAME: 'alcove', SYNOPKG_PKGDEST: dest, SYNOPKG_PKGVAR: varDir,
    // The test's own choices: loopback, a free port, no mDNS announcements.
    ALCOVE_HOST: '127.0.0.1', ALCOVE_PORT: String(port), ALCOVE_MDNS: 'false',
  };
  t.equal(await script(pkgDir, 'postinst', [], env), 0, 'postinst');
  const config = join(varDir, 'alcove.yaml');
  t.match(await readFile(config, 'utf8'), /mdns:/, 'default config copied into the var directory');
  await writeFile(config, `${await readFile(config, 'utf8')}# kept\n`);
  t.equal(await script(pkgDir, 'postupgrade', [], env), 0, 'postupgrade');
  t.match(await readFile(config, 'utf8'), /# kept\n$/, 'an existing config is never replaced');

  t.equal(await script(pkgDir, 'start-stop-status', ['status'], env), 3, 'status before start: not running (3)');
  t.teardown(async () => { await script(pkgDir, 'start-stop-status', ['stop'], env).catch(() => undefined); });
  t.equal(await script(pkgDir, 'start-stop-status', ['start'], env), 0, 'start');
  const health = await eventually(async () => {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    return res.status === 200 ? (await res.json()) as { version: string; status: string } : undefined;
  }, 30_000, 200);
  t.equal(health.version, '0.1.0-0042', '/health reports the package version');
  t.equal(await script(pkgDir, 'start-stop-status', ['status'], env), 0, 'status: running (0)');
  const pid = Number((await readFile(join(varDir, 'alcoved.pid'), 'utf8')).trim());
  t.equal(await script(pkgDir, 'start-stop-status', ['start'], env), 0, 'a second start is a no-op');
  t.equal(Number((await readFile(join(varDir, 'alcoved.pid'), 'utf8')).trim()), pid, 'same daemon');
  const log = await readFile(join(varDir, 'alcoved.log'), 'utf8');
  t.match(log, /"msg":"media tools located"/, 'media tools found');
  t.ok((await readdir(join(varDir, 'index'))).includes('data.mdb'), 'index in the var directory');
  t.equal((await run(join(pkgDir, 'scripts/start-stop-status'), ['log'], { env: { ...process.env, ...env } })).stdout.trim(), join(varDir, 'alcoved.log'), 'log path');

  t.equal(await script(pkgDir, 'start-stop-status', ['stop'], env), 0, 'stop');
  t.equal(await script(pkgDir, 'start-stop-status', ['status'], env), 3, 'status after stop: not running (3)');
  t.throws(() => process.kill(pid, 0), 'the daemon process is gone');
  await t.rejects(fetch(`http://127.0.0.1:${port}/health`), 'nothing listens any more');
  t.match(await readFile(join(varDir, 'alcoved.log'), 'utf8'), /"msg":"stopped"/, 'clean shutdown logged');
});
