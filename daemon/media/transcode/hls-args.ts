/**
 * The ffmpeg command line of one HLS run (a session restarts ffmpeg on far seeks, so a
 * session has runs). Pure; table-tested.
 *
 * Timing choices (first segment fast, seeks line up):
 *  - small -analyzeduration/-probesize: the index already probed the file;
 *  - `-ss` before `-i` (fast input seek, then accurate decode to the time) with `-copyts
 *    -start_at_zero`: output timestamps are the source's, so segments of different runs
 *    join, and burned-in subtitles stay in sync after a seek;
 *  - transcode: keyframes forced at the plan's times and the segment muxer cutting at the
 *    same times (`-segment_times`), so segment N is the same whichever run made it;
 *  - stream copy: cuts fall on source keyframes (`-segment_time`), no restarts.
 */
import type { VideoEncodeArgs } from '../hwaccel/hw-args.js';

export interface HlsRunSpec {
  input: string;
  /** Seconds; 0 = from the start. */
  startSec: number;
  /** First segment number of this run. */
  startNumber: number;
  /** Absolute cut times after startSec (transcode); ignored for copy. */
  cutTimes: number[];
  segmentSeconds: number;
  videoStream?: number;
  audioStream?: number;
  video: { mode: 'copy' } | { mode: 'transcode'; encode: VideoEncodeArgs } | { mode: 'none' };
  audio: { mode: 'copy' } | { mode: 'transcode'; channels: number; bitrate: number } | { mode: 'none' };
  /** Output pattern (…/seg-%d.ts) and CSV list path. */
  segmentPattern: string;
  listPath: string;
}

const times = (list: number[]): string => list.map((t) => String(Math.round(t * 1000) / 1000)).join(',');

export function buildHlsArgs(spec: HlsRunSpec): string[] {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    '-analyzeduration', '1000000', '-probesize', '2000000', '-fflags', '+genpts'];
  if (spec.video.mode === 'transcode') args.push(...spec.video.encode.input);
  if (spec.startSec > 0) args.push('-ss', String(spec.startSec));
  args.push('-copyts', '-start_at_zero', '-i', spec.input);
  if (spec.videoStream !== undefined && spec.video.mode !== 'none') args.push('-map', `0:${spec.videoStream}`);
  if (spec.audioStream !== undefined && spec.audio.mode !== 'none') args.push('-map', `0:${spec.audioStream}`);
  args.push('-map_metadata', '-1', '-map_chapters', '-1', '-sn', '-dn');

  if (spec.video.mode === 'transcode') {
    const enc = spec.video.encode;
    if (enc.filter) args.push('-vf', enc.filter);
    args.push(...enc.encoder);
    if (spec.cutTimes.length) args.push('-force_key_frames', times(spec.cutTimes));
  } else if (spec.video.mode === 'copy') {
    args.push('-c:v', 'copy');
  }
  if (spec.audio.mode === 'transcode') {
    args.push('-c:a', 'aac', '-ac', String(spec.audio.channels), '-b:a', `${Math.round(spec.audio.bitrate / 1000)}k`);
  } else if (spec.audio.mode === 'copy') {
    args.push('-c:a', 'copy');
  }
  args.push('-max_muxing_queue_size', '2048', '-avoid_negative_ts', 'disabled',
    '-f', 'segment', '-segment_format', 'mpegts', '-segment_start_number', String(spec.startNumber));
  if (spec.video.mode === 'transcode') {
    if (spec.cutTimes.length) args.push('-segment_times', times(spec.cutTimes));
    else args.push('-segment_time', '100000');
  } else {
    args.push('-segment_time', String(spec.segmentSeconds));
  }
  args.push('-segment_list', spec.listPath, '-segment_list_type', 'csv', spec.segmentPattern);
  return args;
}

/**
 * Escape a value for an ffmpeg filter option inside a filtergraph (two levels: the option
 * value, then the graph), e.g. a subtitle file name for `subtitles=filename=...`.
 */
export function escapeFilterValue(value: string): string {
  const level1 = value.replace(/[\\':]/g, (m) => `\\${m}`);
  return level1.replace(/[\\'[\],;]/g, (m) => `\\${m}`);
}
