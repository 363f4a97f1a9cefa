/**
 * What an authenticated request carries. Produced by the auth service from a cookie,
 * Bearer token or ?token= query; consumed by daemon/http (route guards) and services.
 */
import type { PublicUser, Session } from './types.js';

export interface AuthInfo {
  user: PublicUser;
  session: Session;
  isAdmin: boolean;
  /** Effective permissions of the user's role (Catalogizer catalogue; admin has '*'). */
  permissions: ReadonlySet<string>;
}

/** Route-level requirement enforced by daemon/http before the handler runs. */
export type AccessRule =
  | { kind: 'public' }
  | { kind: 'user' }
  | { kind: 'admin' }
  /** Admin, or a user whose role grants this permission. */
  | { kind: 'permission'; permission: string };

export function hasPermission(auth: AuthInfo, permission: string): boolean {
  return auth.isAdmin || auth.permissions.has('*') || auth.permissions.has(permission);
}
