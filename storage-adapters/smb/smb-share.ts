/**
 * File operations on one connected share (tree) of an Smb2Connection. Paths are full
 * share-relative '/'-paths ('' is the share root); errors are raw (SmbStatusError or
 * StorageError): the adapter maps them with the operation and the caller's path.
 *
 * Fixes over node-smb2's Tree (TESTING.md):
 * - list() loops QUERY_DIRECTORY until STATUS_NO_MORE_FILES (node-smb2 sends one request:
 *   a 2,000-entry folder came back with 340) and returns bare names (not './name').
 * - stat() is CREATE with FILE_READ_ATTRIBUTES + CLOSE (node-smb2 has none).
 * - read() is one raw READ of (offset, length): the building block of ranged streams.
 * - createTemp() never opens an existing file (node-smb2's createFile fails on one).
 */
import { Command, Status, msToFiletime, smbPath } from './smb2-wire.js';
import type { Smb2Connection } from './smb2-connection.js';
import {
  Access, CreateOpt, Disposition, InfoClass, Share, basicInfoMtime, closeRequest, createRequest, dispositionInfo,
  parseCreate, parseDirectory, queryDirectoryRequest, readData, readRequest, renameInfo, setInfoRequest,
  writeCount, writeRequest, type CreateParams, type DirEntry, type FileInfo,
} from './smb2-messages.js';

/** Largest READ/WRITE/QUERY_DIRECTORY payload: 64 KiB (one credit on SMB 2.0.2 and 2.1). */
export const MAX_IO = 64 * 1024;

export class SmbShare {
  readonly maxIo: number;

  constructor(readonly conn: Smb2Connection, readonly treeId: number) {
    const n = conn.negotiated;
    this.maxIo = Math.min(MAX_IO, n?.maxRead ?? MAX_IO, n?.maxWrite ?? MAX_IO);
  }

  get alive(): boolean {
    return this.conn.alive;
  }

  async open(path: string, p: CreateParams): Promise<FileInfo> {
    const r = await this.conn.request(Command.CREATE, createRequest(smbPath(path), p), this.treeId);
    return parseCreate(r.msg.subarray(64));
  }

  /** CLOSE; failures are ignored (the handle dies with the connection anyway). */
  async close(fileId: Buffer): Promise<void> {
    await this.conn.request(Command.CLOSE, closeRequest(fileId), this.treeId).catch(() => undefined);
  }

  /** Attributes of `path` via CREATE(FILE_READ_ATTRIBUTES) + CLOSE. */
  async stat(path: string): Promise<FileInfo> {
    const info = await this.open(path, { access: Access.READ_ATTRIBUTES | Access.SYNCHRONIZE, disposition: Disposition.OPEN });
    await this.close(info.fileId);
    return info;
  }

  /** Every entry of a directory ('.' and '..' left out). */
  async list(path: string): Promise<DirEntry[]> {
    const dir = await this.open(path, {
      access: Access.LIST_DIRECTORY | Access.READ_ATTRIBUTES | Access.SYNCHRONIZE,
      disposition: Disposition.OPEN,
      options: CreateOpt.DIRECTORY_FILE,
    });
    try {
      const out: DirEntry[] = [];
      for (let first = true; ; first = false) {
        const r = await this.conn.request(Command.QUERY_DIRECTORY, queryDirectoryRequest(dir.fileId, first, this.maxIo), this.treeId, [Status.NO_MORE_FILES]);
        if (r.header.status === Status.NO_MORE_FILES) break;
        for (const e of parseDirectory(r.msg)) if (e.name !== '.' && e.name !== '..') out.push(e);
      }
      return out;
    } finally {
      await this.close(dir.fileId);
    }
  }

  /** One READ of up to maxIo bytes; empty at or past end of file. */
  async read(fileId: Buffer, offset: number, length: number): Promise<Buffer> {
    const r = await this.conn.request(Command.READ, readRequest(fileId, offset, length), this.treeId, [Status.END_OF_FILE]);
    return r.header.status === Status.END_OF_FILE ? Buffer.alloc(0) : readData(r.msg);
  }

  /** One WRITE of up to maxIo bytes; returns the count the server took. */
  async write(fileId: Buffer, offset: number, data: Buffer): Promise<number> {
    const r = await this.conn.request(Command.WRITE, writeRequest(fileId, offset, data), this.treeId);
    return writeCount(r.msg.subarray(64));
  }

  async setInfo(fileId: Buffer, infoClass: number, info: Buffer): Promise<void> {
    await this.conn.request(Command.SET_INFO, setInfoRequest(fileId, infoClass, info), this.treeId);
  }

  /** Create a new file that must not exist yet, opened for writing, renaming and deleting. */
  async createTemp(path: string): Promise<FileInfo> {
    return this.open(path, {
      access: Access.WRITE_DATA | Access.READ_ATTRIBUTES | Access.WRITE_ATTRIBUTES | Access.DELETE | Access.SYNCHRONIZE,
      disposition: Disposition.CREATE,
      options: CreateOpt.NON_DIRECTORY_FILE,
      share: Share.READ,
    });
  }

  async mkdir(path: string): Promise<void> {
    const d = await this.open(path, { access: Access.READ_ATTRIBUTES | Access.SYNCHRONIZE, disposition: Disposition.CREATE, options: CreateOpt.DIRECTORY_FILE });
    await this.close(d.fileId);
  }

  /** Delete a file or an empty directory (DIRECTORY_NOT_EMPTY otherwise). */
  async remove(path: string): Promise<void> {
    const f = await this.open(path, { access: Access.DELETE | Access.READ_ATTRIBUTES | Access.SYNCHRONIZE, disposition: Disposition.OPEN });
    try {
      await this.setInfo(f.fileId, InfoClass.DISPOSITION, dispositionInfo(true));
    } finally {
      await this.close(f.fileId);
    }
  }

  async rename(from: string, to: string, replace: boolean): Promise<void> {
    const f = await this.open(from, { access: Access.DELETE | Access.READ_ATTRIBUTES | Access.SYNCHRONIZE, disposition: Disposition.OPEN });
    try {
      await this.setInfo(f.fileId, InfoClass.RENAME, renameInfo(smbPath(to), replace));
    } finally {
      await this.close(f.fileId);
    }
  }

  async setMtime(path: string, mtimeMs: number): Promise<void> {
    const f = await this.open(path, { access: Access.WRITE_ATTRIBUTES | Access.READ_ATTRIBUTES | Access.SYNCHRONIZE, disposition: Disposition.OPEN });
    try {
      await this.setInfo(f.fileId, InfoClass.BASIC, basicInfoMtime(msToFiletime(mtimeMs)));
    } finally {
      await this.close(f.fileId);
    }
  }
}
