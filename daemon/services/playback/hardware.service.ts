/**
 * Hardware acceleration state: detection (once, on first use, then on demand), admin
 * settings persisted in the index kv (`playback.hardware`), and the method a new transcode
 * uses. GET /api/hardware shows `report()`, PUT /api/hardware calls `update()`.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import { ValidationError } from '../../domain/errors.js';
import type { KvRepo } from '../../domain/ports.js';
import type { Logger } from '../../log/logger.js';
import { detectHardware, type HwProbeIo } from '../../media/hwaccel/hw-detect.js';
import { chooseMethod } from '../../media/hwaccel/hw-detect-parse.js';
import { DEFAULT_HW_SETTINGS, HW_PREFERENCES, type HwMethod, type HwPreference, type HwReport, type HwSettings } from '../../media/hwaccel/hw-types.js';

const KV_KEY = 'playback.hardware';

/** The real machine: ffmpeg runs (10 s cap each), /dev listings, access(2) checks. */
export function systemHwIo(ffmpegPath: string): HwProbeIo {
  return {
    ffmpeg: (args) => new Promise((resolve) => {
      execFile(ffmpegPath, args, { timeout: 10_000, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? (err as unknown as { code: number }).code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    }),
    listDir: (path) => readdir(path).catch(() => []),
    canOpen: (path) => access(path, constants.R_OK | constants.W_OK).then(() => true, () => false),
    now: () => Date.now(),
  };
}

export interface HardwareView extends HwReport {
  settings: HwSettings;
  /** What new transcodes use now. */
  chosen: HwMethod;
}

export class HardwareService {
  private detecting?: Promise<HwReport>;
  private last?: HwReport;

  constructor(private readonly deps: { kv: KvRepo; io: HwProbeIo; ffmpeg: { path: string; version: string }; logger: Logger }) {}

  settings(): HwSettings {
    return { ...DEFAULT_HW_SETTINGS, ...(this.deps.kv.get<Partial<HwSettings>>(KV_KEY) ?? {}) };
  }

  /** Detect once (concurrent callers share one run); `force` runs it again. */
  detect(force = false): Promise<HwReport> {
    if (!force && this.last) return Promise.resolve(this.last);
    this.detecting ??= detectHardware(this.deps.io, this.deps.ffmpeg)
      .then((r) => {
        this.last = r;
        this.deps.logger.info({ available: r.available, devices: r.devices.map((d) => d.path), problems: r.problems.map((p) => p.code) }, 'hardware detected');
        return r;
      })
      .finally(() => { this.detecting = undefined; });
    return this.detecting;
  }

  async view(force = false): Promise<HardwareView> {
    const report = await this.detect(force);
    const settings = this.settings();
    return { ...report, settings, chosen: chooseMethod(settings.preference, report.available) };
  }

  /** The method and settings for a new transcode. An explicit preference is honoured even if unvalidated (runtime falls back). */
  async current(): Promise<{ method: HwMethod; settings: HwSettings; report: HwReport }> {
    const report = await this.detect();
    const settings = this.settings();
    return { method: chooseMethod(settings.preference, report.available), settings, report };
  }

  async update(patch: Record<string, unknown>): Promise<HardwareView> {
    const next = this.settings();
    if (patch.preference !== undefined) {
      if (typeof patch.preference !== 'string' || !HW_PREFERENCES.includes(patch.preference as HwPreference)) {
        throw new ValidationError(`preference must be one of ${HW_PREFERENCES.join(', ')}`, { field: 'preference' });
      }
      next.preference = patch.preference as HwPreference;
    }
    if (patch.device !== undefined) {
      if (patch.device === null || patch.device === '') delete next.device;
      else if (typeof patch.device !== 'string' || !/^(\/dev\/[A-Za-z0-9/_-]+|\d{1,2})$/.test(patch.device)) {
        throw new ValidationError('device must be a /dev path or a GPU index', { field: 'device' });
      } else next.device = patch.device;
    }
    for (const key of ['lowPower', 'toneMapping'] as const) {
      if (patch[key] !== undefined) {
        if (typeof patch[key] !== 'boolean') throw new ValidationError(`${key} must be a boolean`, { field: key });
        next[key] = patch[key] as boolean;
      }
    }
    await this.deps.kv.put(KV_KEY, next);
    this.deps.logger.info({ settings: next }, 'hardware settings changed');
    return this.view();
  }
}
