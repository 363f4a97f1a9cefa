/**
 * Copies (Catalogizer /copy/*) between any two storage roots, and uploads from a client:
 * streamed (one chunk in memory), sha256 computed on the way, verified by size at the end,
 * progress on the EventBus as `job.progress` (job `copy:<n>`). A destination that exists is
 * a 409 unless overwrite was asked. Adapters write under a temporary name and rename on
 * finish, so a failed copy never leaves a partial file under the final name.
 */
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EventBus, IndexStore } from '../../../domain/ports.js';
import { ConflictError, ValidationError } from '../../../domain/errors.js';
import type { StorageAdapter } from '../../../../storage-adapters/types.js';
import { StorageError } from '../../../../storage-adapters/types.js';
import { CopyTargets, type CopyTarget } from './copy-target.js';

export type GetAdapter = (rootId: number) => Promise<StorageAdapter>;

export interface CopyResult { bytes: number; sha256: string; job: string }

const PROGRESS_EVERY_MS = 500;

export class CopyService {
  readonly targets: CopyTargets;
  private seq = 0;

  constructor(index: IndexStore, private readonly getAdapter: GetAdapter, private readonly events: EventBus) {
    this.targets = new CopyTargets(index);
  }

  /** Copy a file from one target to another. */
  async copy(from: CopyTarget, to: CopyTarget, overwrite: boolean, signal?: AbortSignal): Promise<CopyResult> {
    const src = await this.getAdapter(from.rootId);
    const st = await src.stat(from.path, signal);
    if (st.type !== 'file') throw new ValidationError('Source is not a file', { field: 'source_path' }, 'NOT_A_FILE');
    if (from.rootId === to.rootId && from.path === to.path) throw new ConflictError('Source and destination are the same file', 'SAME_FILE');
    const body = await src.createReadStream(from.path, { signal, highWaterMark: 512 * 1024 });
    return this.write(body, st.size, to, overwrite, signal);
  }

  /** Write an uploaded body to a target. */
  async upload(data: Buffer, to: CopyTarget, overwrite: boolean, signal?: AbortSignal): Promise<CopyResult> {
    const chunks = function* () { for (let i = 0; i < data.length; i += 512 * 1024) yield data.subarray(i, i + 512 * 1024); };
    return this.write(Readable.from(chunks()), data.length, to, overwrite, signal);
  }

  /**
   * An upload of unknown length, streamed from the request to the destination adapter as it
   * arrives; verified by comparing the bytes received with the size written.
   */
  uploadStream(body: Readable, to: CopyTarget, overwrite: boolean, signal?: AbortSignal): Promise<CopyResult> {
    return this.write(body, undefined, to, overwrite, signal);
  }

  private async write(body: Readable, expectedSize: number | undefined, to: CopyTarget, overwrite: boolean, signal?: AbortSignal): Promise<CopyResult> {
    const dst = await this.getAdapter(to.rootId);
    if (!overwrite && await exists(dst, to.path)) {
      body.destroy();
      throw new ConflictError('Destination file already exists', 'DESTINATION_EXISTS');
    }
    const parent = to.path.includes('/') ? to.path.slice(0, to.path.lastIndexOf('/')) : '';
    if (parent) await dst.mkdir(parent, { recursive: true });
    const job = `copy:${++this.seq}`;
    const hash = createHash('sha256');
    let done = 0;
    let last = 0;
    const tap = new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        hash.update(chunk);
        done += chunk.length;
        const now = Date.now();
        if (now - last >= PROGRESS_EVERY_MS) { last = now; this.events.emit({ type: 'job.progress', job, done, total: expectedSize, state: 'running' }); }
        cb(null, chunk);
      },
    });
    this.events.emit({ type: 'job.progress', job, done: 0, total: expectedSize, state: 'running' });
    try {
      const out = await dst.createWriteStream(to.path, { overwrite, signal });
      await pipeline(body, tap, out, { signal });
      const written = await dst.stat(to.path);
      const expected = expectedSize ?? done;
      if (done !== expected || written.size !== expected) {
        await dst.delete(to.path).catch(() => undefined);
        throw new StorageError('IO', `Copy verification failed: expected ${expected} bytes, read ${done}, wrote ${written.size}`);
      }
    } catch (err) {
      this.events.emit({ type: 'job.progress', job, done, total: expectedSize, state: signal?.aborted ? 'cancelled' : 'failed' });
      if (err instanceof StorageError && err.code === 'EXISTS') throw new ConflictError('Destination file already exists', 'DESTINATION_EXISTS');
      throw err;
    }
    this.events.emit({ type: 'job.progress', job, done, total: done, state: 'done' });
    return { bytes: done, sha256: hash.digest('hex'), job };
  }
}

async function exists(adapter: StorageAdapter, path: string): Promise<boolean> {
  try { await adapter.stat(path); return true; } catch (err) {
    if (err instanceof StorageError && err.code === 'NOT_FOUND') return false;
    throw err;
  }
}
