import t from 'tap';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../daemon/log/logger.js';
import { ensureExecutable, locateMediaTools } from '../../daemon/media/tools.js';
import { runTool, ToolTimeoutError } from '../../daemon/media/tool-process.js';

/** A fake tool: a shell script that answers -version like ffmpeg does. */
async function fakeTool(path: string, version: string, mode = 0o755): Promise<string> {
  await writeFile(path, `#!/bin/sh\necho "$(basename "$0") version ${version} Copyright (c) test"\n`);
  await chmod(path, mode);
  return path;
}

t.test('tool location order: config, then PATH, then bundled', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-tools-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const sys = join(dir, 'sys');
  const bundled = join(dir, 'bundled');
  const conf = join(dir, 'conf');
  await Promise.all([mkdir(sys), mkdir(bundled), mkdir(conf)]);
  await fakeTool(join(sys, 'ffmpeg'), '5.1-sys');
  await fakeTool(join(sys, 'ffprobe'), '5.1-sys');
  const bFfmpeg = await fakeTool(join(bundled, 'ffmpeg'), '4.1-bundled');
  // Shipped like @ffprobe-installer: 644 + u+x only.
  const bFfprobe = await fakeTool(join(bundled, 'ffprobe'), '6.0-bundled', 0o744);
  const cFfmpeg = await fakeTool(join(conf, 'my-ffmpeg'), '7.0-conf');

  const lines: string[] = [];
  const logger = createLogger({ destination: new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }) });

  const sut = await locateMediaTools(logger, { searchPath: `${join(dir, 'nothing')}:${sys}`, bundled: { ffmpeg: bFfmpeg, ffprobe: bFfprobe } });
  t.same(sut.ffmpeg, { path: join(sys, 'ffmpeg'), version: '5.1-sys', source: 'system' });
  t.same(sut.ffprobe, { path: join(sys, 'ffprobe'), version: '5.1-sys', source: 'system' });
  t.ok(lines.some((l) => l.includes('"component":"media"') && l.includes('media tools located')), 'logs its choice');
  t.equal(await locateMediaTools(logger, { searchPath: `${join(dir, 'nothing')}:${sys}`, bundled: { ffmpeg: bFfmpeg, ffprobe: bFfprobe } }), sut, 'cached');

  const conf1 = await locateMediaTools(undefined, { ffmpegPath: cFfmpeg, searchPath: sys, bundled: { ffprobe: bFfprobe } });
  t.equal(conf1.ffmpeg.source, 'config');
  t.equal(conf1.ffmpeg.version, '7.0-conf');

  const fallback = await locateMediaTools(undefined, { searchPath: join(dir, 'nothing'), bundled: { ffmpeg: bFfmpeg, ffprobe: bFfprobe } });
  t.equal(fallback.ffmpeg.source, 'bundled');
  t.equal(fallback.ffprobe.source, 'bundled');
  t.equal(fallback.ffprobe.version, '6.0-bundled');
  t.equal((await stat(bFfprobe)).mode & 0o777, 0o755, 'bundled ffprobe made executable for everyone');

  const preferBundled = await locateMediaTools(undefined, { searchPath: sys, preferBundledFfprobe: true, bundled: { ffmpeg: bFfmpeg, ffprobe: bFfprobe } });
  t.equal(preferBundled.ffprobe.source, 'bundled');
  t.equal(preferBundled.ffmpeg.source, 'system');
});

t.test('clear errors when nothing usable is found', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-tools-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const notExec = join(dir, 'ffmpeg-noexec');
  await writeFile(notExec, 'x');
  await t.rejects(locateMediaTools(undefined, { ffmpegPath: notExec, searchPath: dir, bundled: { ffmpeg: join(dir, 'none'), ffprobe: join(dir, 'none') } }),
    /configured ffmpeg path .* is not an executable file/);
  await t.rejects(locateMediaTools(undefined, { searchPath: dir, bundled: { ffmpeg: join(dir, 'missing'), ffprobe: join(dir, 'missing') } }),
    /ffmpeg not found: install ffmpeg \(Debian: apt-get install -y ffmpeg\) or set media\.ffmpegPath/);
  const broken = join(dir, 'ffprobe');
  await writeFile(broken, '#!/bin/sh\nexit 3\n');
  await chmod(broken, 0o755);
  const goodFfmpeg = await fakeTool(join(dir, 'good-ffmpeg'), '5.1');
  await t.rejects(locateMediaTools(undefined, { ffmpegPath: goodFfmpeg, searchPath: dir, bundled: { ffprobe: join(dir, 'missing') } }),
    /ffprobe not found: .*ffprobe at .* does not run/);
});

t.test('ensureExecutable chmods a+x and explains when it cannot', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-tools-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const p = join(dir, 'ffprobe');
  await writeFile(p, '#!/bin/sh\n');
  await chmod(p, 0o644);
  await ensureExecutable(p, 'ffprobe');
  t.equal((await stat(p)).mode & 0o777, 0o755);
  await t.rejects(ensureExecutable(join(dir, 'absent'), 'ffprobe'), /ENOENT/);
});

t.test('runTool: timeout kills the child and reaps it', async (t) => {
  const started = Date.now();
  await t.rejects(runTool('/bin/sleep', ['30'], { timeoutMs: 200 }), ToolTimeoutError);
  t.ok(Date.now() - started < 5000, 'did not wait for the child to finish on its own');
  const ac = new AbortController();
  const p = runTool('/bin/sleep', ['30'], { timeoutMs: 10_000, signal: ac.signal });
  setTimeout(() => ac.abort(new Error('stop now')), 50);
  await t.rejects(p, /stop now/);
  await t.rejects(runTool('/nonexistent/tool', [], { timeoutMs: 1000 }), /failed to start/);
  const ok = await runTool('/bin/sh', ['-c', 'printf hello; printf oops >&2; exit 4'], { timeoutMs: 5000 });
  t.same([ok.code, ok.stdout.toString(), ok.stderr], [4, 'hello', 'oops']);
});
