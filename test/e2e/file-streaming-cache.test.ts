/**
 * GET /api/file/* through the local adapter's descriptor cache: a file replaced (rename
 * over it), rewritten or deleted between requests is answered with its new bytes, or 404,
 * never with the bytes of the file a cached descriptor still points to.
 */
import t from 'tap';
import { mkdir, mkdtemp, readdir, readlink, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startDaemon, type RunningDaemon } from '../helpers/daemon.js';

let daemon: RunningDaemon;
let base: string;
let lib: string;

t.before(async () => {
  base = await mkdtemp(join(tmpdir(), 'alcove-fdcache-e2e-'));
  lib = join(base, 'lib');
  await mkdir(lib);
  await writeFile(join(lib, 'clip.bin'), 'version one: the original bytes');
  daemon = await startDaemon({ args: ['--library', `Lib=${lib}`], env: { ALCOVE_LOG_LEVEL: 'info' } });
  await daemon.loginAdmin();
  await eventually(async () => (await daemon.fetch('/api/file/Lib/clip.bin', { method: 'HEAD' })).status === 200, 20_000);
});
t.teardown(async () => {
  await daemon?.stop();
  await rm(base, { recursive: true, force: true });
});

/** Targets of the daemon's open descriptors on clip.bin (Linux /proc). */
async function openOnClip(): Promise<string[]> {
  const dir = `/proc/${daemon.process.pid}/fd`;
  const out: string[] = [];
  for (const fd of await readdir(dir)) {
    const target = await readlink(`${dir}/${fd}`).catch(() => '');
    if (target.includes('/clip.bin')) out.push(target);
  }
  return out;
}

async function get(range?: string): Promise<{ status: number; text: string; length: string | null }> {
  const r = await daemon.fetch('/api/file/Lib/clip.bin', range ? { headers: { range } } : {});
  return { status: r.status, text: await r.text(), length: r.headers.get('content-length') };
}

t.test('replaced, rewritten and deleted files are never served from an old descriptor', async (t) => {
  t.same(await get(), { status: 200, text: 'version one: the original bytes', length: '31' });
  t.same(await get('bytes=0-6'), { status: 206, text: 'version', length: '7' }, 'cached descriptor in use');

  await writeFile(join(base, 'new.bin'), 'version two, renamed over the first one');
  await rename(join(base, 'new.bin'), join(lib, 'clip.bin'));
  t.same(await get(), { status: 200, text: 'version two, renamed over the first one', length: '39' }, 'replaced by rename');
  t.same(await get('bytes=-8'), { status: 206, text: 'irst one', length: '8' });

  await writeFile(join(lib, 'clip.bin'), 'version 3, rewritten in place');
  t.same(await get('bytes=0-8'), { status: 206, text: 'version 3', length: '9' }, 'rewritten in place');

  await rm(join(lib, 'clip.bin'));
  const gone = await get();
  t.equal(gone.status, 404, 'deleted: 404');
  t.notMatch(gone.text, /version/, 'no old bytes');
  t.equal((await get('bytes=0-6')).status, 404, 'ranged GET of the deleted file: 404');
  // Every answer released its descriptor: the replaced and deleted files are closed at once.
  await eventually(async () => (await openOnClip()).length === 0, 10_000).catch(() => undefined);
  t.same(await openOnClip(), [], 'no descriptor left on the replaced or deleted files');
});
