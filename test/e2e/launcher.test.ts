/**
 * packaging/alcoved, the launcher every install runs: it starts the built daemon on this
 * node with glibc's allocator settings in the daemon's own environment (what ld.so read at
 * exec, seen in /proc/PID/environ), while the programs the daemon runs (here stand-ins for
 * ffmpeg and ffprobe, which the daemon runs with -version at start) get glibc's defaults.
 * A GLIBC_TUNABLES the user set is left alone, for the daemon and its children.
 */
import t, { type Test } from 'tap';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../helpers/daemon.js';

const LAUNCHER = join(REPO_ROOT, 'packaging/alcoved');
const LD_SO = ['/lib64/ld-linux-x86-64.so.2', '/lib/ld-linux-aarch64.so.1', '/lib/ld-linux-armhf.so.3'].find((p) => existsSync(p)) ?? '/lib64/ld-linux-x86-64.so.2';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

/** A temporary directory removed when `t` ends. */
async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-launcher-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** An executable shell script at `path`. */
async function writeScript(path: string, body: string): Promise<string> {
  await writeFile(path, `#!/bin/sh\n${body}`);
  await chmod(path, 0o755);
  return path;
}

/** A stand-in tool: records its environment, answers -version like the real one. */
function fakeTool(dir: string, name: 'ffmpeg' | 'ffprobe'): Promise<string> {
  return writeScript(join(dir, name), `env > "$0.env"\necho "${name} version 9.9-test Copyright (c) the FFmpeg developers"\n`);
}

async function waitForFile(path: string, ms: number): Promise<string> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    try {
      const text = await readFile(path, 'utf8');
      if (text.includes('PATH=')) return text;
    } catch { /* not yet written */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} was not written within ${ms} ms`);
}

/** Start the daemon through the launcher; resolves once it logged 'listening'. */
async function launch(t: Test, env: Record<string, string>): Promise<{ pid: number; toolEnv: string; environ: string }> {
  const dir = await tempDir(t);
  const ffmpeg = await fakeTool(dir, 'ffmpeg');
  const ffprobe = await fakeTool(dir, 'ffprobe');
  const config = join(dir, 'alcove.yaml');
  await writeFile(config, `media:\n  ffmpegPath: ${ffmpeg}\n  ffprobePath: ${ffprobe}\nmdns:\n  enabled: false\n`);
  const base = { ...process.env };
  delete base.GLIBC_TUNABLES;
  delete base.ALCOVE_MALLOC_TUNED;
  const child = spawn(LAUNCHER, ['--config', config, '--host', '127.0.0.1', '--port', '0', '--state-dir', join(dir, 'state')], {
    env: { ...base, ALCOVE_NODE: process.execPath, ALCOVE_LOG_PRETTY: 'false', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 'listening' line within 20 s; stderr: ${stderr}`)), 20_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"msg":"listening"')) { clearTimeout(timer); resolve(); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`daemon exited with ${code}: ${stderr}`)); });
  });
  const environ = (await readFile(`/proc/${child.pid}/environ`, 'utf8')).split('\0').join('\n');
  const toolEnv = await waitForFile(`${ffmpeg}.env`, 10_000);
  return { pid: child.pid!, toolEnv, environ };
}

t.test('the settings the launcher hands to node are all valid glibc tunables', async (t) => {
  const fakeNode = await writeScript(join(await tempDir(t), 'node'), 'echo "TUNABLES=$GLIBC_TUNABLES"\necho "MARK=$ALCOVE_MALLOC_TUNED"\necho "ARGS=$*"\n');
  const env: NodeJS.ProcessEnv = { ...process.env, ALCOVE_NODE: fakeNode };
  delete env.GLIBC_TUNABLES;
  const out = await run(LAUNCHER, ['--port', '0'], env);
  const tunables = /^TUNABLES=(.*)$/m.exec(out)?.[1] ?? '';
  t.match(out, /^MARK=1$/m, 'marked as the launcher\'s own');
  t.match(out, /^ARGS=\S+\/dist\/daemon\/main\.js --port 0$/m, 'runs the built daemon with the arguments given');
  // ld.so reports what it parsed from the value (each unknown name or bad value is ignored).
  const listed = await run(LD_SO, ['--list-tunables'], { ...process.env, GLIBC_TUNABLES: tunables });
  const value = (name: string): string | undefined => new RegExp(`^glibc\\.malloc\\.${name}: (\\S+)`, 'm').exec(listed)?.[1];
  t.same(
    { arena_max: value('arena_max'), trim_threshold: value('trim_threshold'), mmap_threshold: value('mmap_threshold'), tcache_count: value('tcache_count'), mxfast: value('mxfast') },
    { arena_max: '0x2', trim_threshold: '0x20000', mmap_threshold: '0x20000', tcache_count: '0x0', mxfast: '0x0' },
    `glibc applies all of ${tunables}`,
  );
});

t.test('the daemon starts with them; the programs it runs do not', async (t) => {
  const { pid, toolEnv, environ } = await launch(t, {});
  const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
  t.equal(cmdline[0], process.execPath, 'exec replaced the shell: the PID is node');
  t.ok(cmdline[1]!.endsWith('/dist/daemon/main.js'), `runs the built daemon (${cmdline[1]})`);
  // /proc shows the environment block as exec left it; glibc cuts its copy of the value
  // after the first tunable while parsing, so only that much is visible there.
  t.match(environ, /^GLIBC_TUNABLES=glibc\.malloc\.arena_max=2/m, 'daemon started with the allocator settings');
  t.match(environ, /^ALCOVE_MALLOC_TUNED=1$/m, 'and the mark');
  t.notMatch(toolEnv, /GLIBC_TUNABLES|ALCOVE_MALLOC_TUNED/, 'ffmpeg started without either');
});

t.test('a GLIBC_TUNABLES the user set is kept, for the daemon and its children', async (t) => {
  const mine = 'glibc.malloc.arena_max=4';
  const { toolEnv, environ } = await launch(t, { GLIBC_TUNABLES: mine });
  t.match(environ, new RegExp(`^GLIBC_TUNABLES=${mine.replace(/\./g, '\\.')}$`, 'm'), 'daemon has the user\'s value');
  t.notMatch(environ, /ALCOVE_MALLOC_TUNED/, 'launcher did not mark it as its own');
  t.match(toolEnv, new RegExp(`^GLIBC_TUNABLES=${mine.replace(/\./g, '\\.')}$`, 'm'), 'ffmpeg has it too');
});
