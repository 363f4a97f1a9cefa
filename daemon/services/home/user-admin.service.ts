/**
 * h3xed user administration (/api/users*, admin only): list, create, update, delete,
 * restrictions and share links. Deleting a user revokes their sessions and removes their
 * personal data (favorites, progress, watchlist: UserRepo.remove, one transaction) and any
 * progress still buffered. A share link is a scoped ('login'), expiring, single-use token
 * that signs its holder in as that user (POST /api/share-link/redeem) - for setting up a
 * family member's TV without typing a password.
 */
import { NotFoundError, UnauthorizedError, ValidationError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { PublicUser, User } from '../../domain/types.js';
import type { AuthServices } from '../auth/create-auth.js';
import type { ClientMeta } from '../auth/session.service.js';
import { KNOWN_RATINGS, ratingRank } from '../access/content-rating.js';
import type { ProgressService } from './progress.service.js';

export const SHARE_SCOPE = 'login';
const DEFAULT_SHARE_TTL_SEC = 7 * 86_400;
const MAX_SHARE_TTL_SEC = 90 * 86_400;

export interface RestrictionsView { libraries: { id: string; numericId: number; name: string }[] | null; maxContentRating: string | null; excludedLabels: string[] }

/** Library references (uuid strings or numeric ids) -> ids; 400 on unknown ones. */
export function resolveLibraryIds(index: IndexStore, raw: unknown, field: string): number[] {
  if (!Array.isArray(raw)) throw new ValidationError(`${field} must be an array of library ids`, { field });
  const out = new Set<number>();
  for (const ref of raw) {
    const lib = typeof ref === 'number' || (typeof ref === 'string' && /^\d{1,9}$/.test(ref))
      ? index.libraries.get(Number(ref))
      : typeof ref === 'string' ? index.libraries.getByUuid(ref) : undefined;
    if (!lib) throw new ValidationError(`Unknown library: ${String(ref)}`, { field }, 'LIBRARY_NOT_FOUND');
    out.add(lib.id);
  }
  return [...out];
}

export function parseUserId(raw: string | undefined): number {
  if (!raw || !/^\d{1,9}$/.test(raw)) throw new ValidationError('user id must be a positive integer', { field: 'id' });
  return Number(raw);
}

export class UserAdminService {
  constructor(private readonly index: IndexStore, private readonly auth: AuthServices, private readonly progress: ProgressService) {}

  list(): (PublicUser & { restrictions: RestrictionsView })[] {
    return this.auth.users.list().map((u) => ({ ...u, restrictions: this.restrictionsOf(u.id) }));
  }

  async create(body: Record<string, unknown>): Promise<PublicUser & { restrictions: RestrictionsView }> {
    const { username, password } = body;
    if (typeof username !== 'string' || typeof password !== 'string') throw new ValidationError('username and password are required', { field: typeof username !== 'string' ? 'username' : 'password' });
    const role = body.isAdmin === true ? 'admin' : typeof body.role === 'string' ? body.role : 'user';
    const restrictions = body.restrictions !== undefined ? this.parseRestrictions(body.restrictions) : undefined;
    const user = await this.auth.users.create({
      username, password, role,
      ...(typeof body.email === 'string' ? { email: body.email } : {}),
      ...(typeof body.displayName === 'string' ? { displayName: body.displayName } : {}),
    });
    if (restrictions) await this.auth.users.update(user.id, { restrictions });
    return { ...this.auth.users.get(user.id), restrictions: this.restrictionsOf(user.id) };
  }

  async update(id: number, body: Record<string, unknown>): Promise<PublicUser & { restrictions: RestrictionsView }> {
    this.require(id);
    const patch: Parameters<AuthServices['users']['update']>[1] = {};
    if (body.isAdmin !== undefined) {
      if (typeof body.isAdmin !== 'boolean') throw new ValidationError('isAdmin must be a boolean', { field: 'isAdmin' });
      patch.role = body.isAdmin ? 'admin' : 'user';
    }
    if (body.role !== undefined) { if (typeof body.role !== 'string') throw new ValidationError('role must be a string', { field: 'role' }); patch.role = body.role; }
    for (const f of ['email', 'displayName'] as const) {
      const v = body[f];
      if (v === undefined) continue;
      if (v !== null && typeof v !== 'string') throw new ValidationError(`${f} must be a string or null`, { field: f });
      patch[f] = v;
    }
    if (body.locked !== undefined) { if (typeof body.locked !== 'boolean') throw new ValidationError('locked must be a boolean', { field: 'locked' }); patch.locked = body.locked; }
    if (body.restrictions !== undefined) patch.restrictions = body.restrictions === null ? null : this.parseRestrictions(body.restrictions);
    if (body.password !== undefined) {
      if (typeof body.password !== 'string') throw new ValidationError('password must be a string', { field: 'password' });
      await this.auth.users.resetPassword(id, body.password);
    }
    if (Object.keys(patch).length) await this.auth.users.update(id, patch);
    return { ...this.auth.users.get(id), restrictions: this.restrictionsOf(id) };
  }

  async remove(id: number): Promise<void> {
    this.require(id);
    await this.auth.users.remove(id);
    this.progress.dropUser(id);
  }

  restrictionsOf(id: number): RestrictionsView {
    const r = this.require(id).restrictions;
    return {
      libraries: r?.libraryIds ? r.libraryIds.map((l) => this.index.libraries.get(l)).filter((l) => l !== undefined).map((l) => ({ id: l.uuid, numericId: l.id, name: l.name })) : null,
      maxContentRating: r?.maxContentRating ?? null,
      excludedLabels: r?.excludedLabels ?? [],
    };
  }

  async setRestrictions(id: number, body: Record<string, unknown>): Promise<RestrictionsView> {
    this.require(id);
    await this.auth.users.update(id, { restrictions: this.parseRestrictions(body) });
    return this.restrictionsOf(id);
  }

  async shareLink(id: number, ttlRaw: string | null): Promise<{ token: string; url: string; expiresAt: number; scope: string }> {
    this.require(id);
    let ttl = DEFAULT_SHARE_TTL_SEC;
    if (ttlRaw !== null) {
      if (!/^\d{1,8}$/.test(ttlRaw) || Number(ttlRaw) < 60 || Number(ttlRaw) > MAX_SHARE_TTL_SEC) throw new ValidationError(`ttl must be ${60}..${MAX_SHARE_TTL_SEC} seconds`, { field: 'ttl' });
      ttl = Number(ttlRaw);
    }
    const grant = await this.auth.auth.issueShareToken(id, ttl, SHARE_SCOPE);
    return { token: grant.token, url: `/share/${grant.token}`, expiresAt: Math.floor(grant.expiresAt / 1000), scope: SHARE_SCOPE };
  }

  /** Public: trade a share-link token for a normal session (the share token dies). */
  async redeemShare(token: unknown, meta: ClientMeta): Promise<{ token: string; expiresIn: number; user: PublicUser }> {
    if (typeof token !== 'string' || !token) throw new ValidationError('token is required', { field: 'token' });
    const share = await this.auth.auth.verifyShareToken(token);
    if (!share || share.scope !== SHARE_SCOPE) throw new UnauthorizedError('This share link is invalid, expired or already used', 'SHARE_LINK_INVALID');
    await this.auth.sessions.revoke(share.session.id);
    const session = await this.auth.sessions.create(share.userId, 'web', meta);
    const jwt = await this.auth.sessions.issueToken(session);
    return { token: jwt, expiresIn: Math.max(0, Math.floor((session.expiresAt - Date.now()) / 1000)), user: this.auth.users.get(share.userId) };
  }

  private parseRestrictions(raw: unknown): NonNullable<User['restrictions']> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ValidationError('restrictions must be an object', { field: 'restrictions' });
    const b = raw as Record<string, unknown>;
    const out: NonNullable<User['restrictions']> = {};
    const libs = b.libraries ?? b.libraryIds;
    if (libs !== undefined && libs !== null) out.libraryIds = resolveLibraryIds(this.index, libs, 'libraries');
    const max = b.maxContentRating;
    if (max !== undefined && max !== null && max !== '') {
      if (ratingRank(max) === undefined) throw new ValidationError(`maxContentRating must be one of ${KNOWN_RATINGS.join(', ')} or an age (e.g. 12)`, { field: 'maxContentRating' });
      out.maxContentRating = String(max);
    }
    const labels = b.excludedLabels ?? b.labels;
    if (labels !== undefined && labels !== null) {
      if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string' || !l.trim() || l.length > 100) || labels.length > 100) {
        throw new ValidationError('excludedLabels must be an array of non-empty strings', { field: 'excludedLabels' });
      }
      out.excludedLabels = [...new Set((labels as string[]).map((l) => l.trim()))];
    }
    return out;
  }

  private require(id: number): User {
    const u = this.index.users.get(id);
    if (!u) throw new NotFoundError(`User ${id} not found`, 'USER_NOT_FOUND');
    return u;
  }
}
