/**
 * InviteRepo over LMDB (contract in domain/ports.ts). Layout (keys.ts):
 *   invites          id -> Invite
 *   invite-by-token  sha256(token) hex -> id   (the token itself is never stored)
 * `consume` checks and takes a use in one transaction, so two accepts racing for the last
 * use cannot both win.
 */
import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { Invite, InviteRepo } from '../domain/ports.js';
import { writeTxn, type IndexState } from './env.js';
import { inviteTokenKey } from './keys.js';

/** Why an invite cannot be used at `now`, or undefined when it can. */
export function inviteRefusal(inv: Invite, now: number): ConflictError | undefined {
  if (inv.revokedAt !== undefined) return new ConflictError('This invite was revoked', 'INVITE_REVOKED');
  if (inv.expiresAt !== undefined && inv.expiresAt <= now) return new ConflictError('This invite has expired', 'INVITE_EXPIRED');
  if (inv.maxUses > 0 && inv.uses >= inv.maxUses) return new ConflictError('This invite has already been used', 'INVITE_USED_UP');
  return undefined;
}

export class LmdbInviteRepo implements InviteRepo {
  constructor(private readonly state: IndexState) {}

  private get dbs() { return this.state.dbs; }

  async create(invite: Invite): Promise<Invite> {
    return writeTxn(this.dbs, () => {
      if (this.dbs.invites.doesExist(invite.id)) throw new ConflictError(`invite ${invite.id} exists`);
      if (this.dbs.inviteByToken.doesExist(inviteTokenKey(invite.tokenHash))) throw new ConflictError('invite token collision');
      this.dbs.invites.put(invite.id, invite);
      this.dbs.inviteByToken.put(inviteTokenKey(invite.tokenHash), invite.id);
      return invite;
    });
  }

  get(id: string): Invite | undefined {
    return this.dbs.invites.get(id);
  }

  getByTokenHash(tokenHash: string): Invite | undefined {
    const id = this.dbs.inviteByToken.get(inviteTokenKey(tokenHash));
    return id === undefined ? undefined : this.get(id);
  }

  list(): Invite[] {
    return [...this.dbs.invites.getRange({})].map((e) => e.value).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  }

  async revoke(id: string, at: number): Promise<Invite> {
    return writeTxn(this.dbs, () => {
      const inv = this.get(id);
      if (!inv) throw new NotFoundError(`invite ${id} not found`, 'INVITE_NOT_FOUND');
      const next = inv.revokedAt !== undefined ? inv : { ...inv, revokedAt: at };
      this.dbs.invites.put(id, next);
      return next;
    });
  }

  async consume(id: string, userId: number, now: number): Promise<Invite> {
    return writeTxn(this.dbs, () => {
      const inv = this.get(id);
      if (!inv) throw new NotFoundError('Invite not found', 'INVITE_NOT_FOUND');
      const refusal = inviteRefusal(inv, now);
      if (refusal) throw refusal;
      const next: Invite = { ...inv, uses: inv.uses + 1, usedBy: [...inv.usedBy, userId] };
      this.dbs.invites.put(id, next);
      return next;
    });
  }

  async remove(id: string): Promise<boolean> {
    return writeTxn(this.dbs, () => {
      const inv = this.get(id);
      if (!inv) return false;
      this.dbs.invites.remove(id);
      this.dbs.inviteByToken.remove(inviteTokenKey(inv.tokenHash));
      return true;
    });
  }
}
