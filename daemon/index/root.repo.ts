/** RootRepo over LMDB: storage roots by id, with a unique url index. */
import type { RootRepo } from '../domain/ports.js';
import type { StorageRoot } from '../domain/types.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { nextSeq, writeTxn, type IndexState } from './env.js';
import { seqKey } from './keys.js';

export class LmdbRootRepo implements RootRepo {
  constructor(private readonly state: IndexState) {}

  private get dbs() { return this.state.dbs; }

  list(): StorageRoot[] {
    return [...this.dbs.roots.getRange({})].map((e) => e.value);
  }

  get(id: number): StorageRoot | undefined {
    return this.dbs.roots.get(id);
  }

  getByUrl(url: string): StorageRoot | undefined {
    const id = this.dbs.rootByUrl.get(url);
    return id === undefined ? undefined : this.get(id);
  }

  async create(input: Omit<StorageRoot, 'id' | 'createdAt'>): Promise<StorageRoot> {
    return writeTxn(this.dbs, () => {
      if (this.dbs.rootByUrl.get(input.url) !== undefined) throw new ConflictError(`storage root ${input.url} already exists`, 'ROOT_EXISTS');
      const root: StorageRoot = { ...input, id: nextSeq(this.dbs, seqKey('root')), createdAt: this.state.now() };
      this.dbs.roots.put(root.id, root);
      this.dbs.rootByUrl.put(root.url, root.id);
      return root;
    });
  }

  async update(id: number, patch: Partial<Omit<StorageRoot, 'id'>>): Promise<StorageRoot> {
    return writeTxn(this.dbs, () => {
      const root = this.get(id);
      if (!root) throw new NotFoundError(`storage root ${id} not found`);
      const next: StorageRoot = { ...root, ...patch, id };
      if (next.url !== root.url) {
        const owner = this.dbs.rootByUrl.get(next.url);
        if (owner !== undefined && owner !== id) throw new ConflictError(`storage root ${next.url} already exists`, 'ROOT_EXISTS');
        this.dbs.rootByUrl.remove(root.url);
        this.dbs.rootByUrl.put(next.url, id);
      }
      this.dbs.roots.put(id, next);
      return next;
    });
  }

  async remove(id: number): Promise<void> {
    writeTxn(this.dbs, () => {
      const root = this.get(id);
      if (!root) throw new NotFoundError(`storage root ${id} not found`);
      this.dbs.roots.remove(id);
      this.dbs.rootByUrl.remove(root.url);
    });
  }
}
