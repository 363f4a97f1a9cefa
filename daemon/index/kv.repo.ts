/** KvRepo over LMDB: JSON values by string key (stored as JSON text, so values round-trip as JSON). */
import type { KvRepo } from '../domain/ports.js';
import { writeTxn, type IndexState } from './env.js';

export class LmdbKvRepo implements KvRepo {
  constructor(private readonly state: IndexState) {}

  get<T>(key: string): T | undefined {
    const raw = this.state.dbs.kv.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  async put(key: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`kv value for '${key}' is not JSON-serialisable`);
    writeTxn(this.state.dbs, () => { this.state.dbs.kv.put(key, text); });
  }

  async remove(key: string): Promise<void> {
    writeTxn(this.state.dbs, () => { this.state.dbs.kv.remove(key); });
  }
}
