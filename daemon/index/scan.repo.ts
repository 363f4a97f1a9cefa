/** ScanRepo over LMDB: scan records by id (chronological), with a per-library index. */
import type { ScanRepo } from '../domain/ports.js';
import type { ScanRecord } from '../domain/types.js';
import { NotFoundError } from '../domain/errors.js';
import { nextSeq, writeTxn, type IndexState } from './env.js';
import { scanLibraryKey, scanLibraryRange, seqKey } from './keys.js';

export class LmdbScanRepo implements ScanRepo {
  constructor(private readonly state: IndexState) {}

  private get dbs() { return this.state.dbs; }

  async start(record: Omit<ScanRecord, 'id'>): Promise<ScanRecord> {
    return writeTxn(this.dbs, () => {
      const scan: ScanRecord = { ...record, id: nextSeq(this.dbs, seqKey('scan')) };
      this.dbs.scans.put(scan.id, scan);
      this.dbs.scanByLibrary.put(scanLibraryKey(scan.libraryId, scan.id), null);
      return scan;
    });
  }

  async finish(id: number, patch: Partial<ScanRecord>): Promise<void> {
    writeTxn(this.dbs, () => {
      const scan = this.dbs.scans.get(id);
      if (!scan) throw new NotFoundError(`scan ${id} not found`);
      // id and libraryId are identity: a patch cannot move a record between indexes.
      this.dbs.scans.put(id, { ...scan, ...patch, id, libraryId: scan.libraryId });
    });
  }

  /** Newest first (ids grow with time); default limit 50. */
  list(libraryId?: number, limit = 50): ScanRecord[] {
    const out: ScanRecord[] = [];
    if (libraryId === undefined) {
      for (const { value } of this.dbs.scans.getRange({ reverse: true, limit })) out.push(value);
      return out;
    }
    const r = scanLibraryRange(libraryId);
    for (const key of this.dbs.scanByLibrary.getKeys({ start: r.end, end: r.start, reverse: true, limit })) {
      const scan = this.dbs.scans.get((key as [number, number])[1]);
      if (scan) out.push(scan);
    }
    return out;
  }
}
