/**
 * Parsers for what ffmpeg and the kernel say about hardware. Pure, table-tested against
 * recorded outputs of real machines (test/fixtures/hwaccel).
 */
import type { HwDevice, HwMethod } from './hw-types.js';

/** `ffmpeg -hide_banner -hwaccels` -> ['vdpau', 'cuda', 'vaapi', ...]. */
export function parseHwaccels(output: string): string[] {
  const lines = output.split(/\r?\n/);
  const start = lines.findIndex((l) => /Hardware acceleration methods:/i.test(l));
  return lines.slice(start + 1).map((l) => l.trim()).filter((l) => /^[a-z0-9_]+$/.test(l));
}

/** `ffmpeg -hide_banner -encoders` (or -decoders) -> names of video codecs. */
export function parseCodecList(output: string): string[] {
  const out: string[] = [];
  for (const line of output.split(/\r?\n/)) {
    const m = /^\s*V[.A-Z]{5}\s+(\S+)\s/.exec(line);
    if (m && m[1] !== '=') out.push(m[1]);
  }
  return out;
}

/** Which method an encoder/decoder name belongs to. */
export function methodOfCodec(name: string): HwMethod | undefined {
  if (name.endsWith('_vaapi')) return 'vaapi';
  if (name.endsWith('_qsv')) return 'qsv';
  if (name.endsWith('_nvenc') || name.endsWith('_cuvid')) return 'nvenc';
  if (name.endsWith('_v4l2m2m')) return 'v4l2m2m';
  return undefined;
}

/** The hardware encoders we would use, per method (H.264 first: it plays everywhere). */
export const HW_ENCODERS: Readonly<Record<Exclude<HwMethod, 'none'>, readonly string[]>> = {
  vaapi: ['h264_vaapi', 'hevc_vaapi'],
  qsv: ['h264_qsv', 'hevc_qsv'],
  nvenc: ['h264_nvenc', 'hevc_nvenc'],
  v4l2m2m: ['h264_v4l2m2m'],
};

/**
 * The driver line of `ffmpeg -v verbose -init_hw_device vaapi=va:<node> ...` stderr:
 * "[AVHWDeviceContext @ 0x..] VAAPI driver: Intel iHD driver for Intel(R) Gen Graphics - 23.1.1 ()."
 */
export function parseVaapiDriver(stderr: string): { driver?: string; vendor?: HwDevice['vendor']; error?: string } {
  const m = /VAAPI driver:\s*(.+?)\.?\s*$/m.exec(stderr);
  if (m) return { driver: m[1].trim(), vendor: vendorOf(m[1]) };
  const failed = /(Failed to initialise VAAPI connection[^\n]*|No VA display found[^\n]*|Cannot open[^\n]*|Permission denied[^\n]*|Device creation failed[^\n]*)/.exec(stderr);
  return { error: failed ? failed[1].trim() : (lastNonEmpty(stderr) || 'VAAPI initialisation failed') };
}

export function vendorOf(driver: string): HwDevice['vendor'] {
  const d = driver.toLowerCase();
  if (d.includes('intel') || d.includes('ihd') || d.includes('i965')) return 'intel';
  if (d.includes('amd') || d.includes('radeon') || d.includes('radeonsi')) return 'amd';
  if (d.includes('nvidia') || d.includes('nouveau')) return 'nvidia';
  if (d.includes('broadcom') || d.includes('v3d')) return 'broadcom';
  return 'other';
}

/** Whether an ffmpeg trial's stderr says the device could not be opened for lack of rights. */
export function isPermissionError(stderr: string): boolean {
  return /permission denied|EACCES|Operation not permitted/i.test(stderr);
}

/** A short, useful line from an ffmpeg failure (the last line that says something). */
export function lastNonEmpty(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !/^Conversion failed!?$/.test(l));
  return lines[lines.length - 1] ?? '';
}

/** `/dev/dri` entries -> render nodes, sorted (renderD128 first). */
export function renderNodes(entries: string[]): string[] {
  return entries.filter((e) => /^renderD\d+$/.test(e)).sort((a, b) => Number(a.slice(7)) - Number(b.slice(7))).map((e) => `/dev/dri/${e}`);
}

/** `/dev` entries -> NVIDIA device nodes (/dev/nvidia0, ...; not nvidiactl/uvm). */
export function nvidiaNodes(entries: string[]): string[] {
  return entries.filter((e) => /^nvidia\d+$/.test(e)).sort().map((e) => `/dev/${e}`);
}

/** `/dev` entries -> V4L2 nodes (/dev/video*). */
export function v4l2Nodes(entries: string[]): string[] {
  return entries.filter((e) => /^video\d+$/.test(e)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5))).map((e) => `/dev/${e}`);
}

/** Method chosen for `auto`: the first available in this order (QSV beats VAAPI on Intel: better quality per watt). */
export function chooseMethod(preference: HwMethod | 'auto', available: readonly HwMethod[]): HwMethod {
  if (preference !== 'auto') return preference;
  for (const m of ['nvenc', 'qsv', 'vaapi', 'v4l2m2m'] as const) if (available.includes(m)) return m;
  return 'none';
}
