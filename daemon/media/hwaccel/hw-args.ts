/**
 * ffmpeg argument builders per acceleration method. Pure functions, table-tested against
 * known-good command lines (test/unit/hwaccel-args.test.ts).
 *
 * The shapes follow Jellyfin's (MediaBrowser.Controller EncodingHelper) for VAAPI and QSV:
 *  - VAAPI: `-init_hw_device vaapi=va:<node> -filter_hw_device va`, hardware decode with
 *    `-hwaccel vaapi -hwaccel_output_format vaapi` when the decoder is validated, scaling
 *    with scale_vaapi (format=nv12), HDR->SDR with tonemap_vaapi; frames decoded in
 *    software are uploaded with `format=nv12,hwupload`.
 *  - QSV on Linux: a VAAPI device first, QSV derived from it
 *    (`-init_hw_device vaapi=va:<node> -init_hw_device qsv=qs@va -filter_hw_device qs`),
 *    `-hwaccel qsv -hwaccel_output_format qsv`, scale_qsv, `-look_ahead 0`; software frames
 *    go up with `hwupload=extra_hw_frames=64`.
 *  - NVENC: CUDA decode into system memory (`-hwaccel cuda`), software scale, h264_nvenc
 *    with preset p4 / tune ll. (scale_cuda needs an ffmpeg built with nvcc; this shape works
 *    with distribution builds.)
 *  - V4L2M2M (Raspberry Pi, other ARM SoCs): software decode and scale, yuv420p, the M2M
 *    encoder (it needs a bitrate; it ignores presets).
 * Software: libx264 with the configured preset.
 */
import type { HwMethod } from './hw-types.js';

export interface VideoEncodeSpec {
  method: HwMethod;
  /** Render node, CUDA index or V4L2 node; default per method. */
  device?: string;
  /** Decode in hardware (only when the method validated a decoder for the source codec). */
  hwDecode: boolean;
  /** Output size (even numbers). */
  width: number;
  height: number;
  bitrate: number;
  /** HDR source to SDR output. */
  toneMap: boolean;
  lowPower: boolean;
  /** libx264 preset (software only). */
  preset: string;
  /** Software filters that must run before upload/scale (e.g. subtitle burn-in). */
  preFilters?: string[];
}

export interface VideoEncodeArgs {
  /** Arguments placed before `-i`. */
  input: string[];
  /** The -vf chain ('' = none). */
  filter: string;
  /** Encoder arguments (codec, rate control, pixel format). */
  encoder: string[];
}

export const DEFAULT_RENDER_NODE = '/dev/dri/renderD128';

const SW_TONEMAP = 'zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv';

function rate(bitrate: number): string[] {
  const k = Math.max(100, Math.round(bitrate / 1000));
  return ['-b:v', `${k}k`, '-maxrate', `${k}k`, '-bufsize', `${k * 2}k`];
}

/** The video part of a transcode for one method. */
export function buildVideoEncode(spec: VideoEncodeSpec): VideoEncodeArgs {
  const pre = spec.preFilters ?? [];
  // Burned-in subtitles are software filters: frames must be in system memory for them.
  const hwDecode = spec.hwDecode && pre.length === 0;
  const { width: w, height: h } = spec;
  switch (spec.method) {
    case 'vaapi': {
      const node = spec.device ?? DEFAULT_RENDER_NODE;
      const input = ['-init_hw_device', `vaapi=va:${node}`, '-filter_hw_device', 'va'];
      if (hwDecode) input.push('-hwaccel', 'vaapi', '-hwaccel_output_format', 'vaapi', '-hwaccel_device', 'va');
      const chain = hwDecode ? [] : [...pre, 'format=nv12', 'hwupload'];
      chain.push(spec.toneMap ? `tonemap_vaapi=format=nv12:p=bt709:t=bt709:m=bt709,scale_vaapi=w=${w}:h=${h}` : `scale_vaapi=w=${w}:h=${h}:format=nv12`);
      const encoder = ['-c:v', 'h264_vaapi', ...(spec.lowPower ? ['-low_power', '1'] : []), ...rate(spec.bitrate)];
      return { input, filter: chain.join(','), encoder };
    }
    case 'qsv': {
      const node = spec.device ?? DEFAULT_RENDER_NODE;
      const input = ['-init_hw_device', `vaapi=va:${node}`, '-init_hw_device', 'qsv=qs@va', '-filter_hw_device', 'qs'];
      if (hwDecode) input.push('-hwaccel', 'qsv', '-hwaccel_output_format', 'qsv');
      const chain = hwDecode ? [] : [...pre, 'format=nv12', 'hwupload=extra_hw_frames=64'];
      chain.push(spec.toneMap ? `vpp_qsv=tonemap=1:format=nv12,scale_qsv=w=${w}:h=${h}` : `scale_qsv=w=${w}:h=${h}:format=nv12`);
      const encoder = ['-c:v', 'h264_qsv', '-preset', 'veryfast', '-look_ahead', '0', ...(spec.lowPower ? ['-low_power', '1'] : []), ...rate(spec.bitrate)];
      return { input, filter: chain.join(','), encoder };
    }
    case 'nvenc': {
      const input = hwDecode ? ['-hwaccel', 'cuda', '-hwaccel_device', spec.device ?? '0'] : [];
      const chain = [...pre, ...(spec.toneMap ? [SW_TONEMAP] : []), `scale=${w}:${h}`, 'format=yuv420p'];
      const encoder = ['-c:v', 'h264_nvenc', '-gpu', spec.device && /^\d+$/.test(spec.device) ? spec.device : '0', '-preset', 'p4', '-tune', 'll', ...rate(spec.bitrate)];
      return { input, filter: chain.join(','), encoder };
    }
    case 'v4l2m2m': {
      const chain = [...pre, ...(spec.toneMap ? [SW_TONEMAP] : []), `scale=${w}:${h}`, 'format=yuv420p'];
      // The M2M wrapper finds its /dev/video node itself; it takes no device option.
      const encoder = ['-c:v', 'h264_v4l2m2m', ...rate(spec.bitrate)];
      return { input: [], filter: chain.join(','), encoder };
    }
    case 'none':
    default: {
      const chain = [...pre, ...(spec.toneMap ? [SW_TONEMAP] : []), `scale=${w}:${h}`, 'format=yuv420p'];
      const encoder = ['-c:v', 'libx264', '-preset', spec.preset, '-profile:v', 'high', '-level', '4.1', ...rate(spec.bitrate)];
      return { input: [], filter: chain.join(','), encoder };
    }
  }
}

/**
 * The one-second trial encode that validates an encoder (`ffmpeg` + these args; exit 0 =
 * works). Being listed by `-encoders` is not working: drivers, permissions and firmware
 * decide that.
 */
export function buildTrialArgs(method: Exclude<HwMethod, 'none'>, encoder: string, device?: string): string[] {
  const src = ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-t', '1'];
  const tail = ['-c:v', encoder, '-b:v', '2000k', '-f', 'null', '-'];
  const head = ['-hide_banner', '-v', 'verbose', '-nostdin'];
  switch (method) {
    case 'vaapi':
      return [...head, '-init_hw_device', `vaapi=va:${device ?? DEFAULT_RENDER_NODE}`, '-filter_hw_device', 'va', ...src, '-vf', 'format=nv12,hwupload', ...tail];
    case 'qsv':
      return [...head, '-init_hw_device', `vaapi=va:${device ?? DEFAULT_RENDER_NODE}`, '-init_hw_device', 'qsv=qs@va', '-filter_hw_device', 'qs', ...src, '-vf', 'format=nv12,hwupload=extra_hw_frames=64', ...tail];
    case 'nvenc':
      return [...head, ...src, '-pix_fmt', 'yuv420p', ...tail];
    case 'v4l2m2m':
      return [...head, ...src, '-pix_fmt', 'yuv420p', ...tail];
  }
}

/** `ffmpeg -init_hw_device vaapi=va:<node>` run that prints the driver name (verbose). */
export function buildVaapiInitArgs(node: string): string[] {
  return ['-hide_banner', '-v', 'verbose', '-nostdin', '-init_hw_device', `vaapi=va:${node}`, '-f', 'lavfi', '-i', 'nullsrc=s=16x16', '-frames:v', '1', '-f', 'null', '-'];
}
