/**
 * Catalogizer's /api/v1/auth on Alcove's one user and session store: login by username or
 * email, registration (off unless configured open), refresh with rotation and family
 * revocation (AuthService), logout, status, me and permissions. Messages follow upstream
 * ("invalid credentials", "invalid refresh token"); every failure is a typed domain error.
 */
import type { AuthInfo } from '../../../domain/auth.js';
import { ConflictError, DomainError, ForbiddenError, UnauthorizedError, ValidationError } from '../../../domain/errors.js';
import type { AuthService, LoginResult } from '../../auth/auth.service.js';
import type { ClientMeta } from '../../auth/session.service.js';
import { ALL_PERMISSIONS } from '../../users/permissions.js';
import { USER_ROLE } from '../../users/roles.js';
import type { UserDirectory } from '../users/user-directory.js';
import type { CatalogizerUserView } from './present.js';

export interface LoginAnswer {
  user: CatalogizerUserView;
  session_token: string;
  refresh_token: string;
  expires_at: string;
}

export interface RegisterInput {
  username?: unknown; email?: unknown; password?: unknown; first_name?: unknown; last_name?: unknown;
}

/** Live setting: the configuration API can open or close registration while running. */
export interface RegistrationSetting { registration(): 'open' | 'closed' }

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const REGISTER_MIN_PASSWORD = 8;

export class CatalogizerAuthService {
  constructor(
    private readonly auth: AuthService,
    private readonly directory: UserDirectory,
    private readonly settings: RegistrationSetting,
  ) {}

  async login(body: { username?: unknown; password?: unknown }, meta: ClientMeta): Promise<LoginAnswer> {
    if (typeof body.username !== 'string' || body.username.trim() === '' || typeof body.password !== 'string' || body.password === '') {
      throw new ValidationError('username and password are required', { details: 'username and password are required' }, 'INVALID_REQUEST');
    }
    const user = this.directory.findByLogin(body.username.trim());
    if (user) await this.directory.liftExpiredLock(user.id);
    let result: LoginResult;
    try {
      result = await this.auth.login({ username: user?.username ?? body.username.trim(), password: body.password }, meta);
    } catch (err) {
      if (user) await this.countFailure(user.id, err);
      throw translateLoginError(err, user ? this.directory.profiles.get(user.id).disabled === true : false);
    }
    await this.directory.profiles.update(result.user.id, { failedLoginAttempts: 0, ...(meta.ip ? { lastLoginIp: meta.ip } : {}) });
    return this.answer(result);
  }

  async register(input: RegisterInput): Promise<CatalogizerUserView> {
    if (this.settings.registration() !== 'open') {
      throw new ForbiddenError('Registration is disabled on this server', 'REGISTRATION_DISABLED');
    }
    const errors: Array<{ field: string; message: string }> = [];
    const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
    for (const field of ['username', 'email', 'password', 'first_name', 'last_name'] as const) {
      if (str(input[field]) === '') errors.push({ field, message: `${field} is required` });
    }
    if (str(input.email) && !EMAIL_RE.test(str(input.email))) errors.push({ field: 'email', message: 'email must be a valid email address' });
    if (typeof input.password === 'string' && input.password.length > 0 && input.password.length < REGISTER_MIN_PASSWORD) {
      errors.push({ field: 'password', message: `password must be at least ${REGISTER_MIN_PASSWORD} characters` });
    }
    if (errors.length > 0) throw new ValidationError(errors.map((e) => e.message).join('; '), { details: errors });
    const username = str(input.username);
    const email = str(input.email);
    if (this.directory.users.getByUsername(username)) throw new ConflictError('Username already exists', 'USERNAME_TAKEN');
    if (this.directory.emailTaken(email)) throw new ConflictError('Email already exists', 'EMAIL_TAKEN');
    const created = await this.directory.users.create({ username, email, password: input.password as string, role: USER_ROLE });
    await this.directory.profiles.update(created.id, { firstName: str(input.first_name), lastName: str(input.last_name) });
    return this.directory.view(created.id, false);
  }

  async refresh(body: { refresh_token?: unknown }, meta: ClientMeta): Promise<LoginAnswer> {
    if (typeof body.refresh_token !== 'string' || body.refresh_token === '') {
      throw new ValidationError('refresh_token is required', { details: 'refresh_token is required' }, 'INVALID_REQUEST');
    }
    try {
      return this.answer(await this.auth.refresh(body.refresh_token, meta));
    } catch (err) {
      if (err instanceof DomainError && err.code === 'UNAUTHORIZED' && err.publicCode === 'INVALID_TOKEN') {
        throw new UnauthorizedError('invalid refresh token', 'INVALID_TOKEN');
      }
      throw err;
    }
  }

  async logout(auth: AuthInfo): Promise<{ message: string }> {
    await this.auth.logout(auth.session.id);
    return { message: 'Logged out successfully' };
  }

  me(auth: AuthInfo): CatalogizerUserView {
    return this.directory.view(auth.user.id);
  }

  status(auth: AuthInfo | undefined, hadCredentials: boolean): Record<string, unknown> {
    if (!auth) return hadCredentials ? { authenticated: false, error: 'invalid or expired token' } : { authenticated: false };
    return { authenticated: true, permissions: effectivePermissions(auth), user: this.directory.view(auth.user.id) };
  }

  permissions(auth: AuthInfo): { is_admin: boolean; permissions: string[]; role: string } {
    const role = this.directory.roles.get(auth.user.role);
    return { is_admin: auth.isAdmin, permissions: effectivePermissions(auth), role: role?.name ?? auth.user.role };
  }

  private answer(result: LoginResult): LoginAnswer {
    return {
      user: this.directory.view(result.user.id), session_token: result.token, refresh_token: result.refreshToken,
      expires_at: new Date(result.expiresAt).toISOString(),
    };
  }

  private async countFailure(userId: number, err: unknown): Promise<void> {
    if (!(err instanceof DomainError) || err.publicCode !== 'INVALID_CREDENTIALS') return;
    const profile = this.directory.profiles.get(userId);
    await this.directory.profiles.update(userId, { failedLoginAttempts: (profile.failedLoginAttempts ?? 0) + 1 });
  }
}

/** The role's permissions as granted: ['*'] for admin, else the expanded catalogue entries. */
function effectivePermissions(auth: AuthInfo): string[] {
  if (auth.isAdmin || auth.permissions.has('*')) return ['*'];
  return ALL_PERMISSIONS.filter((p) => auth.permissions.has(p));
}

function translateLoginError(err: unknown, disabled: boolean): unknown {
  if (!(err instanceof DomainError)) return err;
  if (err.publicCode === 'INVALID_CREDENTIALS') return new UnauthorizedError('invalid credentials', 'INVALID_CREDENTIALS');
  if (err.publicCode === 'ACCOUNT_LOCKED') {
    return disabled
      ? new UnauthorizedError('account is disabled', 'ACCOUNT_DISABLED')
      : new UnauthorizedError('account is temporarily locked', 'ACCOUNT_LOCKED');
  }
  return err;
}
