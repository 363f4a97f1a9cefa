/**
 * RequestContext: what a route handler sees. Everything uWS offers about the request is read
 * synchronously when the request arrives (uWS invalidates HttpRequest at the first await),
 * so every field here is safe to use after awaits.
 *
 * Responses: each context answers exactly once (sendJson, send, noContent, a 304 from
 * notModified, sendStream, sendFile, startStream); a second answer throws. After the client
 * disconnected, answers are silently dropped and `signal` is aborted.
 */
import type { Readable } from 'node:stream';
import type { AuthInfo } from '../domain/auth.js';
import { ValidationError } from '../domain/errors.js';
import type { BodyReader } from './body.js';
import { ifNoneMatchHits, httpDate, normalizeEtag, notModifiedSince } from './conditional.js';
import { parseCookies, serializeCookie, type CookieOptions } from './cookies.js';
import type { HeaderList, Responder, StreamWriter } from './respond.js';
import { sendFile, type FileToSend } from './send-file.js';

export type { CookieOptions } from './cookies.js';
export type { StreamWriter } from './respond.js';
export type { FileToSend } from './send-file.js';

export const JSON_TYPE = 'application/json; charset=utf-8';

export interface RequestContext {
  readonly method: string;
  /** Raw path (still percent-encoded), without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Route params, percent-decoded; the wildcard is params['*']. */
  readonly params: Record<string, string>;
  /** Lower-case names; repeated headers joined with ', ' (cookies with '; '). */
  readonly headers: Readonly<Record<string, string>>;
  readonly ip: string;
  readonly requestId: string;
  /** Aborts when the client disconnects. */
  readonly signal: AbortSignal;
  readonly aborted: boolean;
  auth?: AuthInfo;
  /** The matched route pattern. */
  readonly route: string;

  header(name: string): string | undefined;
  cookies(): Record<string, string>;
  /** The whole body; TooLargeError (413) as soon as the route's limit is passed. */
  body(): Promise<Buffer>;
  /** The body as a stream; only on routes registered with `streamBody: true`. */
  bodyStream(): Readable;
  /** The body parsed as JSON; empty or malformed -> ValidationError (400). */
  json<T = unknown>(): Promise<T>;

  setHeader(name: string, value: string): this;
  setCookie(name: string, value: string, opts?: CookieOptions): this;
  clearCookie(name: string, opts?: CookieOptions): this;
  sendJson(status: number, body: unknown, headers?: Record<string, string>): void;
  send(status: number, body: string | Buffer, contentType: string): void;
  noContent(status?: number): void;
  /** Sets ETag (and Last-Modified); when the request's validators match, answers 304 and returns true. */
  notModified(etag: string, lastModifiedMs?: number): boolean;
  /** Streams a Readable with backpressure; destroys it on abort. Never rejects after headers went out. */
  sendStream(status: number, stream: Readable, options: { contentType: string; size?: number; headers?: Record<string, string> }): Promise<void>;
  /** A file with validators, 304, single Range (206), If-Range, 416 and HEAD. */
  sendFile(file: FileToSend): Promise<void>;
  /** Chunked answer (NDJSON, zip). */
  startStream(status: number, headers: Record<string, string>): StreamWriter;
}

export interface ContextInit {
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  headers: Record<string, string>;
  /** The client address, computed on first call. */
  ip: () => string;
  requestId: string;
  route: string;
  responder: Responder;
  body: BodyReader;
  /** Headers every answer carries (request id, security headers). */
  baseHeaders: HeaderList;
}

export class HttpContext implements RequestContext {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: Record<string, string>;
  readonly headers: Readonly<Record<string, string>>;
  readonly requestId: string;
  readonly route: string;
  auth?: AuthInfo;
  private readonly remoteIp: () => string;
  /** Created on first use of `signal`: most requests never look at it. */
  private controller?: AbortController;
  /** Internal: the uWS writer (used by the server and sendFile). */
  readonly responder: Responder;
  private readonly bodyReader: BodyReader;
  /** Internal: headers every answer carries (error answers use only these). */
  readonly baseHeaders: HeaderList;
  /** Headers set by the handler and Set-Cookie values; created on first use. */
  private extra?: Map<string, [string, string]>;
  private setCookies?: string[];
  private parsedCookies?: Record<string, string>;

  constructor(init: ContextInit) {
    this.method = init.method;
    this.path = init.path;
    this.query = init.query;
    this.params = init.params;
    this.headers = init.headers;
    this.remoteIp = init.ip;
    this.requestId = init.requestId;
    this.route = init.route;
    this.responder = init.responder;
    this.bodyReader = init.body;
    this.baseHeaders = init.baseHeaders;
  }

  get ip(): string { return this.remoteIp(); }

  get aborted(): boolean { return this.responder.aborted; }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.responder.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }

  /** Internal: the client went away (called from the server's onAborted). */
  abortSignal(): void { this.controller?.abort(); }

  header(name: string): string | undefined { return this.headers[name.toLowerCase()]; }

  cookies(): Record<string, string> {
    return (this.parsedCookies ??= parseCookies(this.headers.cookie));
  }

  body(): Promise<Buffer> { return this.bodyReader.read(); }
  bodyStream(): Readable { return this.bodyReader.stream(); }

  async json<T = unknown>(): Promise<T> {
    const raw = await this.body();
    if (raw.length === 0) throw new ValidationError('Request body is empty', undefined, 'EMPTY_BODY');
    try {
      return JSON.parse(raw.toString('utf8')) as T;
    } catch {
      throw new ValidationError('Request body is not valid JSON', undefined, 'INVALID_JSON');
    }
  }

  setHeader(name: string, value: string): this {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new Error('Header injection refused');
    (this.extra ??= new Map()).set(name.toLowerCase(), [name, value]);
    return this;
  }

  setCookie(name: string, value: string, opts: CookieOptions = {}): this {
    (this.setCookies ??= []).push(serializeCookie(name, value, opts));
    return this;
  }

  clearCookie(name: string, opts: CookieOptions = {}): this {
    return this.setCookie(name, '', { ...opts, maxAgeSec: 0, expires: new Date(0) });
  }

  sendJson(status: number, body: unknown, headers?: Record<string, string>): void {
    const text = JSON.stringify(body) ?? 'null';
    this.responder.end(status, this.headerList(JSON_TYPE, headers), text);
  }

  send(status: number, body: string | Buffer, contentType: string): void {
    this.responder.end(status, this.headerList(contentType), body);
  }

  noContent(status = 204): void {
    this.responder.endEmpty(status, this.headerList());
  }

  notModified(etag: string, lastModifiedMs?: number): boolean {
    const tag = normalizeEtag(etag);
    this.setHeader('ETag', tag);
    if (lastModifiedMs !== undefined) this.setHeader('Last-Modified', httpDate(lastModifiedMs));
    const inm = this.headers['if-none-match'];
    const hit = inm !== undefined
      ? ifNoneMatchHits(inm, tag)
      : lastModifiedMs !== undefined && (this.method === 'GET' || this.method === 'HEAD')
        && notModifiedSince(this.headers['if-modified-since'], lastModifiedMs);
    if (!hit) return false;
    this.responder.endEmpty(304, this.headerList());
    return true;
  }

  sendStream(
    status: number,
    stream: Readable,
    options: { contentType: string; size?: number; headers?: Record<string, string> },
  ): Promise<void> {
    return this.responder.stream(status, this.headerList(options.contentType, options.headers), stream, options.size);
  }

  sendFile(file: FileToSend): Promise<void> {
    return sendFile(this, file);
  }

  startStream(status: number, headers: Record<string, string>): StreamWriter {
    return this.responder.startChunked(status, this.headerList(undefined, headers));
  }

  /** Base headers + setHeader values + cookies + per-call headers (later wins per name). */
  headerList(contentType?: string, headers?: Record<string, string>): HeaderList {
    const out: HeaderList = this.baseHeaders.slice();
    if (headers === undefined) {
      // Handler headers as they are (a content type given here replaces one set there).
      for (const [key, pair] of this.extra ?? []) {
        if (contentType === undefined || key !== 'content-type') out.push(pair);
      }
      if (contentType !== undefined) out.push(['Content-Type', contentType]);
    } else {
      const merged = new Map(this.extra);
      if (contentType !== undefined) merged.set('content-type', ['Content-Type', contentType]);
      for (const [k, v] of Object.entries(headers)) {
        if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw new Error('Header injection refused');
        merged.set(k.toLowerCase(), [k, v]);
      }
      for (const pair of merged.values()) out.push(pair);
    }
    for (const c of this.setCookies ?? []) out.push(['Set-Cookie', c]);
    return out;
  }
}
