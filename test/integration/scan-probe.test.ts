/**
 * ProbeJob after a scan: real ProbeService (ffprobe, music-metadata, exifr/sharp) on
 * generated fixtures, both through local paths and through the ranged `open` reader of a
 * non-local adapter. A corrupt file is recorded as failed and never stops the queue.
 */
import t, { type Test } from 'tap';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { LocalAdapter } from '../../storage-adapters/local/local.adapter.js';
import { MemoryAdapter } from '../../storage-adapters/memory/memory.adapter.js';
import { ProbeService } from '../../daemon/media/probe.service.js';
import { locateMediaTools } from '../../daemon/media/tools.js';
import { ProbeJob } from '../../daemon/jobs/probe.job.js';
import { silentLogger } from '../../daemon/log/logger.js';
import { makeMediaFixtures, FIXTURE_FACTS, type MediaFixtures } from '../helpers/media-fixtures.js';
import { makeScanEnv, eventsOf, type ScanEnv } from './scan-harness.js';
import type { ScanService } from '../../daemon/scanner/scan.service.js';

const fixturesDir = await mkdtemp(join(tmpdir(), 'alcove-scan-probe-'));
t.teardown(() => rm(fixturesDir, { recursive: true, force: true }));
const fx: MediaFixtures = await makeMediaFixtures(fixturesDir);
await writeFile(join(fixturesDir, 'notes.txt'), 'not media');
await writeFile(join(fixturesDir, 'empty.mp4'), '');
const prober = new ProbeService(await locateMediaTools(silentLogger()), silentLogger(), { timeoutMs: 20_000 });

/** A ScanEnv whose scanner kicks a real ProbeJob. */
async function withProbeJob(t: Test, adapter: LocalAdapter | MemoryAdapter, url?: string, autoKick = true): Promise<{ env: ScanEnv; job: ProbeJob; scanner: ScanService }> {
  let job: ProbeJob | undefined;
  const probeQueue = autoKick ? { kick: () => job?.kick() } : undefined;
  const env = await makeScanEnv(t, { adapter, url, probeQueue });
  job = new ProbeJob({ index: env.index, prober, getAdapter: env.getAdapter, events: env.events, logger: silentLogger(), options: { concurrency: 2 } });
  t.teardown(() => job?.stop());
  return { env, job, scanner: env.sut };
}

t.test('local files: probe info filled, corrupt file failed, queue drained', async (t) => {
  const { env, job } = await withProbeJob(t, new LocalAdapter(fixturesDir), `file://${fixturesDir}`);
  await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  t.ok(env.store.items.pendingProbe(0, 1000).length > 0 || eventsOf(env.seen, 'job.progress').length > 0, 'probe work queued after the scan');
  await job.idle();
  const tree = env.tree();
  const get = (path: string) => tree.get(basename(path));
  t.equal(env.store.items.pendingProbe(0, 1000).length, 0, 'nothing left pending');

  const jpeg = get(fx.jpeg);
  t.equal(jpeg?.probeState, 'done');
  t.equal(jpeg?.probe?.width, FIXTURE_FACTS.jpeg.width);
  t.equal(jpeg?.probe?.height, FIXTURE_FACTS.jpeg.height);
  t.equal(jpeg?.probe?.camera?.make, FIXTURE_FACTS.jpeg.make);
  const mp4 = get(fx.mp4);
  t.equal(mp4?.probeState, 'done');
  t.equal(mp4?.probe?.video?.[0]?.width, FIXTURE_FACTS.video.width);
  t.ok(Math.abs((mp4?.probe?.durationMs ?? 0) - FIXTURE_FACTS.video.durationMs) < 300, 'video duration');
  t.ok((mp4?.probe?.audio?.length ?? 0) >= 1, 'audio stream listed');
  const mp3 = get(fx.mp3WithTags);
  t.equal(mp3?.probeState, 'done');
  t.equal(mp3?.probe?.tags?.title, FIXTURE_FACTS.tags.title);
  t.equal(mp3?.probe?.tags?.artist, FIXTURE_FACTS.tags.artist);
  const broken = get(fx.brokenMp4);
  t.equal(broken?.probeState, 'failed', 'corrupt file recorded as failed');
  t.ok(broken?.probeError && broken.probeError.length > 0, 'with an error message');
  t.equal(get(join(fixturesDir, 'notes.txt'))?.probeState, undefined, 'non-media files are not probed');
  const empty = tree.get('empty.mp4');
  t.match(empty, { probeState: 'skipped', probeError: 'empty file' }, 'an empty file is skipped, not probed');
  const media = [...tree.values()].filter((i) => i.kind === 'file' && ['image', 'video', 'audio'].includes(i.mediaType) && i.size > 0);
  t.ok(media.length >= 10);
  t.same(media.filter((i) => i.probeState !== 'done' && i.probeState !== 'failed').map((i) => i.relPath), [], 'every media file settled');
  t.same(media.filter((i) => i.probeState === 'failed').map((i) => i.relPath), ['broken.mp4'], 'only the corrupt file failed');
  const progress = eventsOf(env.seen, 'job.progress');
  t.equal(progress.at(-1)?.state, 'done', 'final job.progress says done');
  t.equal(progress.at(-1)?.done, media.length, 'every media item counted');

  // A changed file is probed again after the next scan.
  const doneEvents = progress.filter((e) => e.state === 'done').length;
  await utimes(fx.jpeg, new Date(), new Date(Date.now() + 10_000));
  const rescan = await env.sut.scanLibrary(env.library.id, { kind: 'incremental', trigger: 'manual' });
  t.equal(rescan.changed, 1);
  await job.idle();
  t.equal(env.tree().get(basename(fx.jpeg))?.probeState, 'done', 're-probed');
  t.ok(eventsOf(env.seen, 'job.progress').filter((e) => e.state === 'done').length > doneEvents, 'a second drain ran');
});

t.test('remote-style adapter: probing through ranged reads', async (t) => {
  const mem = new MemoryAdapter();
  for (const f of [fx.jpeg, fx.mp4, fx.mp3WithTags, fx.brokenMp4]) mem.seed(`in/${basename(f)}`, await readFile(f));
  const { env, job } = await withProbeJob(t, mem);
  await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  await job.idle();
  const tree = env.tree();
  t.equal(tree.get('in/photo.jpg')?.probe?.width, FIXTURE_FACTS.jpeg.width, 'image via open()');
  t.equal(tree.get('in/clip.mp4')?.probe?.video?.[0]?.height, FIXTURE_FACTS.video.height, 'video via open()');
  t.equal(tree.get('in/tagged.mp3')?.probe?.tags?.album, FIXTURE_FACTS.tags.album, 'audio via open()');
  t.equal(tree.get('in/broken.mp4')?.probeState, 'failed');
});

t.test('offline storage leaves items pending instead of failed; stop() ends the job', async (t) => {
  const mem = new MemoryAdapter();
  mem.seed('x/photo.jpg', await readFile(fx.jpeg));
  const { env, job } = await withProbeJob(t, mem, undefined, false);
  await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  job.kick();
  await job.idle();
  t.equal(env.tree().get('x/photo.jpg')?.probeState, 'done');
  mem.seed('x/second.jpg', await readFile(fx.jpeg));
  await env.sut.scanLibrary(env.library.id, { kind: 'incremental', trigger: 'manual' });
  mem.setOffline(true);
  await job.idle();
  t.equal(env.tree().get('x/second.jpg')?.probeState, 'pending', 'kept pending while storage is offline');
  mem.setOffline(false);
  job.kick();
  await job.idle();
  t.equal(env.tree().get('x/second.jpg')?.probeState, 'done', 'probed once storage is back');
  await job.stop();
  const before = JSON.stringify([...env.tree().values()].map((i) => [i.relPath, i.probeState]));
  job.kick();
  await job.idle();
  t.equal(JSON.stringify([...env.tree().values()].map((i) => [i.relPath, i.probeState])), before, 'kick after stop is a no-op');
});
