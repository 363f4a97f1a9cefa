/**
 * Facts about the running daemon for /health, /readyz, /version, /api/server and /metrics.
 * Readiness is false until the index is open; `attachIndex` flips it.
 */
import { arch, cpus, hostname, platform, release } from 'node:os';
import type { IndexStore } from '../../domain/ports.js';
import type { MediaToolsInfo } from './media-tools-info.js';

export interface BuildInfo { version: string; commit: string; buildTime: string }

export interface HealthReport {
  status: 'healthy' | 'starting' | 'degraded';
  ready: boolean;
  time: string;
  version: string;
  uptime: string;
  uptimeSeconds: number;
  indexing: boolean;
  lastIndexed?: string;
  filesIndexed: number;
  foldersIndexed: number;
  numCpu: number;
  nodeVersion: string;
  memory: { rss: number; heapUsed: number };
}

export class SystemService {
  private index?: IndexStore;
  private readonly startedAt: number;
  private activeScans = 0;
  private lastIndexedAt?: number;
  private mediaTools?: MediaToolsInfo;

  constructor(
    readonly serverId: string,
    readonly serverName: string,
    readonly build: BuildInfo,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  attachIndex(index: IndexStore): void { this.index = index; }
  setMediaTools(info: MediaToolsInfo): void { this.mediaTools = info; }
  scanStarted(): void { this.activeScans++; }
  scanFinished(at: number): void { this.activeScans = Math.max(0, this.activeScans - 1); this.lastIndexedAt = at; }

  get ready(): boolean { return this.index !== undefined; }

  uptimeSeconds(): number { return Math.floor((this.now() - this.startedAt) / 1000); }

  health(): HealthReport {
    const counters = this.index?.items.counters();
    const mem = process.memoryUsage();
    return {
      status: this.ready ? 'healthy' : 'starting',
      ready: this.ready,
      time: new Date(this.now()).toISOString(),
      version: this.build.version,
      uptime: formatDuration(this.now() - this.startedAt),
      uptimeSeconds: this.uptimeSeconds(),
      indexing: this.activeScans > 0,
      lastIndexed: this.lastIndexedAt ? new Date(this.lastIndexedAt).toISOString() : undefined,
      filesIndexed: counters?.files ?? 0,
      foldersIndexed: counters?.dirs ?? 0,
      numCpu: cpus().length,
      nodeVersion: process.version,
      memory: { rss: mem.rss, heapUsed: mem.heapUsed },
    };
  }

  version(): Record<string, string> {
    return {
      name: 'alcove', version: this.build.version, commit: this.build.commit, buildTime: this.build.buildTime,
      nodeVersion: process.version, os: platform(), arch: arch(),
    };
  }

  /** The public server card (h3xed /api/server): no secrets, no auth. */
  server(): Record<string, unknown> {
    return {
      id: this.serverId, name: this.serverName, version: this.build.version,
      platform: platform(), arch: arch(), osRelease: release(), hostname: hostname(),
      setupRequired: this.index ? this.index.users.countAdmins() === 0 : undefined,
      ffmpeg: this.mediaTools ? { version: this.mediaTools.ffmpeg.version, source: this.mediaTools.ffmpeg.source } : undefined,
      ffprobe: this.mediaTools ? { version: this.mediaTools.ffprobe.version, source: this.mediaTools.ffprobe.source } : undefined,
    };
  }
}

/** Go-style duration text ("1h2m3s"), as Media Viewer's /health shows uptime. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}
