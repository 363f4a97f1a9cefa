/**
 * `memory:` - an in-memory StorageAdapter with the same behaviour as the real ones (it
 * passes contract.ts), for unit tests of services. Faults can be injected: offline,
 * latency per operation, and reads that fail part-way through.
 */
import { addAbortSignal, type Readable, type Writable } from 'node:stream';
import {
  StorageError,
  type AdapterOptions, type ReadOptions, type StorageAdapter, type StorageEntry, type WriteOptions,
} from '../types.js';
import { baseName, joinRel, normalizeRelPath, parentRel, printable } from '../path-safety.js';
import { memoryReadStream, memoryWriteStream } from './memory-streams.js';

type FileNode = { kind: 'file'; data: Buffer; mtimeMs: number };
type DirNode = { kind: 'dir'; children: Map<string, MemNode>; mtimeMs: number };
type MemNode = FileNode | DirNode;

const DEFAULT_CHUNK = 64 * 1024;

export class MemoryAdapter implements StorageAdapter {
  readonly scheme = 'memory';
  readonly displayUrl: string;
  private readonly rootNode: DirNode = { kind: 'dir', children: new Map(), mtimeMs: Date.now() };
  private offline = false;
  private latencyMs = 0;
  private failReadAfter: number | undefined;
  private readonly watchers = new Set<{ dir: string; onChange: (dir: string) => void }>();

  constructor(options: { displayUrl?: string } = {}) {
    this.displayUrl = options.displayUrl ?? 'memory://test';
  }

  // ---- fault injection and seeding (test helpers, not part of StorageAdapter) --------

  /** While offline every operation (and ping) fails with OFFLINE. */
  setOffline(offline: boolean): void {
    this.offline = offline;
  }
  /** Delay added before every operation. */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }
  /** Read streams opened from now on error with IO after `bytes` bytes; undefined turns it off. */
  failReadsAfter(bytes: number | undefined): void {
    this.failReadAfter = bytes;
  }
  /** Creates a file (and its parent directories) directly. */
  seed(path: string, data: Buffer | string, mtimeMs = Date.now()): void {
    const norm = normalizeRelPath(path);
    let dir = this.rootNode;
    const segs = norm.split('/');
    for (const seg of segs.slice(0, -1)) {
      let next = dir.children.get(seg);
      if (!next) dir.children.set(seg, (next = { kind: 'dir', children: new Map(), mtimeMs }));
      if (next.kind !== 'dir') throw new StorageError('NOT_DIR', `seed ${printable(norm)}: not a directory`);
      dir = next;
    }
    dir.children.set(baseName(norm), { kind: 'file', data: Buffer.from(data), mtimeMs });
  }

  // ---- StorageAdapter ------------------------------------------------------------------

  async list(rel: string, signal?: AbortSignal): Promise<StorageEntry[]> {
    const norm = await this.gate(rel, signal);
    const node = this.lookup(norm, 'list');
    if (node.kind !== 'dir') throw new StorageError('NOT_DIR', `list ${printable(norm)}: not a directory`);
    return [...node.children].map(([name, child]) => toEntry(name, joinRel(norm, name), child));
  }

  async stat(rel: string, signal?: AbortSignal): Promise<StorageEntry> {
    const norm = await this.gate(rel, signal);
    return toEntry(baseName(norm), norm, this.lookup(norm, 'stat'));
  }

  async createReadStream(rel: string, options: ReadOptions = {}): Promise<Readable> {
    const norm = await this.gate(rel, options.signal);
    const node = this.lookup(norm, 'read');
    if (node.kind !== 'file') throw new StorageError('IS_DIR', `read ${printable(norm)}: is a directory`);
    const start = options.start ?? 0;
    const end = Math.min(options.end ?? Infinity, node.data.length - 1);
    if (!Number.isSafeInteger(start) || start < 0 || (options.end !== undefined && options.end < start)) {
      throw new StorageError('IO', `read ${printable(norm)}: invalid range ${start}-${options.end ?? ''}`);
    }
    const stream = memoryReadStream({
      data: node.data, start, end, rel: printable(norm),
      chunk: options.highWaterMark ?? DEFAULT_CHUNK, failAfter: this.failReadAfter,
    });
    if (options.signal) addAbortSignal(options.signal, stream);
    return stream;
  }

  async createWriteStream(rel: string, options: WriteOptions = {}): Promise<Writable> {
    const norm = await this.gate(rel, options.signal);
    const check = (): DirNode => {
      if (norm === '') throw new StorageError('PERMISSION', 'write /: not allowed on the storage root');
      const parent = this.lookupDir(parentRel(norm), 'write');
      const existing = parent.children.get(baseName(norm));
      if (existing?.kind === 'dir') throw new StorageError('IS_DIR', `write ${printable(norm)}: is a directory`);
      if (existing && !options.overwrite) throw new StorageError('EXISTS', `write ${printable(norm)}: already exists`);
      return parent;
    };
    check();
    const stream = memoryWriteStream(async (data) => {
      await this.gate(norm);
      const parent = check(); // again: the tree may have changed while the body streamed
      parent.children.set(baseName(norm), { kind: 'file', data, mtimeMs: options.mtimeMs ?? Date.now() });
      this.touch(parentRel(norm), parent);
    });
    if (options.signal) addAbortSignal(options.signal, stream);
    return stream;
  }

  /** Deletes a file or an empty directory; `recursive` removes a tree. */
  async delete(rel: string, options: { recursive?: boolean } = {}): Promise<void> {
    const norm = await this.gate(rel);
    if (norm === '') throw new StorageError('PERMISSION', 'delete /: not allowed on the storage root');
    const parent = this.lookupDir(parentRel(norm), 'delete');
    const node = parent.children.get(baseName(norm));
    if (!node) throw new StorageError('NOT_FOUND', `delete ${printable(norm)}: not found`);
    if (node.kind === 'dir' && node.children.size > 0 && !options.recursive) {
      throw new StorageError('IO', `delete ${printable(norm)}: directory not empty`);
    }
    parent.children.delete(baseName(norm));
    this.touch(parentRel(norm), parent);
  }

  async rename(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    const src = await this.gate(from);
    const dst = normalizeRelPath(to);
    if (src === '' || dst === '') throw new StorageError('PERMISSION', 'rename /: not allowed on the storage root');
    const srcParent = this.lookupDir(parentRel(src), 'rename');
    const node = srcParent.children.get(baseName(src));
    if (!node) throw new StorageError('NOT_FOUND', `rename ${printable(src)}: not found`);
    if (src === dst) return;
    if (node.kind === 'dir' && dst.startsWith(src + '/')) throw new StorageError('IO', `rename ${printable(src)}: into itself`);
    const dstParent = this.lookupDir(parentRel(dst), 'rename');
    const existing = dstParent.children.get(baseName(dst));
    if (existing) {
      if (!options.overwrite) throw new StorageError('EXISTS', `rename to ${printable(dst)}: already exists`);
      if (existing.kind === 'dir' && node.kind === 'file') throw new StorageError('IS_DIR', `rename to ${printable(dst)}: is a directory`);
      if (existing.kind === 'file' && node.kind === 'dir') throw new StorageError('NOT_DIR', `rename to ${printable(dst)}: not a directory`);
      if (existing.kind === 'dir' && existing.children.size > 0) throw new StorageError('IO', `rename to ${printable(dst)}: directory not empty`);
    }
    srcParent.children.delete(baseName(src));
    dstParent.children.set(baseName(dst), node);
    this.touch(parentRel(src), srcParent);
    this.touch(parentRel(dst), dstParent);
  }

  async mkdir(rel: string, options: { recursive?: boolean } = {}): Promise<void> {
    const norm = await this.gate(rel);
    if (norm === '') {
      if (options.recursive) return;
      throw new StorageError('EXISTS', 'mkdir /: already exists');
    }
    let dir = this.rootNode;
    const segs = norm.split('/');
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i] as string;
      const last = i === segs.length - 1;
      const next = dir.children.get(seg);
      if (next?.kind === 'file') {
        throw new StorageError(last ? 'EXISTS' : 'NOT_DIR', `mkdir ${printable(norm)}: a file is in the way`);
      }
      if (next) {
        if (last && !options.recursive) throw new StorageError('EXISTS', `mkdir ${printable(norm)}: already exists`);
        dir = next;
        continue;
      }
      if (!last && !options.recursive) throw new StorageError('NOT_FOUND', `mkdir ${printable(norm)}: parent not found`);
      const made: DirNode = { kind: 'dir', children: new Map(), mtimeMs: Date.now() };
      dir.children.set(seg, made);
      this.touch(segs.slice(0, i).join('/'), dir);
      dir = made;
    }
  }

  async setMtime(rel: string, mtimeMs: number): Promise<void> {
    const norm = await this.gate(rel);
    this.lookup(norm, 'setMtime').mtimeMs = mtimeMs;
  }

  watch(rel: string, onChange: (dirPath: string) => void): () => void {
    const w = { dir: normalizeRelPath(rel), onChange };
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  async ping(signal?: AbortSignal): Promise<void> {
    await this.gate('', signal);
  }

  async close(): Promise<void> {
    this.watchers.clear();
  }

  // ---- internals ---------------------------------------------------------------------

  /** Normalizes the path, then applies injected latency and offline state. */
  private async gate(rel: string, signal?: AbortSignal): Promise<string> {
    const norm = normalizeRelPath(rel);
    signal?.throwIfAborted();
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (this.offline) throw new StorageError('OFFLINE', `storage ${this.displayUrl} is offline`);
    return norm;
  }

  private lookup(norm: string, op: string): MemNode {
    let node: MemNode = this.rootNode;
    if (norm === '') return node;
    for (const seg of norm.split('/')) {
      if (node.kind !== 'dir') throw new StorageError('NOT_DIR', `${op} ${printable(norm)}: not a directory`);
      const next = node.children.get(seg);
      if (!next) throw new StorageError('NOT_FOUND', `${op} ${printable(norm)}: not found`);
      node = next;
    }
    return node;
  }

  private lookupDir(norm: string, op: string): DirNode {
    const node = this.lookup(norm, op);
    if (node.kind !== 'dir') throw new StorageError('NOT_DIR', `${op} ${printable(norm)}: not a directory`);
    return node;
  }

  /** A directory's entries changed: bump its mtime and tell watchers. */
  private touch(dirPath: string, dir: DirNode): void {
    dir.mtimeMs = Date.now();
    for (const w of this.watchers) {
      if (w.dir === '' || dirPath === w.dir || dirPath.startsWith(w.dir + '/')) {
        setImmediate(() => w.onChange(dirPath));
      }
    }
  }
}

function toEntry(name: string, path: string, node: MemNode): StorageEntry {
  return node.kind === 'file'
    ? { name, path, type: 'file', size: node.data.length, mtimeMs: node.mtimeMs }
    : { name, path, type: 'dir', size: 0, mtimeMs: node.mtimeMs };
}

/** Registry factory: `memory://<name>`; every call gets a fresh, empty store. */
export function createMemoryAdapter(options: AdapterOptions): StorageAdapter {
  return new MemoryAdapter({ displayUrl: `memory://${options.url.host}${options.url.pathname === '/' ? '' : options.url.pathname}` });
}
