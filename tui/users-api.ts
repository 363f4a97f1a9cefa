/**
 * User management over whichever surface the daemon offers: h3xed's /api/users when it
 * answers, else Catalogizer's /api/v1/users (both live on one user store). The surface is
 * chosen once, by whether GET /api/users exists, so a later "user not found" 404 is never
 * mistaken for "no such route". Rows are normalised to UserRow.
 */
import type { NewUser, UserRow } from './api-types.js';
import type { ApiCall } from './client.js';

type Surface = 'h3xed' | 'catalogizer';

/** Catalogizer's seeded role ids (daemon/services/users/roles.ts): 1 admin, 2 user. */
const ROLE_IDS: Record<string, number> = { admin: 1, user: 2 };

export class UsersApi {
  private surface?: Surface;

  constructor(private readonly call: ApiCall) {}

  /** Lists users, deciding the surface on the first call. */
  async list(): Promise<UserRow[]> {
    if (this.surface !== 'catalogizer') {
      try {
        const body = await this.call<unknown>('GET', '/api/users');
        this.surface = 'h3xed';
        return rowsOf(body);
      } catch (err) {
        if (!isNoRoute(err)) throw err;
        this.surface = 'catalogizer';
      }
    }
    return rowsOf(await this.call<unknown>('GET', '/api/v1/users?limit=100'));
  }

  async create(user: NewUser): Promise<void> {
    if ((await this.pick()) === 'h3xed') {
      await this.call('POST', '/api/users', { username: user.username, password: user.password, role: user.role, ...(user.email ? { email: user.email } : {}) });
    } else {
      await this.call('POST', '/api/v1/users', {
        username: user.username, password: user.password, email: user.email, role_id: ROLE_IDS[user.role] ?? user.role,
      });
    }
  }

  async resetPassword(id: number, password: string): Promise<void> {
    if ((await this.pick()) === 'h3xed') await this.call('PUT', `/api/users/${id}`, { password });
    else await this.call('POST', `/api/v1/users/${id}/reset-password`, { new_password: password });
  }

  async setRole(id: number, role: string): Promise<void> {
    if ((await this.pick()) === 'h3xed') await this.call('PUT', `/api/users/${id}`, { role });
    else await this.call('PUT', `/api/v1/users/${id}`, { role_id: ROLE_IDS[role] ?? role });
  }

  /** Catalogizer's create needs an email; the form asks for one only then. */
  async needsEmail(): Promise<boolean> { return (await this.pick()) === 'catalogizer'; }

  private async pick(): Promise<Surface> {
    if (!this.surface) await this.list();
    return this.surface!;
  }
}

function isNoRoute(err: unknown): boolean {
  const e = err as { status?: number; code?: string };
  return (e.status === 404 && (e.code === undefined || e.code === 'NOT_FOUND')) || e.status === 405 || e.status === 501;
}

function rowsOf(body: unknown): UserRow[] {
  const b = body as { users?: unknown; data?: unknown } | unknown[];
  const list = Array.isArray(b) ? b : Array.isArray(b?.users) ? b.users : Array.isArray(b?.data) ? b.data : [];
  return (list as Record<string, unknown>[]).map(toRow);
}

function toRow(u: Record<string, unknown>): UserRow {
  const roleObj = u.role && typeof u.role === 'object' ? (u.role as { name?: unknown }) : undefined;
  const role = typeof u.role === 'string' ? u.role
    : typeof roleObj?.name === 'string' ? roleObj.name.toLowerCase()
      : u.isAdmin === true ? 'admin' : u.role_id === 1 ? 'admin' : 'user';
  const last = u.lastLoginAt ?? u.last_login_at;
  return {
    id: Number(u.id),
    username: String(u.username ?? ''),
    role,
    email: typeof u.email === 'string' ? u.email : undefined,
    locked: u.locked === true || u.is_locked === true || u.is_active === false,
    lastLoginAt: typeof last === 'number' ? new Date(last).toISOString() : typeof last === 'string' ? last : undefined,
  };
}
