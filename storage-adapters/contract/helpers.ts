/**
 * Helpers for the storage contract suite: a minimal tap-like test type, deterministic
 * pattern data (any range reproducible without holding the file in memory), and read /
 * write / error-code helpers that accept errors either from the promise or the stream.
 */
import { createHash } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import type { StorageAdapter, ReadOptions, WriteOptions, StorageErrorCode } from '../types.js';

/** The parts of a tap Test the suite uses (tap's `t` satisfies it). */
export interface ContractTest {
  test(name: string, fn: (t: ContractTest) => Promise<void>): unknown;
  ok(value: unknown, message: string): unknown;
  equal(found: unknown, wanted: unknown, message: string): unknown;
  same(found: unknown, wanted: unknown, message: string): unknown;
  fail(message: string): unknown;
  teardown(fn: () => unknown): unknown;
}

export interface ContractFixture {
  adapter: StorageAdapter;
  /** Create a file (and its parents) with the given bytes and, where possible, mtime. */
  seed: (path: string, data: Buffer | string, mtimeMs?: number) => Promise<void>;
  cleanup: () => Promise<void>;
}

export interface ContractOptions {
  /** Size of the big-file test (default 8 MiB; remote suites pass 300 MiB). */
  bigFileBytes?: number;
  /** Entries in the large-folder test (default 2,100). */
  manyEntries?: number;
  /** Default: whether the adapter has watch(). */
  supportsWatch?: boolean;
  /** Default: whether the adapter has setMtime(). */
  supportsSetMtime?: boolean;
}

export type MakeFixture = () => Promise<ContractFixture>;

const BLOCK = 64 * 1024;

/** Pseudo-random bytes of a given size; block k depends only on (seed, k). */
export class PatternData {
  constructor(readonly size: number, readonly seed = 1) {}

  block(k: number): Buffer {
    const words = new Uint32Array(BLOCK / 4);
    let x = (Math.imul(k + 1, 2654435761) ^ Math.imul(this.seed, 40503)) >>> 0 || 1;
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13; x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5; x >>>= 0;
      words[i] = x;
    }
    return Buffer.from(words.buffer);
  }

  /** Blocks covering [start, end] (inclusive), trimmed. */
  *chunks(start = 0, end = this.size - 1): Generator<Buffer> {
    for (let k = Math.floor(start / BLOCK); k * BLOCK <= end; k++) {
      const b = this.block(k);
      const from = Math.max(start - k * BLOCK, 0);
      const to = Math.min(end - k * BLOCK + 1, BLOCK);
      yield b.subarray(from, to);
    }
  }

  sha256(start = 0, end = this.size - 1): string {
    const h = createHash('sha256');
    if (end >= start) for (const c of this.chunks(start, end)) h.update(c);
    return h.digest('hex');
  }

  stream(): Readable {
    return Readable.from(this.size > 0 ? this.chunks() : [], { objectMode: false });
  }
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Read [start, end] into memory (small files only). */
export async function readAll(adapter: StorageAdapter, path: string, options?: ReadOptions): Promise<Buffer> {
  const stream = await adapter.createReadStream(path, options);
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** sha256 and length of a ranged read, streaming. */
export async function hashRead(adapter: StorageAdapter, path: string, options?: ReadOptions): Promise<{ hash: string; bytes: number }> {
  const stream = await adapter.createReadStream(path, options);
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { hash: h.digest('hex'), bytes };
}

/** Write `data` through the adapter; resolves once 'finish' fired. */
export async function writeAll(adapter: StorageAdapter, path: string, data: Buffer | string | Readable, options?: WriteOptions): Promise<void> {
  const ws = await adapter.createWriteStream(path, options);
  await pipeTo(typeof data === 'string' || Buffer.isBuffer(data) ? Readable.from([Buffer.from(data)]) : data, ws);
}

export function pipeTo(src: Readable, ws: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('finish', resolve);
    ws.once('error', reject);
    src.once('error', reject);
    src.pipe(ws);
  });
}

/** Resolves when the stream has closed (or errored), rejects after `ms`. */
export function closed(stream: Readable | Writable, ms: number): Promise<void> {
  // The error (if any) may still be pending on the next tick even when `closed` is set.
  stream.on('error', () => undefined);
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stream not closed within ${ms} ms`)), ms);
    stream.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Assert that `fn` fails with a StorageError of `code`. */
export async function expectCode(t: ContractTest, fn: () => Promise<unknown>, code: StorageErrorCode, message: string): Promise<void> {
  try {
    await fn();
    t.fail(`${message}: expected ${code}, but it succeeded`);
  } catch (err) {
    const e = err as { name?: string; code?: string; message?: string };
    t.equal(`${e.name}:${e.code}`, `StorageError:${code}`, `${message} (${e.message ?? ''})`);
  }
}

/** Assert that `fn` fails because it was aborted. */
export async function expectAbort(t: ContractTest, fn: () => Promise<unknown>, message: string): Promise<void> {
  try {
    await fn();
    t.fail(`${message}: expected an abort, but it succeeded`);
  } catch (err) {
    const e = err as { name?: string; code?: string };
    t.ok(e.name === 'AbortError' || e.code === 'ABORT_ERR', `${message} (${e.name}/${e.code})`);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or `ms` passes. */
export async function eventually(check: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await sleep(25);
  }
}
