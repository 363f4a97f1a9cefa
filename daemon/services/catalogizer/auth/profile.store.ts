/**
 * Catalogizer's per-user profile fields that Alcove's core user record does not carry
 * (first/last name, avatar, time zone, language, settings, timed lock, disabled flag, login
 * bookkeeping). One record per user id in the 'catalogizer-profile' collection; the core
 * record stays the source of truth for name, role, email and the lock that refuses logins.
 */
import type { RecordRepo } from '../../../domain/ports.js';

export interface CatalogizerProfile {
  firstName?: string;
  lastName?: string;
  avatarUrl?: string;
  timeZone?: string;
  language?: string;
  /** Free JSON object, answered as a JSON string (Catalogizer's `settings`). */
  settings?: Record<string, unknown>;
  /** Account deactivated (`is_active: false`); the core user is locked meanwhile. */
  disabled?: boolean;
  /** Timed lock (epoch ms); the core user is locked until then. */
  lockedUntil?: number;
  failedLoginAttempts?: number;
  lastLoginIp?: string;
}

const COLLECTION = 'catalogizer-profile';

export class ProfileStore {
  constructor(private readonly records: RecordRepo) {}

  get(userId: number): CatalogizerProfile {
    return this.records.get<CatalogizerProfile>(COLLECTION, userId) ?? {};
  }

  async update(userId: number, patch: Partial<CatalogizerProfile>): Promise<CatalogizerProfile> {
    const next: CatalogizerProfile = { ...this.get(userId) };
    for (const [k, v] of Object.entries(patch) as Array<[keyof CatalogizerProfile, unknown]>) {
      if (v === undefined) delete next[k];
      else (next as Record<string, unknown>)[k] = v;
    }
    await this.records.put(COLLECTION, userId, next);
    return next;
  }

  async remove(userId: number): Promise<void> {
    await this.records.remove(COLLECTION, userId);
  }

  /** Every stored profile (timed locks are restored from these at start). */
  all(): Array<{ userId: number; profile: CatalogizerProfile }> {
    return [...this.records.scan<CatalogizerProfile>(COLLECTION)].map((e) => ({ userId: Number(e.id), profile: e.value }));
  }
}
