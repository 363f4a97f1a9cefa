/**
 * The shapes the TUI reads from the daemon's HTTP API (docs/API.md). Only what the TUI
 * shows is declared; the daemon may send more. Pure types shared with daemon/domain.
 */
import type { IndexCounters, ScanRecord } from '../daemon/domain/types.js';

export type { ServerEvent } from '../daemon/domain/ports.js';

export interface PublicUserView {
  id: number; username: string; role: string; isAdmin: boolean; locked?: boolean;
}

export interface AuthCheck { authenticated: boolean; setupRequired: boolean; user?: PublicUserView }

export interface LoginResult { success: boolean; token: string; expiresIn: number; user: PublicUserView }

export interface HealthView {
  status: string; ready: boolean; version: string; uptime: string; uptimeSeconds: number;
  indexing: boolean; lastIndexed?: string; filesIndexed: number; foldersIndexed: number;
  numCpu: number; nodeVersion: string; memory: { rss: number; heapUsed: number };
}

export interface ServerView {
  id: string; name: string; version: string; platform: string; arch: string; hostname: string;
  setupRequired: boolean; ffmpeg?: { version?: string; source?: string };
}

export interface ScanStatusView {
  libraryId: number; scanId: number; state: 'running' | 'done' | 'failed' | 'cancelled';
  phase: 'walk' | 'probe' | 'idle'; done: number; total?: number; currentPath?: string;
  startedAt: number; finishedAt?: number; added?: number; changed?: number; removed?: number;
}

export interface LibraryLocationView { id: number; url?: string; online: boolean; lastError?: string; lastScanAt?: number }

export interface LibraryView {
  id: string; numericId: number; name: string; type: string; topLevelCount: number;
  locations: LibraryLocationView[]; online: boolean; scan: ScanStatusView | null;
}

export interface ScanStatusReport { scanning: boolean; libraries: ScanStatusView[]; history: ScanRecord[] }

/** The body of POST /api/libraries the TUI sends. */
export interface NewLibrary {
  name: string; type: string;
  location: { url: string; username?: string; password?: string; domain?: string };
}

/** GET /api/hardware (a subset of the daemon's HardwareView; see daemon/media/hwaccel). */
export interface HardwareView {
  detectedAt: number;
  ffmpeg: { path: string; version: string };
  hwaccels: string[];
  devices: Array<{ path: string; kind: string; driver?: string; vendor?: string; accessible: boolean }>;
  encoders: Array<{ name: string; method: string; listed: boolean; validated: boolean; error?: string }>;
  available: string[];
  problems: Array<{ code: string; message: string; fix?: string }>;
  settings?: { preference?: string; device?: string };
  chosen?: string;
}

/** One user row, normalised from whichever users surface the daemon offers. */
export interface UserRow {
  id: number; username: string; role: string; email?: string; locked: boolean; lastLoginAt?: string;
}

export interface NewUser { username: string; password: string; role: string; email?: string }

/** The WebSocket `status` request's result. */
export interface RealtimeStatus extends HealthView {
  libraries: number; counters: IndexCounters; scans: ScanStatusView[]; websocketClients: number;
}

/** A daemon log line from the `logs` topic. */
export interface LogRecordView { level: number; time: string | number; msg: string; component?: string; [k: string]: unknown }
