/**
 * The Catalogizer view over Alcove's one user store: builds Catalogizer user objects from
 * the core record, its role and the Catalogizer profile, and owns timed locks (a lock with
 * `lock_until` lifts itself: a timer per lock, restored from the profiles at start, and a
 * check at login so an expired lock never refuses anyone).
 */
import { NotFoundError } from '../../../domain/errors.js';
import { systemClock, type Clock } from '../../../domain/ports.js';
import type { User } from '../../../domain/types.js';
import type { Logger } from '../../../log/logger.js';
import type { RoleService } from '../../users/role.service.js';
import { toPublicUser, type UserService } from '../../users/user.service.js';
import { toUserView, type CatalogizerUserView } from '../auth/present.js';
import type { ProfileStore } from '../auth/profile.store.js';

/** setTimeout's limit; longer locks re-arm when this fires. */
const MAX_TIMER_MS = 2_147_000_000;

export class UserDirectory {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly clock: Clock;

  constructor(
    readonly users: UserService,
    readonly roles: RoleService,
    readonly profiles: ProfileStore,
    private readonly logger?: Logger,
    clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
  }

  record(id: number): User {
    const user = Number.isSafeInteger(id) ? this.users.getRecord(id) : undefined;
    if (!user) throw new NotFoundError('User not found', 'USER_NOT_FOUND');
    return user;
  }

  view(id: number, withRole = true): CatalogizerUserView {
    const user = this.record(id);
    return toUserView({ ...toPublicUser(user), updatedAt: user.updatedAt }, this.profiles.get(id), this.roles.get(user.role), withRole);
  }

  /** Find a user by username or, failing that, by email (Catalogizer logs in with either). */
  findByLogin(login: string): User | undefined {
    const byName = this.users.getByUsername(login);
    if (byName) return this.users.getRecord(byName.id);
    const lower = login.toLowerCase();
    const match = this.users.list().find((u) => u.email?.toLowerCase() === lower);
    return match ? this.users.getRecord(match.id) : undefined;
  }

  emailTaken(email: string, exceptId?: number): boolean {
    const lower = email.toLowerCase();
    return this.users.list().some((u) => u.id !== exceptId && u.email?.toLowerCase() === lower);
  }

  /** Lock until `until` (epoch ms): sessions die now, the lock lifts itself at `until`. */
  async lock(id: number, until: number): Promise<void> {
    await this.users.update(id, { locked: true });
    await this.profiles.update(id, { lockedUntil: until });
    this.arm(id, until);
  }

  async unlock(id: number): Promise<void> {
    this.disarm(id);
    const profile = this.profiles.get(id);
    await this.profiles.update(id, { lockedUntil: undefined, failedLoginAttempts: 0 });
    // A deactivated account stays locked: only `is_active: true` reactivates it.
    if (!profile.disabled) await this.users.update(id, { locked: false });
  }

  /** Lift a timed lock that has expired (called before login). */
  async liftExpiredLock(id: number): Promise<void> {
    const profile = this.profiles.get(id);
    if (profile.lockedUntil !== undefined && profile.lockedUntil <= this.clock.now()) await this.unlock(id);
  }

  /** Re-arm the timers of stored timed locks (daemon start). */
  async restore(): Promise<void> {
    for (const { userId, profile } of this.profiles.all()) {
      if (profile.lockedUntil === undefined || !this.users.getRecord(userId)) continue;
      if (profile.lockedUntil <= this.clock.now()) await this.unlock(userId).catch(() => undefined);
      else this.arm(userId, profile.lockedUntil);
    }
  }

  close(): void {
    for (const id of [...this.timers.keys()]) this.disarm(id);
  }

  private arm(id: number, until: number): void {
    this.disarm(id);
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, until - this.clock.now()));
    const timer = setTimeout(() => {
      this.timers.delete(id);
      if (until > this.clock.now()) { this.arm(id, until); return; }
      this.unlock(id).catch((err: unknown) => this.logger?.warn({ err, userId: id }, 'timed unlock failed'));
    }, wait);
    timer.unref();
    this.timers.set(id, timer);
  }

  private disarm(id: number): void {
    const timer = this.timers.get(id);
    if (timer) { clearTimeout(timer); this.timers.delete(id); }
  }
}
