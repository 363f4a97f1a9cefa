/**
 * File answers: validators, 304, a single byte range (206), If-Range, 416 and HEAD.
 * Several ranges answer 200 with the whole file (allowed by RFC 7233; players ask for one).
 * Bytes come from `file` when given (positioned reads into pooled buffers, no stream:
 * local disks through StorageAdapter.openFile), else from `open(start, end, signal)`, so any
 * storage adapter can serve them; for throughput `open` should read 256 KiB-1 MiB chunks
 * (STREAM_CHUNK_BYTES). sendFile owns `file` and releases it whatever happens.
 */
import type { Readable } from 'node:stream';
import { RangeNotSatisfiableError } from '../domain/errors.js';
import { fileEtag, httpDate, ifRangeMatches, normalizeEtag } from './conditional.js';
import type { HttpContext } from './context.js';
import { dropPrefetch, fileChunks, prefetchFirst, type PositionedFile, type Prefetch } from './file-chunks.js';
import { contentRange, parseRange } from './range.js';

export type { PositionedFile } from './file-chunks.js';

/** Read size that measured best with uWS (64 KiB halves throughput). */
export const STREAM_CHUNK_BYTES = 512 * 1024;

export interface FileToSend {
  size: number;
  mtimeMs: number;
  contentType: string;
  /** Default: a strong tag from mtime and size. */
  etag?: string;
  /** Full Content-Disposition value, e.g. `attachment; filename="a.mkv"`. */
  disposition?: string;
  cacheControl?: string;
  /** A stream of bytes start..end (inclusive); destroyed by the caller on abort. */
  open: (start: number, end: number, signal: AbortSignal) => Promise<Readable>;
  /** The open file for positioned reads, used instead of `open`; released by sendFile. */
  file?: PositionedFile;
}

export async function sendFile(ctx: HttpContext, file: FileToSend): Promise<void> {
  let owned = file.file;
  let prefetch: Prefetch | undefined;
  try {
    if (owned?.current) {
      // An early file (cached descriptor, check still running): read the first chunk while
      // the check runs; answer nothing before it settled. A stale file is swapped for the
      // current one and the answer decided afresh (a deleted one rejects: 404).
      const plan = file.etag === undefined ? plannedBody(ctx, file) : undefined;
      if (plan) prefetch = prefetchFirst(owned, plan.start, plan.length);
      const fresh = await owned.current;
      if (fresh) {
        if (prefetch) await dropPrefetch(prefetch);
        prefetch = undefined;
        owned.release();
        owned = fresh;
        file = { ...file, size: fresh.size, mtimeMs: fresh.mtimeMs, file: fresh };
      }
    }
    await answer(ctx, file, (start, length) => {
      const f = owned;
      owned = undefined;
      const p = prefetch?.start === start && prefetch.length === length ? prefetch : undefined;
      if (p) prefetch = undefined;
      return { file: f!, first: p };
    });
  } finally {
    if (prefetch) await dropPrefetch(prefetch); // its read settles before the file is released
    owned?.release();
  }
}

type TakeFile = (start: number, length: number) => { file: PositionedFile; first?: Prefetch };

/** Which range the answer will be: 'unsatisfiable' (416) or status + inclusive bounds. */
function selectRange(ctx: HttpContext, size: number, etag: string, mtimeMs: number): { status: number; start: number; end: number } | 'unsatisfiable' {
  const rangeHeader = ctx.headers.range;
  if (rangeHeader !== undefined && ifRangeMatches(ctx.headers['if-range'], etag, mtimeMs)) {
    const range = parseRange(rangeHeader, size);
    if (range.kind === 'unsatisfiable') return 'unsatisfiable';
    if (range.kind === 'range') return { status: 206, start: range.start, end: range.end };
  }
  return { status: 200, start: 0, end: size - 1 };
}

/** The body bytes a GET without validators will send, from the (unchecked) size and mtime. */
function plannedBody(ctx: HttpContext, file: FileToSend): { start: number; length: number } | undefined {
  if (ctx.method !== 'GET' || ctx.headers['if-none-match'] !== undefined || ctx.headers['if-modified-since'] !== undefined) return undefined;
  const sel = selectRange(ctx, file.size, fileEtag(file.size, file.mtimeMs), file.mtimeMs);
  if (sel === 'unsatisfiable' || file.size === 0) return undefined;
  return { start: sel.start, length: sel.end - sel.start + 1 };
}

async function answer(ctx: HttpContext, file: FileToSend, takeFile: TakeFile): Promise<void> {
  const etag = file.etag !== undefined ? normalizeEtag(file.etag) : fileEtag(file.size, file.mtimeMs);
  ctx.setHeader('Accept-Ranges', 'bytes');
  if (file.cacheControl) ctx.setHeader('Cache-Control', file.cacheControl);
  if (file.disposition) ctx.setHeader('Content-Disposition', file.disposition);
  if (ctx.notModified(etag, file.mtimeMs)) return;

  const sel = selectRange(ctx, file.size, etag, file.mtimeMs);
  if (sel === 'unsatisfiable') throw new RangeNotSatisfiableError(file.size);
  const { status, start, end } = sel;
  if (status === 206) ctx.setHeader('Content-Range', contentRange(start, end, file.size));
  const length = file.size === 0 ? 0 : end - start + 1;
  if (ctx.method === 'HEAD' || length === 0) {
    // No bytes to read: HEAD reports the length it would send, an empty file sends nothing.
    if (ctx.method === 'HEAD') ctx.responder.endEmpty(status, ctx.headerList(file.contentType), length);
    else ctx.send(status, '', file.contentType);
    return;
  }
  if (ctx.aborted) return;
  if (file.file) {
    const headers = ctx.headerList(file.contentType);
    const { file: f, first } = takeFile(start, length);
    const source = fileChunks(f, start, length, first); // from here on the pump releases the file
    await ctx.responder.pull(status, headers, length, source);
    return;
  }
  const stream = await file.open(start, end, ctx.signal);
  if (ctx.aborted) {
    // Gone while the bytes were being opened: the source may already be failing (an adapter
    // that destroys it on the abort signal); a listener keeps that error from going uncaught.
    stream.on('error', () => undefined);
    stream.destroy();
    return;
  }
  await ctx.sendStream(status, stream, { contentType: file.contentType, size: length });
}
