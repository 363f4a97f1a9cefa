/** UserRepo over LMDB: users by id, a case-insensitive username index. */
import type { UserRepo } from '../domain/ports.js';
import type { User } from '../domain/types.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { nextSeq, writeTxn, type IndexState } from './env.js';
import { removeSessionsOfUser } from './session.repo.js';
import { removeFavoritesOfUser } from './favorite.repo.js';
import { removeProgressOfUser } from './progress.repo.js';
import { removeWatchlistOfUser } from './watchlist.repo.js';
import { seqKey, userNameKey } from './keys.js';

export class LmdbUserRepo implements UserRepo {
  constructor(private readonly state: IndexState) {}

  private get dbs() { return this.state.dbs; }

  list(): User[] {
    return [...this.dbs.users.getRange({})].map((e) => e.value);
  }

  get(id: number): User | undefined {
    return this.dbs.users.get(id);
  }

  getByUsername(username: string): User | undefined {
    const id = this.dbs.userByName.get(userNameKey(username));
    return id === undefined ? undefined : this.get(id);
  }

  count(): number {
    return this.dbs.users.getCount();
  }

  countAdmins(): number {
    let n = 0;
    for (const { value } of this.dbs.users.getRange({})) if (value.role === 'admin') n++;
    return n;
  }

  async create(input: Omit<User, 'id' | 'createdAt' | 'updatedAt'>): Promise<User> {
    const key = userNameKey(input.username);
    if (!key) throw new ValidationError('username must not be empty');
    return writeTxn(this.dbs, () => {
      if (this.dbs.userByName.get(key) !== undefined) throw new ConflictError(`user '${input.username}' already exists`, 'USER_EXISTS');
      const now = this.state.now();
      const user: User = { ...input, id: nextSeq(this.dbs, seqKey('user')), createdAt: now, updatedAt: now };
      this.dbs.users.put(user.id, user);
      this.dbs.userByName.put(key, user.id);
      return user;
    });
  }

  async update(id: number, patch: Partial<Omit<User, 'id' | 'createdAt'>>): Promise<User> {
    return writeTxn(this.dbs, () => {
      const user = this.get(id);
      if (!user) throw new NotFoundError(`user ${id} not found`);
      const next: User = { ...user, ...patch, id, createdAt: user.createdAt, updatedAt: patch.updatedAt ?? this.state.now() };
      const oldKey = userNameKey(user.username);
      const newKey = userNameKey(next.username);
      if (newKey !== oldKey) {
        if (!newKey) throw new ValidationError('username must not be empty');
        if (this.dbs.userByName.get(newKey) !== undefined) throw new ConflictError(`user '${next.username}' already exists`, 'USER_EXISTS');
        this.dbs.userByName.remove(oldKey);
        this.dbs.userByName.put(newKey, id);
      }
      this.dbs.users.put(id, next);
      return next;
    });
  }

  async remove(id: number): Promise<void> {
    writeTxn(this.dbs, () => {
      const user = this.get(id);
      if (!user) throw new NotFoundError(`user ${id} not found`);
      removeSessionsOfUser(this.dbs, id);
      removeFavoritesOfUser(this.dbs, id);
      removeProgressOfUser(this.dbs, id);
      removeWatchlistOfUser(this.dbs, id);
      this.dbs.userByName.remove(userNameKey(user.username));
      this.dbs.users.remove(id);
    });
  }
}
