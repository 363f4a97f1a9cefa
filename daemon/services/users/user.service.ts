/**
 * User management: create, list, update, lock, reset password, remove. Every change that
 * takes access away (lock, password reset, removal, demotion) revokes the user's sessions.
 * The last admin can be neither removed, demoted nor locked (409), so the server always
 * has someone who can administer it.
 */
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { systemClock, type Clock, type EventBus, type SessionRepo, type UserRepo } from '../../domain/ports.js';
import type { PublicUser, User } from '../../domain/types.js';
import { DEFAULT_SCRYPT, hashPassword, type ScryptParams } from '../auth/password.js';
import { assertPasswordPolicy, resolvePasswordPolicy, type PasswordPolicy } from '../auth/password-policy.js';
import type { RoleService } from './role.service.js';
import { ADMIN_ROLE, USER_ROLE, isAdminRole } from './roles.js';

const USERNAME_RE = /^[A-Za-z0-9._@-]{3,64}$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

export interface UserServiceDeps {
  users: UserRepo;
  sessions: SessionRepo;
  roles: RoleService;
  bus?: EventBus;
  clock?: Clock;
  passwordPolicy?: Partial<PasswordPolicy>;
  /** Hash cost for new passwords (tests lower it). */
  scrypt?: ScryptParams;
}

export interface CreateUserInput {
  username: string;
  password: string;
  /** Default 'user'. */
  role?: string;
  email?: string;
  displayName?: string;
}

export interface UpdateUserInput {
  role?: string;
  email?: string | null;
  displayName?: string | null;
  locked?: boolean;
  restrictions?: User['restrictions'] | null;
}

/** The public view of a user (never the hash). */
export function toPublicUser(user: User): PublicUser {
  const out: PublicUser = {
    id: user.id, username: user.username, role: user.role, isAdmin: isAdminRole(user.role),
    locked: user.locked, createdAt: user.createdAt,
  };
  if (user.email !== undefined) out.email = user.email;
  if (user.displayName !== undefined) out.displayName = user.displayName;
  if (user.lastLoginAt !== undefined) out.lastLoginAt = user.lastLoginAt;
  return out;
}

export function assertValidUsername(username: unknown): asserts username is string {
  if (typeof username !== 'string' || !USERNAME_RE.test(username)) {
    throw new ValidationError('Username must be 3..64 characters: letters, digits, dot, underscore, @ or dash', { field: 'username' });
  }
}

export class UserService {
  readonly passwordPolicy: PasswordPolicy;
  private readonly clock: Clock;
  private readonly scrypt: ScryptParams;

  constructor(private readonly deps: UserServiceDeps) {
    this.clock = deps.clock ?? systemClock;
    this.passwordPolicy = resolvePasswordPolicy(deps.passwordPolicy);
    this.scrypt = deps.scrypt ?? DEFAULT_SCRYPT;
  }

  toPublic(user: User): PublicUser {
    return toPublicUser(user);
  }

  async create(input: CreateUserInput): Promise<PublicUser> {
    assertValidUsername(input.username);
    assertPasswordPolicy(input.password, this.passwordPolicy);
    const role = this.resolveRole(input.role ?? USER_ROLE);
    const email = normalizeEmail(input.email);
    if (this.deps.users.getByUsername(input.username)) throw new ConflictError('Username already exists', 'USERNAME_TAKEN');
    const passwordHash = await hashPassword(input.password, this.scrypt);
    // Check again after the (slow) hash: a concurrent create may have taken the name.
    if (this.deps.users.getByUsername(input.username)) throw new ConflictError('Username already exists', 'USERNAME_TAKEN');
    const user = await this.deps.users.create({
      username: input.username, passwordHash, role, locked: false,
      ...(email !== undefined ? { email } : {}),
      ...(input.displayName ? { displayName: String(input.displayName).slice(0, 200) } : {}),
    });
    this.emit(user.id, 'created');
    return toPublicUser(user);
  }

  /** All users by id. */
  list(): PublicUser[] {
    return this.deps.users.list().sort((a, b) => a.id - b.id).map(toPublicUser);
  }

  get(id: number): PublicUser {
    return toPublicUser(this.require(id));
  }

  getByUsername(username: string): PublicUser | undefined {
    const user = this.deps.users.getByUsername(username);
    return user ? toPublicUser(user) : undefined;
  }

  /** Full record, for services that need more than the public view (restrictions). */
  getRecord(id: number): User | undefined {
    return this.deps.users.get(id);
  }

  async update(id: number, patch: UpdateUserInput): Promise<PublicUser> {
    const user = this.require(id);
    const changes: Partial<Omit<User, 'id' | 'createdAt'>> = {};
    let revoke = false;
    if (patch.role !== undefined) {
      const role = this.resolveRole(patch.role);
      if (isAdminRole(user.role) && !isAdminRole(role)) this.assertNotLastAdmin(user, 'demote');
      if (role !== user.role) { changes.role = role; revoke = isAdminRole(user.role); }
    }
    if (patch.email !== undefined) changes.email = patch.email === null ? undefined : normalizeEmail(patch.email);
    if (patch.displayName !== undefined) {
      changes.displayName = patch.displayName === null ? undefined : String(patch.displayName).slice(0, 200);
    }
    if (patch.restrictions !== undefined) changes.restrictions = patch.restrictions ?? undefined;
    if (patch.locked !== undefined && patch.locked !== user.locked) {
      if (patch.locked && isAdminRole(user.role)) this.assertNotLastAdmin(user, 'lock');
      changes.locked = patch.locked;
      revoke = revoke || patch.locked;
    }
    changes.updatedAt = this.clock.now();
    const updated = await this.deps.users.update(id, changes);
    if (revoke) await this.deps.sessions.removeForUser(id);
    this.emit(id, 'updated');
    return toPublicUser(updated);
  }

  /** Admin reset: new hash, every session of the user dies. */
  async resetPassword(id: number, newPassword: string): Promise<void> {
    this.require(id);
    await this.setPassword(id, newPassword);
    await this.deps.sessions.removeForUser(id);
  }

  /**
   * Store a new password hash (policy checked); sessions are left to the caller, which
   * decides which survive (a user changing their own password keeps the current one).
   */
  async setPassword(id: number, newPassword: string, field = 'password'): Promise<void> {
    assertPasswordPolicy(newPassword, this.passwordPolicy, field);
    const passwordHash = await hashPassword(newPassword, this.scrypt);
    await this.deps.users.update(id, { passwordHash, updatedAt: this.clock.now() });
    this.emit(id, 'updated');
  }

  async remove(id: number): Promise<void> {
    const user = this.require(id);
    if (isAdminRole(user.role)) this.assertNotLastAdmin(user, 'remove');
    await this.deps.sessions.removeForUser(id);
    await this.deps.users.remove(id);
    this.emit(id, 'removed');
  }

  /** The admin with the lowest id (Media Viewer's single user), if any. */
  firstAdmin(): User | undefined {
    let first: User | undefined;
    for (const user of this.deps.users.list()) {
      if (isAdminRole(user.role) && (!first || user.id < first.id)) first = user;
    }
    return first;
  }

  private require(id: number): User {
    const user = Number.isSafeInteger(id) ? this.deps.users.get(id) : undefined;
    if (!user) throw new NotFoundError('User not found', 'USER_NOT_FOUND');
    return user;
  }

  private resolveRole(name: unknown): string {
    if (typeof name !== 'string' || name.length === 0) throw new ValidationError('Role is required', { field: 'role' });
    const role = this.deps.roles.get(name);
    if (!role) throw new ValidationError(`Unknown role: ${name}`, { field: 'role' });
    return role.name;
  }

  /** An admin that is the only unlocked admin cannot be removed, demoted or locked. */
  private assertNotLastAdmin(user: User, action: 'remove' | 'demote' | 'lock'): void {
    const others = this.deps.users.list().filter((u) => u.id !== user.id && u.role === ADMIN_ROLE && !u.locked);
    if (others.length === 0) throw new ConflictError(`Cannot ${action} the last admin`, 'LAST_ADMIN');
  }

  private emit(userId: number, change: 'created' | 'updated' | 'removed'): void {
    this.deps.bus?.emit({ type: 'users.changed', userId, change });
  }
}

function normalizeEmail(email: unknown): string | undefined {
  if (email === undefined || email === null || email === '') return undefined;
  if (typeof email !== 'string' || email.length > 254 || !EMAIL_RE.test(email)) {
    throw new ValidationError('Invalid email address', { field: 'email' });
  }
  return email.trim();
}
