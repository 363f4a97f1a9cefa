/**
 * Hardware detection: which devices exist, whether the daemon may open them, what ffmpeg
 * lists, and which encoders really work (a one-second trial encode each). The I/O is behind
 * `HwProbeIo`, so tests replay recorded outputs of real machines.
 *
 *   /dev/dri/renderD*  --access R/W?--> VAAPI init (driver name) --> trial h264_vaapi, h264_qsv
 *   /dev/nvidia*       --access R/W?--> trial h264_nvenc
 *   /dev/video*        --access R/W?--> trial h264_v4l2m2m
 *   ffmpeg -hwaccels / -encoders / -decoders: what the build supports at all
 */
import type { HwCodecCheck, HwDevice, HwMethod, HwProblem, HwReport } from './hw-types.js';
import { HW_ENCODERS, isPermissionError, lastNonEmpty, nvidiaNodes, parseCodecList, parseHwaccels, parseVaapiDriver, renderNodes, v4l2Nodes } from './hw-detect-parse.js';
import { buildTrialArgs, buildVaapiInitArgs } from './hw-args.js';

export interface HwExecResult { code: number | null; stdout: string; stderr: string }

/** The side effects detection needs. */
export interface HwProbeIo {
  ffmpeg(args: string[]): Promise<HwExecResult>;
  /** Directory entries ([] when missing). */
  listDir(path: string): Promise<string[]>;
  /** Whether the process may open the node read-write. */
  canOpen(path: string): Promise<boolean>;
  now(): number;
}

/** Hardware decoders worth using per method, by source codec. */
const HW_DECODE_CODECS: Record<Exclude<HwMethod, 'none'>, string[]> = {
  vaapi: ['h264', 'hevc', 'vp9', 'av1', 'mpeg2video'],
  qsv: ['h264', 'hevc', 'vp9', 'av1', 'mpeg2video'],
  nvenc: ['h264', 'hevc', 'vp9', 'av1', 'mpeg2video'],
  v4l2m2m: [],
};

const FIX_RENDER = 'Add the daemon user to the render and video groups (sudo usermod -aG render,video alcove) and restart the daemon';

export async function detectHardware(io: HwProbeIo, ffmpeg: { path: string; version: string }): Promise<HwReport> {
  const [hwaccelsOut, encodersOut, decodersOut] = await Promise.all([
    io.ffmpeg(['-hide_banner', '-hwaccels']), io.ffmpeg(['-hide_banner', '-encoders']), io.ffmpeg(['-hide_banner', '-decoders']),
  ]);
  const hwaccels = parseHwaccels(hwaccelsOut.stdout);
  const listedEncoders = new Set(parseCodecList(encodersOut.stdout));
  const listedDecoders = new Set(parseCodecList(decodersOut.stdout));
  const devices: HwDevice[] = [];
  const encoders: HwCodecCheck[] = [];
  const problems: HwProblem[] = [];
  const working = new Set<HwMethod>();

  const trial = async (method: Exclude<HwMethod, 'none'>, name: string, device?: string): Promise<HwCodecCheck> => {
    const check: HwCodecCheck = { name, method, listed: listedEncoders.has(name), validated: false };
    if (!check.listed) { check.error = 'not in this ffmpeg build'; return check; }
    const res = await io.ffmpeg(buildTrialArgs(method, name, device));
    if (res.code === 0) { check.validated = true; working.add(method); } else check.error = lastNonEmpty(res.stderr) || `exit ${res.code}`;
    return check;
  };

  // VAAPI / QSV on DRM render nodes.
  const dri = renderNodes(await io.listDir('/dev/dri'));
  for (const node of dri) {
    const dev: HwDevice = { path: node, kind: 'dri-render', accessible: await io.canOpen(node) };
    devices.push(dev);
    if (!dev.accessible) {
      problems.push({ code: 'RENDER_PERMISSION', message: `${node} exists but the daemon may not open it (permission denied)`, fix: FIX_RENDER });
      continue;
    }
    if (!hwaccels.includes('vaapi')) continue;
    const init = await io.ffmpeg(buildVaapiInitArgs(node));
    const parsed = parseVaapiDriver(init.stderr);
    if (parsed.driver) { dev.driver = parsed.driver; dev.vendor = parsed.vendor; } else {
      problems.push(isPermissionError(init.stderr)
        ? { code: 'RENDER_PERMISSION', message: `${node}: ${parsed.error}`, fix: FIX_RENDER }
        : { code: 'DRIVER_MISSING', message: `${node}: ${parsed.error}`, fix: 'Install the VAAPI driver (Intel: intel-media-va-driver-non-free; AMD: mesa-va-drivers)' });
    }
  }
  // Only the first usable node is trialled (the default device); others are listed.
  const primary = devices.find((d) => d.kind === 'dri-render' && d.accessible && d.driver);
  if (primary) {
    for (const name of HW_ENCODERS.vaapi) encoders.push(await trial('vaapi', name, primary.path));
    if (primary.vendor === 'intel' && hwaccels.includes('qsv')) for (const name of HW_ENCODERS.qsv) encoders.push(await trial('qsv', name, primary.path));
  }

  // NVIDIA.
  const nv = nvidiaNodes(await io.listDir('/dev'));
  for (const node of nv) {
    const dev: HwDevice = { path: node, kind: 'nvidia', vendor: 'nvidia', accessible: await io.canOpen(node) };
    devices.push(dev);
    if (!dev.accessible) problems.push({ code: 'NVIDIA_PERMISSION', message: `${node} exists but the daemon may not open it`, fix: 'Add the daemon user to the video group (sudo usermod -aG video alcove) and restart' });
  }
  if (nv.some((n) => devices.find((d) => d.path === n)?.accessible)) for (const name of HW_ENCODERS.nvenc) encoders.push(await trial('nvenc', name));

  // V4L2 M2M (ARM SoCs). Only worth a trial where there is no DRM/NVIDIA encoder.
  const v4l2 = v4l2Nodes(await io.listDir('/dev'));
  if (v4l2.length && listedEncoders.has('h264_v4l2m2m')) {
    for (const node of v4l2) devices.push({ path: node, kind: 'v4l2', accessible: await io.canOpen(node) });
    if (devices.some((d) => d.kind === 'v4l2' && d.accessible)) encoders.push(await trial('v4l2m2m', 'h264_v4l2m2m'));
    else problems.push({ code: 'VIDEO_PERMISSION', message: 'V4L2 devices exist but none can be opened', fix: 'Add the daemon user to the video group (sudo usermod -aG video alcove) and restart' });
  }

  for (const e of encoders) {
    if (!e.validated && e.listed) problems.push({ code: 'TRIAL_FAILED', message: `${e.name}: trial encode failed: ${e.error ?? 'unknown error'}` });
  }
  if (devices.length === 0) problems.push({ code: 'NO_DEVICE', message: 'No GPU device nodes (/dev/dri, /dev/nvidia*, /dev/video*): software encoding only' });

  const decoders: HwCodecCheck[] = [];
  for (const method of ['vaapi', 'qsv', 'nvenc'] as const) {
    const accel = method === 'nvenc' ? 'cuda' : method;
    for (const codec of HW_DECODE_CODECS[method]) {
      const name = `${codec}:${method}`;
      const listed = hwaccels.includes(accel) && (method !== 'qsv' || listedDecoders.has(`${codec === 'mpeg2video' ? 'mpeg2' : codec}_qsv`));
      decoders.push({ name, method, listed, validated: listed && working.has(method) });
    }
  }
  const available = (['vaapi', 'qsv', 'nvenc', 'v4l2m2m'] as const).filter((m) => working.has(m));
  return { detectedAt: io.now(), ffmpeg, hwaccels, devices, encoders, decoders, available, problems };
}

/** Whether `report` validated a hardware decoder for `codec` under `method`. */
export function canHwDecode(report: HwReport | undefined, method: HwMethod, codec: string): boolean {
  return !!report?.decoders.some((d) => d.method === method && d.validated && d.name === `${codec}:${method}`);
}
