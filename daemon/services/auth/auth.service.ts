/**
 * Authentication: first-run setup, login (username+password, or password only = the first
 * admin, as Media Viewer does), token refresh with rotation, logout, password change,
 * local admin token for the TUI, share tokens. Request authentication and session storage
 * live in SessionService; user records in UserService.
 *
 * Login never says whether a username exists: unknown user and wrong password give the
 * same error after the same work (a dummy scrypt verification of equal cost).
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import type { AuthInfo } from '../../domain/auth.js';
import {
  ForbiddenError, UnauthorizedError, ValidationError,
} from '../../domain/errors.js';
import { systemClock, type Clock, type UserRepo } from '../../domain/ports.js';
import type { PublicUser, Session, User } from '../../domain/types.js';
import type { Logger } from '../../log/logger.js';
import { toPublicUser, type UserService } from '../users/user.service.js';
import { ADMIN_ROLE } from '../users/roles.js';
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle.js';
import { DEFAULT_SCRYPT, dummyVerify, hashPassword, needsRehash, verifyPassword, type ScryptParams } from './password.js';
import type { ClientMeta, CredentialInput, SessionService } from './session.service.js';
import type { RefreshLedger } from './refresh-ledger.js';

export interface AuthServiceDeps {
  users: UserRepo;
  userService: UserService;
  sessions: SessionService;
  /** Single-use refresh tokens with family revocation on reuse; without it, plain rotation. */
  refreshLedger?: RefreshLedger;
  /** paths.localAdminTokenFile; needed by createLocalAdminToken only. */
  localAdminTokenFile?: string;
  clock?: Clock;
  logger?: Logger;
}

export interface AuthServiceOptions {
  throttle?: Partial<LoginThrottleOptions>;
  /** Cost of new hashes and of the dummy verification (must match real hashes). */
  scrypt?: ScryptParams;
}

export interface Credentials { username?: string; password: string }

export interface LoginResult {
  token: string;
  /** Catalogizer-style refresh token (rotates on use). */
  refreshToken: string;
  /** Sliding session lifetime in seconds (Media Viewer's `expiresIn`). */
  expiresIn: number;
  /** Epoch ms when the session expires unless used. */
  expiresAt: number;
  user: PublicUser;
  session: Session;
}

export interface ShareGrant { token: string; session: Session; expiresAt: number }

const INVALID = (): UnauthorizedError => new UnauthorizedError('Invalid username or password', 'INVALID_CREDENTIALS');

export class AuthService {
  private readonly clock: Clock;
  private readonly throttle: LoginThrottle;
  private readonly scrypt: ScryptParams;
  private setupLock: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: AuthServiceDeps, options: AuthServiceOptions = {}) {
    this.clock = deps.clock ?? systemClock;
    this.throttle = new LoginThrottle(options.throttle, this.clock);
    this.scrypt = options.scrypt ?? DEFAULT_SCRYPT;
  }

  /** True until the first admin exists. */
  setupRequired(): boolean {
    return this.deps.users.countAdmins() === 0;
  }

  /** Create the first admin (default username 'admin'); 403 SETUP_DONE once any admin exists. */
  setup(input: { username?: string; password: string }): Promise<PublicUser> {
    // Serialized: two concurrent first-boot requests must not both create an admin.
    const run = this.setupLock.then(async () => {
      if (!this.setupRequired()) throw new ForbiddenError('Setup already completed', 'SETUP_DONE');
      return this.deps.userService.create({ username: input.username || 'admin', password: input.password, role: ADMIN_ROLE });
    });
    this.setupLock = run.catch(() => undefined);
    return run;
  }

  async login(credentials: Credentials, meta: ClientMeta = {}): Promise<LoginResult> {
    const password = credentials.password;
    if (typeof password !== 'string' || password.length === 0) throw new ValidationError('Password is required', { field: 'password' });
    if (password.length > 1024) throw INVALID();
    const username = typeof credentials.username === 'string' ? credentials.username.trim() : '';
    const user = username ? this.deps.users.getByUsername(username) : this.deps.userService.firstAdmin();
    const subject = (user?.username ?? username).toLowerCase();
    this.throttle.begin(meta.ip, subject);

    const ok = user ? await verifyPassword(password, user.passwordHash) : await dummyVerify(password, this.scrypt);
    if (!ok || !user) {
      this.throttle.failure(meta.ip, subject);
      this.deps.logger?.info({ ip: meta.ip, username: subject }, 'login failed');
      throw INVALID();
    }
    this.throttle.success(meta.ip, subject);
    if (user.locked) throw new ForbiddenError('Account locked', 'ACCOUNT_LOCKED');

    const session = await this.deps.sessions.create(user.id, 'web', meta);
    const now = this.clock.now();
    const updated = await this.deps.users.update(user.id, { lastLoginAt: now });
    await this.rehashIfWeak(user, password);
    this.deps.logger?.info({ ip: meta.ip, userId: user.id }, 'login');
    return this.result(updated, session);
  }

  /**
   * Exchange a refresh token for a new session (rotation: the old session, and so the old
   * access and refresh tokens, die; the new session stays in the old one's family). A
   * refresh token is single use: presenting a used one again (with a ledger) revokes its
   * whole family, so a thief and the legitimate holder both lose the chain (401
   * REFRESH_TOKEN_REUSED). 401 INVALID_TOKEN for anything else that is not a live token.
   */
  async refresh(refreshToken: string, meta: ClientMeta = {}): Promise<LoginResult> {
    const ledger = this.deps.refreshLedger;
    if (!ledger) return this.rotate(refreshToken, meta);
    const claims = await this.deps.sessions.claims(refreshToken, 'refresh');
    if (!claims) throw new UnauthorizedError('Invalid or expired refresh token', 'INVALID_TOKEN');
    return ledger.exclusive(async () => {
      const family = ledger.usedFamily(claims.userId, claims.sid);
      if (family !== undefined) {
        const revoked = await this.deps.sessions.revokeFamily(claims.userId, family);
        this.deps.logger?.warn({ userId: claims.userId, ip: meta.ip, revoked }, 'refresh token reuse: family revoked');
        throw new UnauthorizedError('Refresh token already used; sessions of this login were revoked', 'REFRESH_TOKEN_REUSED');
      }
      return this.rotate(refreshToken, meta, async (old) => {
        await ledger.markUsed(claims.userId, claims.sid, old.family ?? old.id, claims.exp * 1000);
      });
    });
  }

  private async rotate(refreshToken: string, meta: ClientMeta, beforeRevoke?: (old: Session) => Promise<void>): Promise<LoginResult> {
    const resolved = await this.deps.sessions.resolve(refreshToken, 'refresh');
    const user = resolved && this.deps.users.get(resolved.session.userId);
    if (!resolved || !user) throw new UnauthorizedError('Invalid or expired refresh token', 'INVALID_TOKEN');
    const old = resolved.session;
    await beforeRevoke?.(old);
    await this.deps.sessions.revoke(old.id);
    const session = await this.deps.sessions.create(user.id, old.kind, {
      ip: meta.ip ?? old.ip, userAgent: meta.userAgent ?? old.userAgent,
    }, undefined, old.family ?? old.id);
    return this.result(user, session);
  }

  authenticate(input: CredentialInput): Promise<AuthInfo | undefined> {
    return this.deps.sessions.authenticate(input);
  }

  /** Synchronous authenticate() for remembered credentials; undefined: call authenticate(). */
  authenticateRemembered(input: CredentialInput): AuthInfo | undefined {
    return this.deps.sessions.authenticateRemembered(input);
  }

  async logout(sessionId: string): Promise<void> {
    await this.deps.sessions.revoke(sessionId);
  }

  /**
   * Change one's own password: the current one must match (400 otherwise, so a client does
   * not mistake it for an expired session), then every other session of the user dies.
   */
  async changePassword(userId: number, currentPassword: string, newPassword: string, keepSessionId?: string): Promise<void> {
    const user = this.deps.users.get(userId);
    if (!user) throw new UnauthorizedError();
    const subject = `#${userId}`;
    this.throttle.begin(undefined, subject);
    const ok = typeof currentPassword === 'string' && currentPassword.length <= 1024
      && await verifyPassword(currentPassword, user.passwordHash);
    if (!ok) {
      this.throttle.failure(undefined, subject);
      throw new ValidationError('Current password is incorrect', { field: 'currentPassword' }, 'INVALID_CURRENT_PASSWORD');
    }
    this.throttle.success(undefined, subject);
    await this.deps.userService.setPassword(userId, newPassword, 'newPassword');
    await this.deps.sessions.revokeUser(userId, keepSessionId);
  }

  revokeUserSessions(userId: number): Promise<number> {
    return this.deps.sessions.revokeUser(userId);
  }

  issueToken(session: Session): Promise<string> {
    return this.deps.sessions.issueToken(session);
  }

  /**
   * Write a long-lived 'cli' session token for the first admin into the local admin token
   * file (0600, atomic replace), revoking the session of the token it replaces. Returns
   * undefined while no admin exists.
   */
  async createLocalAdminToken(): Promise<{ token: string; file: string; session: Session } | undefined> {
    const file = this.deps.localAdminTokenFile;
    if (!file) throw new Error('localAdminTokenFile is not configured');
    const admin = this.deps.userService.firstAdmin();
    if (!admin) return undefined;
    const previous = await readFile(file, 'utf8').catch(() => undefined);
    if (previous) {
      const old = await this.deps.sessions.resolve(previous.trim(), 'access');
      if (old?.session.kind === 'cli') await this.deps.sessions.revoke(old.session.id);
    }
    const session = await this.deps.sessions.create(admin.id, 'cli', { userAgent: 'alcove-local-admin' });
    const token = await this.deps.sessions.issueToken(session);
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(`${token}\n`);
    } finally {
      await handle.close();
    }
    await rename(tmp, file).catch(async (err: unknown) => { await unlink(tmp).catch(() => undefined); throw err; });
    return { token, file, session };
  }

  /** A revocable, scoped link token (typ 'share') that expires after `ttlSec`. */
  async issueShareToken(userId: number, ttlSec: number, scope: string): Promise<ShareGrant> {
    if (!this.deps.users.get(userId)) throw new UnauthorizedError();
    if (!(ttlSec > 0)) throw new ValidationError('Share lifetime must be positive', { field: 'ttl' });
    const session = await this.deps.sessions.create(userId, 'share', {}, ttlSec);
    const token = await this.deps.sessions.sign(session, 'share', scope);
    return { token, session, expiresAt: session.expiresAt };
  }

  /** The share a token grants, or undefined (expired, revoked, owner locked, garbage). */
  async verifyShareToken(token: string): Promise<{ userId: number; scope: string; session: Session } | undefined> {
    const resolved = await this.deps.sessions.resolve(token, 'share');
    if (!resolved || resolved.scope === undefined) return undefined;
    return { userId: resolved.session.userId, scope: resolved.scope, session: resolved.session };
  }

  /** Periodic job: drop expired sessions and idle throttle keys. */
  async purgeExpired(): Promise<number> {
    this.throttle.sweep();
    return this.deps.sessions.purgeExpired();
  }

  private async result(user: User, session: Session): Promise<LoginResult> {
    const [token, refreshToken] = await Promise.all([
      this.deps.sessions.issueToken(session), this.deps.sessions.issueRefreshToken(session),
    ]);
    const expiresIn = Math.round((session.expiresAt - session.createdAt) / 1000);
    return { token, refreshToken, expiresIn, expiresAt: session.expiresAt, user: toPublicUser(user), session };
  }

  /** Upgrade a hash made with weaker parameters, now that the password is known. */
  private async rehashIfWeak(user: User, password: string): Promise<void> {
    if (!needsRehash(user.passwordHash, this.scrypt)) return;
    try {
      await this.deps.users.update(user.id, { passwordHash: await hashPassword(password, this.scrypt) });
    } catch (err) {
      this.deps.logger?.warn({ err, userId: user.id }, 'password rehash failed');
    }
  }
}
