/**
 * A Writable that writes into a temporary file and moves it onto the final name in
 * _final(), so 'finish' fires only once the file is visible under that name. On any
 * error, destroy() or abort the temporary file is removed and the final name is untouched.
 */
import { Writable } from 'node:stream';
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { StorageError } from '../types.js';
import { errnoOf, mapFsError } from './fs-errors.js';

export interface AtomicWriteOptions {
  handle: FileHandle;
  tmpPath: string;
  finalPath: string;
  /** Root-relative path, for error messages. */
  rel: string;
  overwrite: boolean;
  mtimeMs?: number;
}

export class AtomicWriteStream extends Writable {
  private handleClosed = false;
  private committed = false;

  constructor(private readonly o: AtomicWriteOptions) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    writeFully(this.o.handle, chunk).then(() => cb(), (err) => cb(mapFsError(err, 'write', this.o.rel)));
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.commit().then(() => cb(), (err) => cb(mapFsError(err, 'write', this.o.rel)));
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.committed) return cb(err);
    const close = this.handleClosed ? Promise.resolve() : this.o.handle.close().catch(() => undefined);
    this.handleClosed = true;
    close
      .then(() => fs.unlink(this.o.tmpPath))
      .catch(() => undefined) // already gone: nothing to clean
      .then(() => cb(err));
  }

  private async commit(): Promise<void> {
    await this.o.handle.close();
    this.handleClosed = true;
    if (this.o.mtimeMs !== undefined) {
      const t = this.o.mtimeMs / 1000;
      await fs.utimes(this.o.tmpPath, t, t);
    }
    if (this.o.overwrite) {
      await fs.rename(this.o.tmpPath, this.o.finalPath);
    } else {
      await linkNoReplace(this.o.tmpPath, this.o.finalPath, this.o.rel);
    }
    this.committed = true;
  }
}

/**
 * Move tmp onto final unless final exists. link() fails atomically with EEXIST; on
 * filesystems without hard links (FAT, some FUSE/NAS mounts) fall back to check + rename.
 */
async function linkNoReplace(tmp: string, final: string, rel: string): Promise<void> {
  try {
    await fs.link(tmp, final);
    await fs.unlink(tmp);
    return;
  } catch (err) {
    const errno = errnoOf(err);
    if (errno === 'EEXIST') throw new StorageError('EXISTS', `write ${rel}: already exists`);
    if (errno !== 'EPERM' && errno !== 'ENOTSUP' && errno !== 'EOPNOTSUPP' && errno !== 'EMLINK') throw err;
  }
  const exists = await fs.lstat(final).then(() => true, () => false);
  if (exists) throw new StorageError('EXISTS', `write ${rel}: already exists`);
  await fs.rename(tmp, final);
}

async function writeFully(handle: FileHandle, chunk: Buffer): Promise<void> {
  let off = 0;
  while (off < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, off, chunk.length - off);
    off += bytesWritten;
  }
}
