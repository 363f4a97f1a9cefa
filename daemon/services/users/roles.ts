/**
 * Roles. Two system roles are built in and can be neither edited nor deleted:
 *   admin: everything ('*'); `isAdmin` is exactly "has the admin role".
 *   user:  browse, read, stream and download media, keep own data (tags, favorites,
 *          progress, watchlist), view and create shares, view own conversions and reports.
 * Custom roles (Catalogizer) carry catalogue permissions and live in the KV area
 * (see role.service.ts). Ids 1 and 2 mirror Catalogizer's seeded Admin/User roles.
 */
import { Permission } from './permissions.js';

export interface RoleRecord {
  id: number;
  /** Unique, case-insensitive; users reference a role by this name. */
  name: string;
  description?: string;
  /** Catalogue permissions, `prefix*` patterns, or '*'. */
  permissions: string[];
  isSystem: boolean;
  createdAt: number;
  updatedAt: number;
}

export const ADMIN_ROLE = 'admin';
export const USER_ROLE = 'user';

export const USER_ROLE_PERMISSIONS: readonly string[] = Object.freeze([
  Permission.MEDIA_VIEW, Permission.MEDIA_DOWNLOAD, Permission.MEDIA_STREAM, Permission.USERDATA_WRITE,
  Permission.SHARE_VIEW, Permission.SHARE_CREATE, Permission.CONVERSION_VIEW, Permission.REPORT_VIEW,
]);

export const SYSTEM_ROLES: readonly Readonly<RoleRecord>[] = Object.freeze([
  Object.freeze({
    id: 1, name: ADMIN_ROLE, description: 'Full access', permissions: ['*'], isSystem: true, createdAt: 0, updatedAt: 0,
  }),
  Object.freeze({
    id: 2, name: USER_ROLE, description: 'Browse, stream and keep own data', permissions: [...USER_ROLE_PERMISSIONS],
    isSystem: true, createdAt: 0, updatedAt: 0,
  }),
]);

export function isAdminRole(role: string): boolean {
  return role === ADMIN_ROLE;
}
