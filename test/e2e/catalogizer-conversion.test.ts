/**
 * Catalogizer conversion end to end on the built daemon with real ffmpeg: formats from the
 * local ffmpeg, audio / video / image conversions whose outputs ffprobe accepts and the index
 * holds, path rules (traversal 400, outside every library 403), validation, 409 on an
 * existing target, 501 for documents, listing with and without a status filter, cancel
 * mid-way (ffmpeg killed, no output, no temp file left), and the owner / manager rules.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { access, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startDaemon } from '../helpers/daemon.js';
import { createUser, v1Login } from './catalogizer-helpers.js';

const run = promisify(execFile);
const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);
async function ffprobe(file: string): Promise<{ format: { format_name: string; duration?: string }; streams: Array<{ codec_name: string; codec_type: string; width?: number }> }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]);
  return JSON.parse(stdout);
}

const media = await mkdtemp(join(tmpdir(), 'alcove-conv-media-'));
const cfgDir = await mkdtemp(join(tmpdir(), 'alcove-conv-cfg-'));
await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=5', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=5',
  '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', join(media, 'clip.mkv')]);
await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25:duration=120', '-f', 'lavfi', '-i', 'sine=frequency=300:duration=120',
  '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '35', '-c:a', 'aac', '-shortest', join(media, 'long.mkv')]);
await writeFile(join(cfgDir, 'alcove.yaml'), `rateLimits:\n  authPerMinute: 10000\n  apiPerMinute: 100000\nscan:\n  onStartup: true\n  watch: false\nlibraries:\n  - name: Media\n    path: ${media}\n    type: mixed\nconversion:\n  maxConcurrent: 1\n`);
const daemon = await startDaemon({ args: ['--config', join(cfgDir, 'alcove.yaml')] });
t.teardown(async () => {
  await daemon.stop();
  for (const d of [media, cfgDir]) await rm(d, { recursive: true, force: true });
});
await daemon.loginAdmin();
await eventually(async () => (await daemon.request('GET', '/api/v1/catalog-info/Media/long.mkv')).status === 200, 20_000);

async function finished(id: number, token?: string): Promise<any> {
  return eventually(async () => {
    const r = await daemon.request('GET', `/api/v1/conversion/jobs/${id}`, undefined, token);
    return ['completed', 'failed', 'cancelled'].includes(r.body.status) ? r.body : undefined;
  }, 60_000, 100);
}

t.test('formats come from the local ffmpeg', async (t) => {
  const res = await daemon.request('GET', '/api/v1/conversion/formats');
  t.equal(res.status, 200);
  for (const f of ['mp4', 'mkv', 'webm']) t.ok(res.body.video.output.includes(f), `video ${f}`);
  for (const f of ['mp3', 'flac', 'wav', 'ogg']) t.ok(res.body.audio.output.includes(f), `audio ${f}`);
  for (const f of ['jpg', 'png']) t.ok(res.body.image.output.includes(f), `image ${f}`);
  t.ok(res.body.video.input.includes('mkv') && res.body.audio.input.includes('flac'));
  t.same(res.body.document, { input: [], output: [] });
});

t.test('audio, video and image conversions produce files ffprobe accepts, indexed', async (t) => {
  const audio = await daemon.request('POST', '/api/v1/conversion/jobs', {
    source_path: 'Media/clip.mkv', target_path: 'Media/out/clip.mp3', source_format: 'mkv', target_format: 'mp3', conversion_type: 'audio',
    quality: 'high', priority: 1, settings: '{"bitrate": "192k"}',
  });
  t.equal(audio.status, 200, JSON.stringify(audio.body));
  t.match(audio.body, { user_id: Number, source_path: 'Media/clip.mkv', target_format: 'mp3', conversion_type: 'audio', quality: 'high', settings: '{"bitrate": "192k"}' });
  t.ok(['pending', 'running'].includes(audio.body.status));
  t.notOk('internal' in audio.body, 'storage details are not presented');
  const done = await finished(audio.body.id);
  t.equal(done.status, 'completed', done.error_message);
  t.equal(done.progress, 100);
  t.ok(done.duration > 0 && done.started_at && done.completed_at);
  const probe = await ffprobe(join(media, 'out', 'clip.mp3'));
  t.equal(probe.format.format_name, 'mp3');
  t.ok(Math.abs(Number(probe.format.duration) - 5) < 0.5, `duration ${probe.format.duration}`);
  const info = await daemon.request('GET', '/api/v1/catalog-info/Media/out/clip.mp3');
  t.equal(info.status, 200);
  t.equal(info.body.id, done.output_item_id, 'the output is in the index');

  const video = await daemon.request('POST', '/api/v1/conversion/jobs', {
    source_path: join(media, 'clip.mkv'), target_path: join(media, 'clip.webm'), conversion_type: 'video', quality: 'low', settings: { resolution: '160x120' },
  });
  t.equal(video.status, 200, JSON.stringify(video.body));
  t.equal((await finished(video.body.id)).status, 'completed');
  const vp = await ffprobe(join(media, 'clip.webm'));
  t.match(vp.streams.find((s) => s.codec_type === 'video'), { codec_name: /^vp[89]$/, width: 160 });
  t.ok(vp.streams.some((s) => s.codec_type === 'audio'));

  const image = await daemon.request('POST', '/api/v1/conversion/jobs', { source_path: 'Media:clip.mkv', target_path: 'Media:frame.jpg', conversion_type: 'image' });
  t.equal(image.status, 200, JSON.stringify(image.body));
  t.equal((await finished(image.body.id)).status, 'completed');
  t.match((await ffprobe(join(media, 'frame.jpg'))).streams[0], { codec_name: 'mjpeg', width: 320 });
});

t.test('validation and path rules', async (t) => {
  const post = (body: unknown) => daemon.request('POST', '/api/v1/conversion/jobs', body);
  const base = { source_path: 'Media/clip.mkv', target_path: 'Media/x.mp3', conversion_type: 'audio' };
  t.match((await post({ ...base, source_path: 'Media/../../etc/passwd' })).body, { success: false, code: 'PATH_TRAVERSAL' });
  const outside = await post({ ...base, target_path: '/etc/x.mp3' });
  t.equal(outside.status, 403);
  t.equal(outside.body.code, 'PATH_OUTSIDE_LIBRARY');
  t.equal((await post({ ...base, target_path: 'Nope/x.mp3' })).status, 403);
  t.equal((await post({ ...base, conversion_type: 'hologram' })).status, 400);
  t.equal((await post({ ...base, conversion_type: 'document', target_path: 'Media/x.pdf' })).status, 501);
  t.equal((await post({ ...base, target_path: 'Media/x.xyz' })).status, 400);
  t.equal((await post({ ...base, target_format: 'flac' })).status, 400, 'extension and target_format disagree');
  t.equal((await post({ ...base, quality: 'ultra' })).status, 400);
  t.equal((await post({ ...base, settings: '{"vf": "evil"}' })).status, 400);
  t.equal((await post({ ...base, scheduled_for: 'tomorrow' })).status, 400);
  t.equal((await post({ ...base, source_path: 'Media/missing.mkv' })).status, 404);
  t.equal((await post({ ...base, target_path: 'Media/long.mkv', conversion_type: 'video' })).status, 409);
  t.equal((await post([1])).status, 400);
});

t.test('listing, lookups and status filter', async (t) => {
  const all = await daemon.request('GET', '/api/v1/conversion/jobs');
  t.equal(all.status, 200);
  t.ok(Array.isArray(all.body) && all.body.length >= 3, 'jobs listed without a status filter');
  t.ok(all.body[0].id > all.body[all.body.length - 1].id, 'newest first');
  const completed = await daemon.request('GET', '/api/v1/conversion/jobs?status=completed&limit=2');
  t.equal(completed.body.length, 2);
  t.ok(completed.body.every((j: any) => j.status === 'completed'));
  t.equal((await daemon.request('GET', '/api/v1/conversion/jobs?status=bogus')).status, 400);
  const bad = await daemon.request('GET', '/api/v1/conversion/jobs/abc');
  t.equal(bad.status, 400);
  t.equal(bad.body.error, 'Invalid job ID');
  t.equal((await daemon.request('GET', '/api/v1/conversion/jobs/99999')).status, 404);
});

t.test('cancel mid-way kills ffmpeg and leaves no output', async (t) => {
  const job = await daemon.request('POST', '/api/v1/conversion/jobs', {
    source_path: 'Media/long.mkv', target_path: 'Media/long-copy.mp4', conversion_type: 'video', quality: 'high',
  });
  t.equal(job.status, 200, JSON.stringify(job.body));
  const running = await eventually(async () => {
    const r = await daemon.request('GET', `/api/v1/conversion/jobs/${job.body.id}`);
    return r.body.status === 'running' && r.body.progress > 0 ? r.body : undefined;
  }, 30_000, 50);
  t.ok(running.progress > 0 && running.progress < 100, `progress ${running.progress}`);
  const tempDir = join(daemon.stateDir, 'cache', 'conversions');
  t.ok((await readdir(tempDir)).length === 1, 'ffmpeg writes a temp file');
  const cancel = await daemon.request('POST', `/api/v1/conversion/jobs/${job.body.id}/cancel`);
  t.equal(cancel.status, 200);
  t.same(cancel.body, { message: 'Job cancelled successfully' });
  const after = await finished(job.body.id);
  t.equal(after.status, 'cancelled');
  await eventually(async () => (await readdir(tempDir)).length === 0, 5000);
  t.equal(await exists(join(media, 'long-copy.mp4')), false, 'no output under the target name');
  t.equal((await daemon.request('POST', `/api/v1/conversion/jobs/${job.body.id}/cancel`)).status, 409);
});

t.test('only the owner or a manager sees or cancels a job', async (t) => {
  const role = await daemon.request('POST', '/api/v1/roles', { name: 'converter', permissions: ['conversion.create', 'conversion.view', 'media.view'] });
  t.equal(role.status, 201);
  await createUser(daemon, 'conv-owner', 'owner-pass-1', role.body.id);
  await createUser(daemon, 'conv-plain', 'plain-pass-1');
  const owner = (await v1Login(daemon, 'conv-owner', 'owner-pass-1')).session_token;
  const plain = (await v1Login(daemon, 'conv-plain', 'plain-pass-1')).session_token;
  const body = { source_path: 'Media/clip.mkv', target_path: 'Media/owner.wav', conversion_type: 'audio', scheduled_for: new Date(Date.now() + 3_600_000).toISOString() };
  t.equal((await daemon.request('POST', '/api/v1/conversion/jobs', body, plain)).status, 403, 'no conversion.create');
  const mine = await daemon.request('POST', '/api/v1/conversion/jobs', body, owner);
  t.equal(mine.status, 200, JSON.stringify(mine.body));
  t.equal(mine.body.status, 'pending', 'scheduled an hour ahead');
  t.equal((await daemon.request('GET', `/api/v1/conversion/jobs/${mine.body.id}`, undefined, owner)).status, 200);
  t.equal((await daemon.request('GET', `/api/v1/conversion/jobs/${mine.body.id}`, undefined, plain)).status, 403);
  t.same((await daemon.request('GET', '/api/v1/conversion/jobs', undefined, plain)).body, [], 'a user lists only their own jobs');
  const ownList = (await daemon.request('GET', '/api/v1/conversion/jobs', undefined, owner)).body;
  t.same(ownList.map((j: any) => j.id), [mine.body.id]);
  t.equal((await daemon.request('POST', `/api/v1/conversion/jobs/${mine.body.id}/cancel`, undefined, plain)).status, 403);
  t.equal((await daemon.request('GET', `/api/v1/conversion/jobs/${mine.body.id}`)).status, 200, 'admin is a manager');
  t.ok((await daemon.request('GET', '/api/v1/conversion/jobs?all=true')).body.some((j: any) => j.id === mine.body.id), 'a manager lists everyone with all=true');
  t.equal((await daemon.request('POST', `/api/v1/conversion/jobs/${mine.body.id}/cancel`, undefined, owner)).status, 200, 'the owner cancels');
  t.equal((await daemon.request('GET', `/api/v1/conversion/jobs/${mine.body.id}`, undefined, owner)).body.status, 'cancelled');
});
