/**
 * Sessions and the tokens that name them. A token is a JWT carrying the session id; the
 * session record (SessionRepo) is the source of truth, so deleting it revokes every token
 * issued for it.
 *
 * Sliding expiry: an authenticated request moves `expiresAt` to now + ttl, but at most
 * once per `touchIntervalSec` (default 60 s), so a busy client costs one write a minute,
 * not one per request. The token's own `exp` is the absolute limit (`tokenTtlSec`).
 */
import { randomBytes } from 'node:crypto';
import type { AuthInfo } from '../../domain/auth.js';
import { systemClock, type Clock, type SessionRepo, type UserRepo } from '../../domain/ports.js';
import type { Session } from '../../domain/types.js';
import type { Logger } from '../../log/logger.js';
import type { RoleService } from '../users/role.service.js';
import { toPublicUser } from '../users/user.service.js';
import { isAdminRole } from '../users/roles.js';
import type { TokenClaims, TokenSigner, TokenType } from './tokens.js';

const DAY = 24 * 60 * 60;

export interface SessionOptions {
  /** Sliding lifetime of a web session (default 7 days). */
  sessionTtlSec: number;
  /** Absolute lifetime of a web access/refresh token (default 30 days). */
  tokenTtlSec: number;
  /** Lifetime of a local admin ('cli') session and its token (default 365 days). */
  cliTtlSec: number;
  /** Minimum time between two sliding-expiry writes for one session (default 60 s). */
  touchIntervalSec: number;
}

export const DEFAULT_SESSION_OPTIONS: Readonly<SessionOptions> = Object.freeze({
  sessionTtlSec: 7 * DAY, tokenTtlSec: 30 * DAY, cliTtlSec: 365 * DAY, touchIntervalSec: 60,
});

export interface ClientMeta { ip?: string; userAgent?: string }

/** The credentials a request may carry; the first one that authenticates wins. */
export interface CredentialInput extends ClientMeta {
  bearerToken?: string;
  cookieToken?: string;
  queryToken?: string;
}

export interface SessionServiceDeps {
  sessions: SessionRepo;
  users: UserRepo;
  roles: RoleService;
  tokens: TokenSigner;
  clock?: Clock;
  logger?: Logger;
  /**
   * The index's write generation (IndexStore.writeGeneration). With it, the session, user
   * and permissions a token resolves to are remembered until the next index write, so a
   * busy client's requests skip three index reads and a role expansion each.
   */
  generation?: () => number;
}

/** Sessions remembered per generation; past this many the memo starts over. */
const RESOLVED_MAX = 1024;

interface Resolved { session: Session; info: AuthInfo }

export class SessionService {
  readonly options: SessionOptions;
  private readonly clock: Clock;
  /** session id -> what it resolved to, valid while the index write generation is `resolvedAt`. */
  private readonly resolved = new Map<string, Resolved>();
  private resolvedAt = -1;

  constructor(private readonly deps: SessionServiceDeps, options: Partial<SessionOptions> = {}) {
    this.options = { ...DEFAULT_SESSION_OPTIONS, ...options };
    this.clock = deps.clock ?? systemClock;
  }

  /** Create and store a session. `ttlSec` defaults to the kind's lifetime. */
  async create(userId: number, kind: Session['kind'], meta: ClientMeta = {}, ttlSec?: number, family?: string): Promise<Session> {
    const now = this.clock.now();
    const session: Session = {
      id: randomBytes(32).toString('base64url'), userId, kind, createdAt: now, lastSeenAt: now,
      expiresAt: now + (ttlSec ?? this.ttlFor(kind)) * 1000,
      ...(family ? { family } : {}),
      ...(meta.ip ? { ip: meta.ip } : {}),
      ...(meta.userAgent ? { userAgent: meta.userAgent.slice(0, 512) } : {}),
    };
    await this.deps.sessions.create(session);
    return session;
  }

  /** A fresh access token for `session` (e.g. to re-issue a cookie). */
  issueToken(session: Session): Promise<string> {
    return this.sign(session, 'access');
  }

  issueRefreshToken(session: Session): Promise<string> {
    return this.sign(session, 'refresh');
  }

  /** Sign a token of `typ` for `session`; never outlives the session's kind limit. */
  async sign(session: Session, typ: TokenType, scope?: string): Promise<string> {
    const ttlSec = session.kind === 'web'
      ? this.options.tokenTtlSec
      : Math.max(1, Math.ceil((session.expiresAt - this.clock.now()) / 1000));
    return this.deps.tokens.sign({ sid: session.id, userId: session.userId, typ, ttlSec, ...(scope !== undefined ? { scope } : {}) });
  }

  /**
   * AuthInfo for the first credential that names a live session of an existing, unlocked
   * user; undefined otherwise. Share and refresh tokens never authenticate a request.
   */
  async authenticate(input: CredentialInput): Promise<AuthInfo | undefined> {
    for (const token of [input.bearerToken, input.cookieToken, input.queryToken]) {
      if (!token) continue;
      const info = await this.authenticateToken(token);
      if (info) return info;
    }
    return undefined;
  }

  /** The live session a token of `typ` names, or undefined. */
  async resolve(token: string | undefined, typ: TokenType): Promise<{ session: Session; scope?: string } | undefined> {
    const claims = await this.deps.tokens.verify(token, typ);
    if (!claims) return undefined;
    const session = this.deps.sessions.get(claims.sid);
    if (!session || session.userId !== claims.userId) return undefined;
    if ((typ === 'share') !== (session.kind === 'share')) return undefined;
    if (session.expiresAt <= this.clock.now()) return undefined;
    const user = this.deps.users.get(session.userId);
    if (!user || user.locked) return undefined;
    return { session, ...(claims.scope !== undefined ? { scope: claims.scope } : {}) };
  }

  /** Claims of a validly signed, unexpired token of `typ`, whether or not its session lives. */
  claims(token: string | undefined, typ: TokenType): Promise<TokenClaims | undefined> {
    return this.deps.tokens.verify(token, typ);
  }

  /** Revoke every session of `userId` in refresh family `family`. Returns how many died. */
  async revokeFamily(userId: number, family: string): Promise<number> {
    let n = 0;
    for (const s of this.deps.sessions.listForUser(userId)) {
      if ((s.family ?? s.id) === family) { await this.deps.sessions.remove(s.id); n += 1; }
    }
    return n;
  }

  async revoke(sessionId: string): Promise<void> {
    await this.deps.sessions.remove(sessionId);
  }

  /** Revoke every session of `userId` except `keepId`. Returns how many died. */
  revokeUser(userId: number, keepId?: string): Promise<number> {
    return this.deps.sessions.removeForUser(userId, keepId);
  }

  listForUser(userId: number): Session[] {
    return this.deps.sessions.listForUser(userId);
  }

  purgeExpired(): Promise<number> {
    return this.deps.sessions.purgeExpired(this.clock.now());
  }

  /**
   * Synchronous: what authenticate() would answer, when the request's first credential is
   * remembered (an already verified token of a session resolved since the last index
   * write, no touch due); undefined means "not remembered: call authenticate()".
   */
  authenticateRemembered(input: CredentialInput): AuthInfo | undefined {
    const token = input.bearerToken || input.cookieToken || input.queryToken;
    const generation = this.deps.generation?.();
    if (!token || generation === undefined || generation !== this.resolvedAt) return undefined;
    const claims = this.deps.tokens.cachedClaims(token, 'access');
    return claims && this.remembered(claims, generation);
  }

  /** Same checks as resolve() and the sliding-expiry touch: a hit needs no read and no write. */
  private remembered(claims: TokenClaims, generation: number): AuthInfo | undefined {
    const hit = this.resolved.get(claims.sid);
    if (!hit || this.deps.generation!() !== generation || generation !== this.resolvedAt) return undefined;
    const now = this.clock.now();
    if (hit.session.userId === claims.userId && hit.session.kind !== 'share'
      && hit.session.expiresAt > now && now - hit.session.lastSeenAt < this.options.touchIntervalSec * 1000) {
      return { ...hit.info };
    }
    return undefined;
  }

  private async authenticateToken(token: string): Promise<AuthInfo | undefined> {
    const generation = this.deps.generation?.();
    if (generation !== undefined) {
      if (generation !== this.resolvedAt) { this.resolved.clear(); this.resolvedAt = generation; }
      const claims = await this.deps.tokens.verify(token, 'access');
      if (!claims) return undefined;
      const hit = this.remembered(claims, generation);
      if (hit) return hit;
    }
    const info = await this.authenticateUncached(token);
    // Remember only what was read at this generation (no write, e.g. a touch, happened since).
    if (info && generation !== undefined && this.deps.generation!() === generation && !this.resolved.has(info.session.id)) {
      if (this.resolved.size >= RESOLVED_MAX) this.resolved.clear();
      this.resolved.set(info.session.id, { session: info.session, info: { ...info } });
    }
    return info;
  }

  private async authenticateUncached(token: string): Promise<AuthInfo | undefined> {
    const resolved = await this.resolve(token, 'access');
    if (!resolved) return undefined;
    let { session } = resolved;
    const user = this.deps.users.get(session.userId);
    if (!user) return undefined;
    const now = this.clock.now();
    if (now - session.lastSeenAt >= this.options.touchIntervalSec * 1000) {
      const expiresAt = Math.max(session.expiresAt, now + this.ttlFor(session.kind) * 1000);
      try {
        await this.deps.sessions.touch(session.id, now, expiresAt);
        session = { ...session, lastSeenAt: now, expiresAt };
      } catch (err) {
        // A failed touch must not fail the request: the session is still valid as stored.
        this.deps.logger?.warn({ err, sessionUser: session.userId }, 'session touch failed');
      }
    }
    return {
      user: toPublicUser(user), session, isAdmin: isAdminRole(user.role),
      permissions: this.deps.roles.permissionsFor(user.role),
    };
  }

  private ttlFor(kind: Session['kind']): number {
    return kind === 'cli' ? this.options.cliTtlSec : this.options.sessionTtlSec;
  }
}
