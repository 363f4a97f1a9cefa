/** SessionRepo over LMDB: sessions by id, with by-user and by-expiry indexes. */
import type { SessionRepo } from '../domain/ports.js';
import type { Session } from '../domain/types.js';
import { NotFoundError } from '../domain/errors.js';
import { writeTxn, type IndexDbs, type IndexState } from './env.js';
import { sessionExpiryKey, sessionUserKey, sessionUserRange } from './keys.js';

function put(dbs: IndexDbs, s: Session): void {
  dbs.sessions.put(s.id, s);
  dbs.sessionByUser.put(sessionUserKey(s.userId, s.id), null);
  dbs.sessionByExpiry.put(sessionExpiryKey(s.expiresAt, s.id), null);
}

function drop(dbs: IndexDbs, s: Session): void {
  dbs.sessions.remove(s.id);
  dbs.sessionByUser.remove(sessionUserKey(s.userId, s.id));
  dbs.sessionByExpiry.remove(sessionExpiryKey(s.expiresAt, s.id));
}

function sessionIdsOf(dbs: IndexDbs, userId: number): string[] {
  return [...dbs.sessionByUser.getKeys(sessionUserRange(userId))].map((k) => (k as [number, string])[1]);
}

/** Remove every session of a user; call inside a write transaction. Returns the count. */
export function removeSessionsOfUser(dbs: IndexDbs, userId: number, keepId?: string): number {
  let n = 0;
  for (const id of sessionIdsOf(dbs, userId)) {
    if (id === keepId) continue;
    const s = dbs.sessions.get(id);
    if (s) { drop(dbs, s); n++; }
  }
  return n;
}

export class LmdbSessionRepo implements SessionRepo {
  constructor(private readonly state: IndexState) {}

  private get dbs() { return this.state.dbs; }

  get(id: string): Session | undefined {
    return this.dbs.sessions.get(id);
  }

  async create(session: Session): Promise<void> {
    writeTxn(this.dbs, () => {
      const old = this.dbs.sessions.get(session.id);
      if (old) drop(this.dbs, old);
      put(this.dbs, session);
    });
  }

  async touch(id: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    writeTxn(this.dbs, () => {
      const s = this.dbs.sessions.get(id);
      if (!s) throw new NotFoundError(`session not found`);
      drop(this.dbs, s);
      put(this.dbs, { ...s, lastSeenAt, expiresAt });
    });
  }

  async remove(id: string): Promise<void> {
    writeTxn(this.dbs, () => {
      const s = this.dbs.sessions.get(id);
      if (s) drop(this.dbs, s);
    });
  }

  async removeForUser(userId: number, keepId?: string): Promise<number> {
    return writeTxn(this.dbs, () => removeSessionsOfUser(this.dbs, userId, keepId));
  }

  listForUser(userId: number): Session[] {
    const out: Session[] = [];
    for (const id of sessionIdsOf(this.dbs, userId)) {
      const s = this.dbs.sessions.get(id);
      if (s) out.push(s);
    }
    return out;
  }

  /** Sessions with expiresAt <= now die; a range scan over the expiry index. */
  async purgeExpired(now: number): Promise<number> {
    return writeTxn(this.dbs, () => {
      let n = 0;
      const expired: string[] = [];
      for (const key of this.dbs.sessionByExpiry.getKeys({})) {
        const [expiresAt, id] = key as [number, string];
        if (expiresAt > now) break;
        expired.push(id);
      }
      for (const id of expired) {
        const s = this.dbs.sessions.get(id);
        if (s) { drop(this.dbs, s); n++; }
      }
      return n;
    });
  }

  count(): number {
    return this.dbs.sessions.getCount();
  }
}
