/**
 * Refresh-token reuse detection. A refresh token is single use: when it is exchanged, its
 * session id is written here with the rotation family it belonged to. Presenting it again
 * (a stolen copy, or a replay) finds it here, and the caller revokes the whole family, i.e.
 * the session the legitimate holder received by rotating it.
 *
 * Storage: one KV entry per user (`refresh-used:<userId>`), a small list pruned of entries
 * whose token has expired anyway and capped at `maxPerUser` (oldest go first). Operations
 * run one at a time, so two concurrent exchanges of the same token cannot both succeed.
 */
import { systemClock, type Clock, type KvRepo } from '../../domain/ports.js';

interface UsedEntry { sid: string; family: string; expiresAt: number }

export interface RefreshLedgerOptions {
  maxPerUser?: number;
  clock?: Clock;
}

export class RefreshLedger {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly maxPerUser: number;
  private readonly clock: Clock;

  constructor(private readonly kv: KvRepo, options: RefreshLedgerOptions = {}) {
    this.maxPerUser = options.maxPerUser ?? 500;
    this.clock = options.clock ?? systemClock;
  }

  /** Run `work` exclusively (exchanges are serialized through here). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The family of an already used refresh token of `userId`, if any. */
  usedFamily(userId: number, sid: string): string | undefined {
    return this.entries(userId).find((e) => e.sid === sid)?.family;
  }

  /** Record `sid` as used; kept until `expiresAt` (the token's own expiry). */
  async markUsed(userId: number, sid: string, family: string, expiresAt: number): Promise<void> {
    const now = this.clock.now();
    const kept = this.entries(userId).filter((e) => e.expiresAt > now && e.sid !== sid);
    kept.push({ sid, family, expiresAt });
    await this.kv.put(key(userId), kept.slice(-this.maxPerUser));
  }

  /** Forget a user's entries (user removed). */
  async forget(userId: number): Promise<void> {
    await this.kv.remove(key(userId));
  }

  private entries(userId: number): UsedEntry[] {
    const value = this.kv.get<UsedEntry[]>(key(userId));
    return Array.isArray(value) ? value : [];
  }
}

const key = (userId: number): string => `refresh-used:${userId}`;
