/**
 * Role management: system roles (roles.ts) plus custom roles stored under the KV key
 * 'roles'. Writes are serialized in-process (one read-modify-write at a time).
 */
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { systemClock, type Clock, type EventBus, type KvRepo, type UserRepo } from '../../domain/ports.js';
import { expandPermissions, isValidPermissionEntry } from './permissions.js';
import { SYSTEM_ROLES, type RoleRecord } from './roles.js';

const KV_KEY = 'roles';
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
const FIRST_CUSTOM_ID = 100;

interface StoredRoles { nextId: number; roles: RoleRecord[] }

export interface RoleInput {
  name: string;
  description?: string;
  permissions: string[];
}

export interface RoleServiceDeps {
  kv: KvRepo;
  users: UserRepo;
  clock?: Clock;
  bus?: EventBus;
}

export class RoleService {
  private readonly clock: Clock;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: RoleServiceDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  /** System roles first, then custom roles by id. */
  list(): RoleRecord[] {
    return [...SYSTEM_ROLES.map((r) => ({ ...r, permissions: [...r.permissions] })), ...this.stored().roles];
  }

  /** By id or by name (case-insensitive). */
  get(ref: number | string): RoleRecord | undefined {
    const match = (r: RoleRecord): boolean => (typeof ref === 'number' ? r.id === ref : r.name.toLowerCase() === ref.toLowerCase());
    return this.list().find(match);
  }

  require(ref: number | string): RoleRecord {
    const role = this.get(ref);
    if (!role) throw new NotFoundError('Role not found', 'ROLE_NOT_FOUND');
    return role;
  }

  /**
   * Effective permissions of a role name, `prefix*` patterns expanded. An unknown role
   * (e.g. deleted while a user still named it) grants nothing.
   */
  permissionsFor(roleName: string): ReadonlySet<string> {
    const role = this.get(roleName);
    return expandPermissions(role ? role.permissions : []);
  }

  create(input: RoleInput): Promise<RoleRecord> {
    return this.serialize(async () => {
      const name = validateName(input.name);
      const permissions = validatePermissions(input.permissions);
      if (this.get(name)) throw new ConflictError('Role name already exists', 'ROLE_EXISTS');
      const state = this.stored();
      const now = this.clock.now();
      const role: RoleRecord = {
        id: state.nextId, name, permissions, isSystem: false, createdAt: now, updatedAt: now,
        ...(input.description !== undefined ? { description: String(input.description) } : {}),
      };
      await this.deps.kv.put(KV_KEY, { nextId: state.nextId + 1, roles: [...state.roles, role] } satisfies StoredRoles);
      return role;
    });
  }

  /** Renaming a role renames it on every user that has it. */
  update(ref: number | string, patch: Partial<RoleInput>): Promise<RoleRecord> {
    return this.serialize(async () => {
      const current = this.requireCustom(ref);
      const name = patch.name !== undefined ? validateName(patch.name) : current.name;
      const other = this.get(name);
      if (other && other.id !== current.id) throw new ConflictError('Role name already exists', 'ROLE_EXISTS');
      const updated: RoleRecord = {
        ...current, name,
        permissions: patch.permissions !== undefined ? validatePermissions(patch.permissions) : current.permissions,
        ...(patch.description !== undefined ? { description: String(patch.description) } : {}),
        updatedAt: this.clock.now(),
      };
      const state = this.stored();
      await this.deps.kv.put(KV_KEY, { ...state, roles: state.roles.map((r) => (r.id === current.id ? updated : r)) });
      if (name !== current.name) {
        for (const user of this.deps.users.list()) {
          if (user.role === current.name) {
            await this.deps.users.update(user.id, { role: name, updatedAt: this.clock.now() });
            this.deps.bus?.emit({ type: 'users.changed', userId: user.id, change: 'updated' });
          }
        }
      }
      return updated;
    });
  }

  /** Refuses system roles (403) and roles still assigned to users (409). */
  remove(ref: number | string): Promise<void> {
    return this.serialize(async () => {
      const current = this.requireCustom(ref);
      if (this.deps.users.list().some((u) => u.role === current.name)) {
        throw new ConflictError('Cannot delete role that is assigned to users', 'ROLE_IN_USE');
      }
      const state = this.stored();
      await this.deps.kv.put(KV_KEY, { ...state, roles: state.roles.filter((r) => r.id !== current.id) });
    });
  }

  private requireCustom(ref: number | string): RoleRecord {
    const role = this.require(ref);
    if (role.isSystem) throw new ForbiddenError('System roles cannot be changed', 'SYSTEM_ROLE');
    return role;
  }

  private stored(): StoredRoles {
    const value = this.deps.kv.get<StoredRoles>(KV_KEY);
    if (!value || !Array.isArray(value.roles)) return { nextId: FIRST_CUSTOM_ID, roles: [] };
    return value;
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function validateName(name: unknown): string {
  if (typeof name !== 'string' || !NAME_RE.test(name.trim())) {
    throw new ValidationError('Role name must be 1..64 characters: letters, digits, space, dot, underscore or dash', { field: 'name' });
  }
  return name.trim();
}

function validatePermissions(permissions: unknown): string[] {
  if (!Array.isArray(permissions)) throw new ValidationError('permissions must be an array of strings', { field: 'permissions' });
  const invalid = permissions.filter((p) => typeof p !== 'string' || !isValidPermissionEntry(p));
  if (invalid.length > 0) {
    throw new ValidationError(`Unknown permission: ${invalid.map(String).join(', ')}`, { field: 'permissions', invalid });
  }
  return [...new Set(permissions as string[])];
}
