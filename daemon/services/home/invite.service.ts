/**
 * Invites (h3xed /api/invites*): an admin creates an invite (expiry, maximum uses, which
 * libraries); the link carries a 256-bit random token of which only the sha256 is stored;
 * /api/invite-info/:token shows what the invite opens; accepting creates a 'user' account
 * limited to the invite's libraries and logs it in. Expired, revoked and used-up invites
 * are refused (409 INVITE_EXPIRED / INVITE_REVOKED / INVITE_USED_UP); an unknown token is 404.
 */
import { createHash, randomBytes } from 'node:crypto';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Clock, IndexStore, Invite } from '../../domain/ports.js';
import { systemClock } from '../../domain/ports.js';
import type { PublicUser } from '../../domain/types.js';
import { inviteRefusal } from '../../index/invite.repo.js';
import type { AuthService, LoginResult } from '../auth/auth.service.js';
import type { ClientMeta } from '../auth/session.service.js';
import type { UserService } from '../users/user.service.js';
import { resolveLibraryIds } from './user-admin.service.js';

const MAX_USES = 1000;
const MAX_HOURS = 24 * 365;

export interface InviteView {
  id: string; createdAt: number; expiresAt: number | null; maxUses: number; uses: number; usesLeft: number | null;
  libraries: { id: string; numericId: number; name: string }[] | null; note?: string;
  status: 'active' | 'expired' | 'revoked' | 'used'; createdBy: number; usedBy: number[];
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export class InviteService {
  private readonly clock: Clock;

  constructor(
    private readonly deps: { index: IndexStore; users: UserService; auth: AuthService; serverName: () => string; clock?: Clock },
  ) {
    this.clock = deps.clock ?? systemClock;
  }

  async create(adminId: number, body: Record<string, unknown>): Promise<{ invite: InviteView; token: string; url: string }> {
    const now = this.clock.now();
    let expiresAt: number | undefined;
    if (body.expiresInHours !== undefined && body.expiresInHours !== null) {
      const h = body.expiresInHours;
      if (typeof h !== 'number' || !(h > 0) || h > MAX_HOURS) throw new ValidationError(`expiresInHours must be a number in (0, ${MAX_HOURS}]`, { field: 'expiresInHours' });
      expiresAt = now + Math.round(h * 3_600_000);
    } else if (body.expiresAt !== undefined && body.expiresAt !== null) {
      const at = body.expiresAt;
      if (typeof at !== 'number' || !Number.isFinite(at) || at * 1000 <= now) throw new ValidationError('expiresAt must be a future Unix time in seconds', { field: 'expiresAt' });
      expiresAt = Math.round(at * 1000);
    }
    const maxUses = body.maxUses ?? 1;
    if (typeof maxUses !== 'number' || !Number.isInteger(maxUses) || maxUses < 0 || maxUses > MAX_USES) {
      throw new ValidationError(`maxUses must be an integer 0..${MAX_USES} (0 = unlimited)`, { field: 'maxUses' });
    }
    const libraryIds = body.libraries ?? body.libraryIds;
    const note = body.note;
    if (note !== undefined && (typeof note !== 'string' || note.length > 200)) throw new ValidationError('note must be a string of at most 200 characters', { field: 'note' });
    const token = randomBytes(32).toString('base64url');
    const invite: Invite = {
      id: randomBytes(8).toString('hex'), tokenHash: hashToken(token), createdBy: adminId, createdAt: now,
      maxUses, uses: 0, role: 'user', usedBy: [],
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      ...(libraryIds !== undefined && libraryIds !== null ? { libraryIds: resolveLibraryIds(this.deps.index, libraryIds, 'libraries') } : {}),
      ...(typeof note === 'string' ? { note } : {}),
    };
    await this.deps.index.invites.create(invite);
    return { invite: this.view(invite), token, url: `/invite/${token}` };
  }

  list(): InviteView[] {
    return this.deps.index.invites.list().map((i) => this.view(i));
  }

  async revoke(id: string): Promise<InviteView> {
    if (!/^[0-9a-f]{16}$/.test(id)) throw new NotFoundError('Invite not found', 'INVITE_NOT_FOUND');
    return this.view(await this.deps.index.invites.revoke(id, this.clock.now()));
  }

  /** Public: what an invite opens (refused invites answer their error). */
  info(token: string): { serverName: string; inviter: string; libraries: { id: string; name: string; type: string }[]; expiresAt: number | null; usesLeft: number | null } {
    const inv = this.usable(token);
    const inviter = this.deps.index.users.get(inv.createdBy);
    const libs = this.deps.index.libraries.list().filter((l) => l.purpose === 'library' && (!inv.libraryIds || inv.libraryIds.includes(l.id)));
    return {
      serverName: this.deps.serverName(), inviter: inviter?.displayName ?? inviter?.username ?? 'admin',
      libraries: libs.map((l) => ({ id: l.uuid, name: l.name, type: l.type })),
      expiresAt: inv.expiresAt !== undefined ? Math.floor(inv.expiresAt / 1000) : null,
      usesLeft: inv.maxUses > 0 ? inv.maxUses - inv.uses : null,
    };
  }

  /** Public: create the account and log it in. */
  async accept(token: string, body: Record<string, unknown>, meta: ClientMeta): Promise<LoginResult & { user: PublicUser }> {
    const inv = this.usable(token);
    const { username, password } = body;
    if (typeof username !== 'string' || typeof password !== 'string') throw new ValidationError('username and password are required', { field: typeof username !== 'string' ? 'username' : 'password' });
    const user = await this.deps.users.create({
      username, password, role: inv.role,
      ...(typeof body.email === 'string' ? { email: body.email } : {}),
      ...(typeof body.displayName === 'string' ? { displayName: body.displayName } : {}),
    });
    try {
      if (inv.libraryIds) await this.deps.users.update(user.id, { restrictions: { libraryIds: [...inv.libraryIds] } });
      await this.deps.index.invites.consume(inv.id, user.id, this.clock.now());
    } catch (err) {
      // Lost the race for the last use: the account must not survive.
      await this.deps.users.remove(user.id).catch(() => undefined);
      throw err;
    }
    return this.deps.auth.login({ username, password }, meta);
  }

  private usable(token: string): Invite {
    const inv = /^[A-Za-z0-9_-]{20,100}$/.test(token) ? this.deps.index.invites.getByTokenHash(hashToken(token)) : undefined;
    if (!inv) throw new NotFoundError('Invite not found', 'INVITE_NOT_FOUND');
    const refusal = inviteRefusal(inv, this.clock.now());
    if (refusal) throw refusal;
    return inv;
  }

  private view(inv: Invite): InviteView {
    const now = this.clock.now();
    const status = inv.revokedAt !== undefined ? 'revoked' : inv.expiresAt !== undefined && inv.expiresAt <= now ? 'expired' : inv.maxUses > 0 && inv.uses >= inv.maxUses ? 'used' : 'active';
    const out: InviteView = {
      id: inv.id, createdAt: Math.floor(inv.createdAt / 1000), expiresAt: inv.expiresAt !== undefined ? Math.floor(inv.expiresAt / 1000) : null,
      maxUses: inv.maxUses, uses: inv.uses, usesLeft: inv.maxUses > 0 ? Math.max(0, inv.maxUses - inv.uses) : null,
      libraries: inv.libraryIds ? inv.libraryIds.map((id) => this.deps.index.libraries.get(id)).filter((l) => l !== undefined).map((l) => ({ id: l.uuid, numericId: l.id, name: l.name })) : null,
      status, createdBy: inv.createdBy, usedBy: [...inv.usedBy],
    };
    if (inv.note) out.note = inv.note;
    return out;
  }
}
