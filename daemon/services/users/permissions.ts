/**
 * The permission catalogue: Catalogizer's (GET /api/v1/roles/permissions, grouped exactly as
 * it answers) plus the few Alcove permissions its catalogue lacks (streaming, per-user data,
 * library management). Route guards name permissions through `Permission`.
 *
 * Matching (Catalogizer semantics): a role grants `*` (everything), an exact permission, or
 * a `prefix*` pattern such as `media.*`; patterns are expanded against this catalogue.
 */

export const PERMISSION_CATALOGUE = {
  media_management: {
    delete_media: 'media.delete', edit_media: 'media.edit', upload_media: 'media.upload', view_media: 'media.view',
    download_media: 'media.download', stream_media: 'media.stream',
  },
  role_management: { manage_roles: 'system.admin', view_roles: 'system.admin' },
  share_management: {
    create_shares: 'share.create', delete_shares: 'share.delete', edit_shares: 'share.edit', view_shares: 'share.view',
  },
  system: {
    export_data: 'analytics.export', manage_settings: 'system.configure', system_admin: 'system.admin',
    view_analytics: 'analytics.view', manage_libraries: 'library.manage',
  },
  user_management: {
    create_user: 'user.create', delete_user: 'user.delete', edit_user: 'user.update', manage_users: 'user.manage',
    view_user: 'user.view',
  },
  conversion: { create_conversion: 'conversion.create', view_conversion: 'conversion.view', manage_conversion: 'conversion.manage' },
  reports: { create_report: 'report.create', view_report: 'report.view' },
  user_data: { own_data: 'userdata.write' },
} as const;

type Catalogue = typeof PERMISSION_CATALOGUE;
type PermissionOf<G> = G[keyof G];
export type PermissionName = { [K in keyof Catalogue]: PermissionOf<Catalogue[K]> }[keyof Catalogue];

/** Named constants for route guards: `Permission.MEDIA_VIEW` etc. */
export const Permission = {
  MEDIA_VIEW: 'media.view', MEDIA_DOWNLOAD: 'media.download', MEDIA_STREAM: 'media.stream',
  MEDIA_EDIT: 'media.edit', MEDIA_DELETE: 'media.delete', MEDIA_UPLOAD: 'media.upload',
  SHARE_CREATE: 'share.create', SHARE_VIEW: 'share.view', SHARE_EDIT: 'share.edit', SHARE_DELETE: 'share.delete',
  SYSTEM_ADMIN: 'system.admin', SYSTEM_CONFIGURE: 'system.configure', LIBRARY_MANAGE: 'library.manage',
  ANALYTICS_VIEW: 'analytics.view', ANALYTICS_EXPORT: 'analytics.export',
  USER_CREATE: 'user.create', USER_VIEW: 'user.view', USER_UPDATE: 'user.update', USER_DELETE: 'user.delete',
  USER_MANAGE: 'user.manage',
  CONVERSION_CREATE: 'conversion.create', CONVERSION_VIEW: 'conversion.view', CONVERSION_MANAGE: 'conversion.manage',
  REPORT_CREATE: 'report.create', REPORT_VIEW: 'report.view',
  USERDATA_WRITE: 'userdata.write',
} as const satisfies Record<string, PermissionName>;

/** Every distinct permission of the catalogue, sorted. */
export const ALL_PERMISSIONS: readonly string[] = Object.freeze(
  [...new Set(Object.values(PERMISSION_CATALOGUE).flatMap((group) => Object.values(group) as string[]))].sort(),
);

/** True when `entry` is `*`, a catalogue permission, or a `prefix*` matching at least one. */
export function isValidPermissionEntry(entry: string): boolean {
  if (entry === '*') return true;
  if (entry.endsWith('*')) {
    const prefix = entry.slice(0, -1);
    return prefix.length > 0 && ALL_PERMISSIONS.some((p) => p.startsWith(prefix));
  }
  return ALL_PERMISSIONS.includes(entry);
}

/** Expand `prefix*` entries against the catalogue; `*` is kept as is (it means all). */
export function expandPermissions(entries: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const entry of entries) {
    if (entry === '*') out.add('*');
    else if (entry.endsWith('*')) {
      const prefix = entry.slice(0, -1);
      for (const p of ALL_PERMISSIONS) if (p.startsWith(prefix)) out.add(p);
    } else out.add(entry);
  }
  return out;
}
