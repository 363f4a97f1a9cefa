/**
 * Catalogizer's JSON views of users and roles (seed 003 + api-003 §3): snake_case keys in
 * upstream struct order, times as RFC 3339, nullable strings as null.
 */
import type { PublicUser } from '../../../domain/types.js';
import type { RoleRecord } from '../../users/roles.js';
import type { CatalogizerProfile } from './profile.store.js';

export interface CatalogizerRoleView {
  id: number; name: string; description: string | null; permissions: string[]; is_system: boolean;
  created_at: string; updated_at: string;
}

export interface CatalogizerUserView {
  id: number; username: string; email: string | null; role_id: number | null; role?: CatalogizerRoleView;
  first_name: string | null; last_name: string | null; display_name: string | null; avatar_url: string | null;
  time_zone: string | null; language: string | null; settings: string;
  is_active: boolean; is_locked: boolean; locked_until?: string; failed_login_attempts: number;
  last_login_at: string | null; last_login_ip?: string; created_at: string; updated_at: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function toRoleView(role: RoleRecord): CatalogizerRoleView {
  return {
    id: role.id, name: role.name, description: role.description ?? null, permissions: [...role.permissions],
    is_system: role.isSystem, created_at: iso(role.createdAt), updated_at: iso(role.updatedAt),
  };
}

/** `role` is included when given (login, me, users list); registration answers omit it. */
export function toUserView(
  user: PublicUser & { updatedAt?: number }, profile: CatalogizerProfile, role: RoleRecord | undefined, withRole = true,
): CatalogizerUserView {
  const lockedUntil = profile.lockedUntil && user.locked ? profile.lockedUntil : undefined;
  return {
    id: user.id, username: user.username, email: user.email ?? null, role_id: role?.id ?? null,
    ...(withRole && role ? { role: toRoleView(role) } : {}),
    first_name: profile.firstName ?? null, last_name: profile.lastName ?? null,
    display_name: user.displayName ?? null, avatar_url: profile.avatarUrl ?? null,
    time_zone: profile.timeZone ?? null, language: profile.language ?? null,
    settings: JSON.stringify(profile.settings ?? {}),
    is_active: !profile.disabled, is_locked: user.locked && !profile.disabled,
    ...(lockedUntil ? { locked_until: iso(lockedUntil) } : {}),
    failed_login_attempts: profile.failedLoginAttempts ?? 0,
    last_login_at: user.lastLoginAt ? iso(user.lastLoginAt) : null,
    ...(profile.lastLoginIp ? { last_login_ip: profile.lastLoginIp } : {}),
    created_at: iso(user.createdAt), updated_at: iso(user.updatedAt ?? user.createdAt),
  };
}
