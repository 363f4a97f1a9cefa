/**
 * Playback benchmark (standalone: `node dist/bench/playback.bench.js [--seconds 30] [--rounds 2]`).
 *
 * Per profile, a real HLS session (TranscodeSessionManager + HlsSession + the same argument
 * builders the daemon uses, software encoding, default preset veryfast, 4 s segments with
 * 1/1/2 s first segments) on a generated clip:
 *  - time to first playable segment: session start -> seg-0.ts listed by the muxer;
 *  - encode speed: clip duration / time until the last segment is done (x realtime);
 *  - far seek: time to get the last segment of a fresh session (ffmpeg restart at that point).
 * Baseline: ffmpeg's own HLS muxer, the DEPENDENCIES.md shape (`-f hls -hls_time 4`,
 * libx264 veryfast, default analyzeduration), time until its first segment is listed.
 * Prints a Markdown table and one JSON line.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { silentLogger } from '../daemon/log/logger.js';
import { locateMediaTools } from '../daemon/media/tools.js';
import { buildVideoEncode } from '../daemon/media/hwaccel/hw-args.js';
import { buildHlsArgs } from '../daemon/media/transcode/hls-args.js';
import { TranscodeSessionManager } from '../daemon/media/transcode/session-manager.js';

const run = promisify(execFile);

function opt(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

interface Profile { name: string; src: string; gen: string[]; out: { w: number; h: number; bitrate: number }; toneMap?: boolean }

async function main(): Promise<void> {
  const seconds = opt('seconds', 30);
  const rounds = opt('rounds', 2);
  const tools = await locateMediaTools(silentLogger());
  const ffmpeg = tools.ffmpeg.path;
  const dir = await mkdtemp(join(tmpdir(), 'alcove-bench-play-'));
  const lavfi = (size: string, rate = 24): string[] => ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`, '-f', 'lavfi', '-i', `sine=duration=${seconds}`];
  const profiles: Profile[] = [
    { name: '1080p H.264 -> 720p', src: 'h264-1080.mp4', gen: [...lavfi('1920x1080'), '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '8M', '-g', '48', '-pix_fmt', 'yuv420p', '-c:a', 'aac'], out: { w: 1280, h: 720, bitrate: 4e6 } },
    { name: '1080p H.264 -> 1080p', src: 'h264-1080.mp4', gen: [], out: { w: 1920, h: 1080, bitrate: 8e6 } },
    { name: '1080p HEVC -> 720p', src: 'hevc-1080.mkv', gen: [...lavfi('1920x1080'), '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-c:a', 'ac3'], out: { w: 1280, h: 720, bitrate: 4e6 } },
    { name: '720p VP9 -> 720p', src: 'vp9-720.webm', gen: [...lavfi('1280x720'), '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '2M', '-c:a', 'libopus'], out: { w: 1280, h: 720, bitrate: 4e6 } },
    { name: '1080p HEVC 10-bit HDR10 -> 720p SDR', src: 'hdr-1080.mkv', gen: [...lavfi('1920x1080'), '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-pix_fmt', 'yuv420p10le', '-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc', '-c:a', 'aac'], out: { w: 1280, h: 720, bitrate: 4e6 }, toneMap: true },
  ];
  for (const p of profiles) {
    const file = join(dir, p.src);
    if (p.gen.length && !(await stat(file).catch(() => undefined))) {
      await run(ffmpeg, ['-v', 'error', '-y', ...p.gen, '-shortest', file]);
    }
  }

  const manager = new TranscodeSessionManager({ dir: join(dir, 'hls'), maxSessions: 2, idleTimeoutSec: 600, cacheMaxBytes: 8 << 30, logger: silentLogger() });
  await manager.init();
  const session = (p: Profile) => manager.create({ userId: 0, fileId: 0, createdAt: Date.now(), method: 'none' }, {
    ffmpegPath: ffmpeg, mode: 'transcode', durationSec: seconds, segmentSeconds: 4, hardware: false,
    buildArgs: (r) => buildHlsArgs({
      input: join(dir, p.src), startSec: r.startSec, startNumber: r.startNumber, cutTimes: r.cutTimes, segmentSeconds: 4, videoStream: 0, audioStream: 1,
      video: { mode: 'transcode', encode: buildVideoEncode({ method: 'none', hwDecode: false, width: p.out.w, height: p.out.h, bitrate: p.out.bitrate, toneMap: !!p.toneMap, lowPower: false, preset: 'veryfast' }) },
      audio: { mode: 'transcode', channels: 2, bitrate: 160_000 }, segmentPattern: r.segmentPattern, listPath: r.listPath,
    }),
  });

  const rows: Array<Record<string, number | string>> = [];
  for (const p of profiles) {
    let first = Infinity; let speed = 0; let seek = Infinity;
    for (let round = 0; round < rounds; round++) {
      const t0 = performance.now();
      const s = await session(p);
      await s.segment(0);
      first = Math.min(first, performance.now() - t0);
      const count = s.segmentCount!;
      // Keep the player "at" the newest segment so the encoder is never paused.
      for (let n = 1; n < count; n++) await s.segment(n);
      speed = Math.max(speed, seconds / ((performance.now() - t0) / 1000));
      await manager.remove(s.id);
      const s2 = await session(p);
      const t1 = performance.now();
      await s2.segment(count - 2);
      seek = Math.min(seek, performance.now() - t1);
      await manager.remove(s2.id);
    }
    rows.push({ profile: p.name, firstSegmentMs: Math.round(first), speedX: Math.round(speed * 100) / 100, farSeekMs: Math.round(seek) });
  }

  // Baseline: ffmpeg's HLS muxer as measured in DEPENDENCIES.md.
  let baseFirst = Infinity;
  for (let round = 0; round < rounds; round++) {
    const out = join(dir, `base-${round}`);
    await mkdir(out, { recursive: true });
    const t0 = performance.now();
    const child = spawn(ffmpeg, ['-v', 'error', '-i', join(dir, 'h264-1080.mp4'), '-vf', 'scale=1280:720', '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '4M', '-c:a', 'aac',
      '-f', 'hls', '-hls_time', '4', '-hls_playlist_type', 'event', join(out, 'index.m3u8')], { stdio: 'ignore' });
    for (;;) {
      const text = await readFile(join(out, 'index.m3u8'), 'utf8').catch(() => '');
      if (/\.ts/.test(text)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    baseFirst = Math.min(baseFirst, performance.now() - t0);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
  }
  await manager.closeAll();
  await rm(dir, { recursive: true, force: true });

  console.log(`\nPlayback (${seconds} s clips, software libx264 veryfast, ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}, ffmpeg ${tools.ffmpeg.version}, best of ${rounds})\n`);
  console.log('| profile | first segment | encode speed | far seek |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.profile} | ${r.firstSegmentMs} ms | ${r.speedX}x | ${r.farSeekMs} ms |`);
  console.log(`| baseline: ffmpeg -f hls, 4 s segments, 1080p -> 720p | ${Math.round(baseFirst)} ms | | |`);
  console.log(JSON.stringify({ bench: 'playback', seconds, rounds, load: loadavg()[0], rows, baselineFirstSegmentMs: Math.round(baseFirst) }));
}

main().catch((err: unknown) => { console.error(err); process.exit(1); });
