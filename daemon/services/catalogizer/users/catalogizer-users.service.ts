/**
 * Catalogizer's /api/v1/users on the one user store, with its permission rules:
 *   create user.create; list user.view; get self or user.view; update self or user.update,
 *   and changing role_id / is_active needs user.manage (403 when it would change them);
 *   delete user.delete, never oneself; reset-password, lock, unlock user.manage (never lock
 *   oneself). Locked or deactivated users cannot log in and their sessions die at once.
 */
import { hasPermission, type AuthInfo } from '../../../domain/auth.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../../domain/errors.js';
import { Permission } from '../../users/permissions.js';
import type { CatalogizerUserView } from '../auth/present.js';
import type { CatalogizerProfile } from '../auth/profile.store.js';
import type { UserDirectory } from './user-directory.js';

type Body = Record<string, unknown>;

export interface UserPage { users: CatalogizerUserView[]; total_count: number; limit: number; offset: number }

const optString = (body: Body, key: string, max = 200): string | undefined => {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length > max) throw new ValidationError(`${key} must be a string of at most ${max} characters`, { field: key });
  return v.trim();
};

export class CatalogizerUsersService {
  constructor(private readonly directory: UserDirectory) {}

  async create(body: Body): Promise<CatalogizerUserView> {
    const username = optString(body, 'username', 64);
    const email = optString(body, 'email', 254);
    const password = body.password;
    const missing = [!username && 'username', !email && 'email', (typeof password !== 'string' || !password) && 'password']
      .filter(Boolean) as string[];
    if (missing.length) throw new ValidationError(`Missing required fields: ${missing.join(', ')}`, { fields: missing });
    if (this.directory.users.getByUsername(username!) || this.directory.emailTaken(email!)) {
      throw new ConflictError('Username or email already exists', 'USER_EXISTS');
    }
    const role = this.roleName(body.role_id ?? 2);
    const created = await this.directory.users.create({
      username: username!, email, password: password as string, role, displayName: optString(body, 'display_name'),
    });
    await this.directory.profiles.update(created.id, this.profilePatch(body));
    if (body.is_active === false) await this.setActive(created.id, false);
    return this.directory.view(created.id);
  }

  list(limitRaw: string | null, offsetRaw: string | null): UserPage {
    const limit = clampInt(limitRaw, 50, 1, 100);
    const offset = clampInt(offsetRaw, 0, 0, Number.MAX_SAFE_INTEGER);
    const all = this.directory.users.list();
    return { users: all.slice(offset, offset + limit).map((u) => this.directory.view(u.id)), total_count: all.length, limit, offset };
  }

  get(auth: AuthInfo, id: number): CatalogizerUserView {
    if (auth.user.id !== id && !hasPermission(auth, Permission.USER_VIEW)) throw denied(Permission.USER_VIEW);
    return this.directory.view(id);
  }

  async update(auth: AuthInfo, id: number, body: Body): Promise<CatalogizerUserView> {
    const self = auth.user.id === id;
    if (!self && !hasPermission(auth, Permission.USER_UPDATE)) throw denied(Permission.USER_UPDATE);
    const current = this.directory.view(id);
    const roleChange = body.role_id !== undefined && body.role_id !== null && body.role_id !== current.role_id;
    const activeChange = typeof body.is_active === 'boolean' && body.is_active !== current.is_active;
    if ((roleChange || activeChange) && !hasPermission(auth, Permission.USER_MANAGE)) throw denied(Permission.USER_MANAGE);
    if (activeChange && self && body.is_active === false) throw new ValidationError('Cannot deactivate your own account', { field: 'is_active' });

    const username = optString(body, 'username', 64);
    if (username !== undefined && username.toLowerCase() !== current.username.toLowerCase()) {
      // The core store keys users by name; renaming is not offered by the other surfaces either.
      throw new ValidationError('username cannot be changed', { field: 'username' }, 'USERNAME_IMMUTABLE');
    }
    const email = optString(body, 'email', 254);
    if (email && this.directory.emailTaken(email, id)) throw new ConflictError('Username or email already exists', 'USER_EXISTS');
    await this.directory.users.update(id, {
      ...(roleChange ? { role: this.roleName(body.role_id) } : {}),
      ...(email !== undefined ? { email: email || null } : {}),
      ...(body.display_name !== undefined ? { displayName: optString(body, 'display_name') ?? null } : {}),
    });
    await this.directory.profiles.update(id, this.profilePatch(body));
    if (activeChange) await this.setActive(id, body.is_active as boolean);
    return this.directory.view(id);
  }

  async remove(auth: AuthInfo, id: number): Promise<void> {
    if (auth.user.id === id) throw new ValidationError('Cannot delete your own account', undefined, 'CANNOT_DELETE_SELF');
    this.directory.record(id);
    await this.directory.users.remove(id);
    await this.directory.profiles.remove(id);
  }

  async resetPassword(id: number, body: Body): Promise<{ message: string }> {
    if (typeof body.new_password !== 'string' || body.new_password === '') {
      throw new ValidationError('new_password is required', { field: 'new_password' });
    }
    await this.directory.users.resetPassword(id, body.new_password);
    return { message: 'Password reset successfully' };
  }

  async lock(auth: AuthInfo, id: number, body: Body): Promise<{ message: string }> {
    if (auth.user.id === id) throw new ValidationError('Cannot lock your own account', undefined, 'CANNOT_LOCK_SELF');
    const until = typeof body.lock_until === 'string' ? Date.parse(body.lock_until) : Number.NaN;
    if (!Number.isFinite(until)) throw new ValidationError('Invalid lock_until format', { field: 'lock_until' });
    if (until <= Date.now()) throw new ValidationError('lock_until must be in the future', { field: 'lock_until' });
    this.directory.record(id);
    await this.directory.lock(id, until);
    return { message: 'Account locked successfully' };
  }

  async unlock(id: number): Promise<{ message: string }> {
    this.directory.record(id);
    await this.directory.unlock(id);
    return { message: 'Account unlocked successfully' };
  }

  private async setActive(id: number, active: boolean): Promise<void> {
    await this.directory.profiles.update(id, { disabled: active ? undefined : true });
    if (active) {
      const profile = this.directory.profiles.get(id);
      if (!profile.lockedUntil || profile.lockedUntil <= Date.now()) await this.directory.users.update(id, { locked: false });
    } else {
      await this.directory.users.update(id, { locked: true });
    }
  }

  private roleName(roleId: unknown): string {
    const id = typeof roleId === 'string' && /^\d+$/.test(roleId) ? Number(roleId) : roleId;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new ValidationError('role_id must be an integer', { field: 'role_id' });
    const role = this.directory.roles.get(id);
    if (!role) throw new ValidationError(`Unknown role_id: ${id}`, { field: 'role_id' });
    return role.name;
  }

  private profilePatch(body: Body): Partial<CatalogizerProfile> {
    const patch: Partial<CatalogizerProfile> = {};
    const map: Array<[string, keyof CatalogizerProfile]> = [
      ['first_name', 'firstName'], ['last_name', 'lastName'], ['avatar_url', 'avatarUrl'], ['time_zone', 'timeZone'], ['language', 'language'],
    ];
    for (const [key, field] of map) {
      if (body[key] !== undefined) (patch as Record<string, unknown>)[field] = optString(body, key, 2048) || undefined;
    }
    if (body.settings !== undefined) {
      const s = typeof body.settings === 'string' ? safeParse(body.settings) : body.settings;
      if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new ValidationError('settings must be an object', { field: 'settings' });
      if (JSON.stringify(s).length > 64 * 1024) throw new ValidationError('settings too large', { field: 'settings' });
      patch.settings = s as Record<string, unknown>;
    }
    return patch;
  }
}

function safeParse(text: string): unknown {
  try { return JSON.parse(text); } catch { return undefined; }
}

function denied(permission: string): ForbiddenError {
  return new ForbiddenError(`Insufficient permissions: ${permission} required`, 'PERMISSION_DENIED');
}

/** Integer query value within [min, max]; anything else gives the default. */
export function clampInt(raw: string | null, fallback: number, min: number, max: number): number {
  if (raw === null || !/^-?\d+$/.test(raw)) return fallback;
  const n = Number(raw);
  return n < min || n > max ? fallback : n;
}
