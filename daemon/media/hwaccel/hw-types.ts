/**
 * Hardware acceleration vocabulary shared by detection, argument builders, the hardware
 * service and the transcoder. Pure types.
 */

/** An encode method; 'none' is software (libx264). */
export type HwMethod = 'none' | 'vaapi' | 'qsv' | 'nvenc' | 'v4l2m2m';
export const HW_METHODS: readonly HwMethod[] = ['none', 'vaapi', 'qsv', 'nvenc', 'v4l2m2m'];

export type HwPreference = 'auto' | HwMethod;
export const HW_PREFERENCES: readonly HwPreference[] = ['auto', ...HW_METHODS];

/** Admin settings (PUT /api/hardware), persisted in the index kv. */
export interface HwSettings {
  preference: HwPreference;
  /** Render node or device (e.g. /dev/dri/renderD129, a CUDA index '0', /dev/video11); default: the first found. */
  device?: string;
  /** Intel low-power (VDENC) encoding for VAAPI/QSV. */
  lowPower: boolean;
  /** Tone-map HDR to SDR when the client cannot show HDR. */
  toneMapping: boolean;
}

export const DEFAULT_HW_SETTINGS: Readonly<HwSettings> = Object.freeze({ preference: 'auto', lowPower: false, toneMapping: true });

export interface HwDevice {
  path: string;
  kind: 'dri-render' | 'nvidia' | 'v4l2';
  /** VAAPI driver line (e.g. "Intel iHD driver ... 23.1.1"), when known. */
  driver?: string;
  vendor?: 'intel' | 'amd' | 'nvidia' | 'broadcom' | 'other';
  /** The daemon's user can open the node read-write. */
  accessible: boolean;
}

export interface HwCodecCheck {
  name: string;
  method: HwMethod;
  /** Listed by `ffmpeg -encoders` / `-decoders` / `-hwaccels`. */
  listed: boolean;
  /** A one-second trial encode (decoders: hwaccel listed and device works) succeeded. */
  validated: boolean;
  error?: string;
}

export interface HwProblem {
  code: 'RENDER_PERMISSION' | 'NVIDIA_PERMISSION' | 'VIDEO_PERMISSION' | 'DRIVER_MISSING' | 'TRIAL_FAILED' | 'NO_DEVICE';
  message: string;
  /** What an admin runs to fix it. */
  fix?: string;
}

/** What GET /api/hardware shows. */
export interface HwReport {
  detectedAt: number;
  ffmpeg: { path: string; version: string };
  hwaccels: string[];
  devices: HwDevice[];
  encoders: HwCodecCheck[];
  decoders: HwCodecCheck[];
  /** Methods with at least one validated encoder. */
  available: HwMethod[];
  problems: HwProblem[];
}
