/**
 * RecordRepo over LMDB: JSON-like records in the 'records' sub-database under
 * `[collection, id]` keys, so a collection is one ordered range (numbers sort before strings
 * in lmdb-js's ordered-binary keys). Numeric ids come from a per-collection sequence in meta
 * (`['seq-rec', collection]`), allocated in the same transaction as the record.
 */
import type { RecordRepo } from '../domain/ports.js';
import { writeTxn, type IndexState } from './env.js';

const REMOVE_CHUNK = 2_000;
/** Range bounds of one collection: every id (number or string) sorts between these. */
const LOW = false;
const HIGH = '\uffff\uffff';

const seqKey = (collection: string): [string, string] => ['seq-rec', collection];

export class LmdbRecordRepo implements RecordRepo {
  constructor(private readonly state: IndexState) {}

  get<T>(collection: string, id: number | string): T | undefined {
    return this.state.dbs.records.get([collection, id]) as T | undefined;
  }

  async insert<T>(collection: string, build: (id: number) => T): Promise<T> {
    const { dbs } = this.state;
    return writeTxn(dbs, () => {
      const id = this.nextId(collection);
      const value = build(id);
      dbs.records.put([collection, id], value);
      return value;
    });
  }

  async insertMany(collection: string, values: unknown[]): Promise<number> {
    const { dbs } = this.state;
    return writeTxn(dbs, () => {
      const first = ((dbs.meta.get(seqKey(collection)) as number | undefined) ?? 0) + 1;
      values.forEach((value, i) => { dbs.records.put([collection, first + i], value); });
      dbs.meta.put(seqKey(collection), first + values.length - 1);
      return first;
    });
  }

  async put(collection: string, id: number | string, value: unknown): Promise<void> {
    writeTxn(this.state.dbs, () => { this.state.dbs.records.put([collection, id], value); });
  }

  async remove(collection: string, id: number | string): Promise<boolean> {
    return writeTxn(this.state.dbs, () => this.state.dbs.records.removeSync([collection, id]));
  }

  async removeCollection(collection: string): Promise<number> {
    let removed = 0;
    for (;;) {
      const keys = [...this.state.dbs.records.getKeys({ start: [collection, LOW], end: [collection, HIGH], limit: REMOVE_CHUNK })];
      if (keys.length === 0) return removed;
      writeTxn(this.state.dbs, () => { for (const key of keys) this.state.dbs.records.removeSync(key); });
      removed += keys.length;
    }
  }

  *scan<T>(collection: string, options: { reverse?: boolean; offset?: number; limit?: number } = {}): Iterable<{ id: number | string; value: T }> {
    const low: [string, boolean] = [collection, LOW];
    const high: [string, string] = [collection, HIGH];
    const entries = this.state.dbs.records.getRange({
      start: options.reverse ? high : low,
      end: options.reverse ? low : high,
      reverse: options.reverse === true,
      ...(options.offset ? { offset: options.offset } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    });
    for (const { key, value } of entries) {
      yield { id: (key as [string, number | string])[1], value: value as T };
    }
  }

  count(collection: string): number {
    return this.state.dbs.records.getKeysCount({ start: [collection, LOW], end: [collection, HIGH] });
  }

  /** Call inside writeTxn. */
  private nextId(collection: string): number {
    const n = ((this.state.dbs.meta.get(seqKey(collection)) as number | undefined) ?? 0) + 1;
    this.state.dbs.meta.put(seqKey(collection), n);
    return n;
  }
}
