/**
 * The WebDAV transport: one keep-alive agent, Basic credentials, a timeout on every
 * request, and status/network errors mapped to StorageErrors.
 *
 * Small requests (PROPFIND, MKCOL, DELETE, MOVE, PROPPATCH) go through the webdav
 * client's `customRequest`, which is sound for them once it is given an AbortSignal;
 * the two streaming requests (ranged GET, PUT) use node:http directly with the same
 * agent and the client's auth headers (see range-read.stream.ts and dav-write.stream.ts
 * for why). URLs are always built here (dav-paths.ts), never by the client's url-join.
 */
import http from 'node:http';
import https from 'node:https';
import { AuthType, createClient, type WebDAVClient } from 'webdav';
import type { StorageCredentials } from '../types.js';
import { davBaseUrl, davUrl } from './dav-paths.js';
import { httpError, transportError } from './dav-errors.js';
import { parseMultistatus, type DavResponse } from './multistatus.parser.js';

export const DEFAULT_TIMEOUT_MS = 10_000;

/** Only the properties the adapter uses: servers skip computing the rest (ETags, locks...). */
const PROPFIND_BODY = '<?xml version="1.0" encoding="utf-8"?>'
  + '<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/><D:getlastmodified/></D:prop></D:propfind>';

export interface DavRequest {
  /** Operation name for error messages ('list', 'stat', ...). */
  op: string;
  /** Path the error message names (defaults to the request path). */
  errorPath?: string;
  dir?: boolean;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface DavResult {
  status: number;
  text: string;
}

export class DavClient {
  readonly base: URL;
  readonly agent: http.Agent;
  readonly timeoutMs: number;
  private readonly client: WebDAVClient;

  constructor(url: URL, credentials: StorageCredentials | undefined, timeoutMs = DEFAULT_TIMEOUT_MS) {
    this.base = davBaseUrl(url);
    this.timeoutMs = timeoutMs;
    const isHttps = this.base.protocol === 'https:';
    // keepAlive: Node 20 retires idle sockets before the server's Keep-Alive timeout hint.
    this.agent = isHttps ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    const hasCreds = Boolean(credentials?.username || credentials?.password);
    this.client = createClient(this.base.href, {
      authType: hasCreds ? AuthType.Password : AuthType.None,
      ...(hasCreds ? { username: credentials?.username ?? '', password: credentials?.password ?? '' } : {}),
      ...(isHttps ? { httpsAgent: this.agent } : { httpAgent: this.agent }),
    });
  }

  url(rel: string, dir = false): string {
    return davUrl(this.base, rel, dir);
  }

  /** Headers for raw requests (Authorization when credentials were given). */
  authHeaders(): Record<string, string> {
    return { ...this.client.getHeaders() };
  }

  /**
   * One request with the adapter timeout; resolves with any HTTP status (callers decide
   * what each status means for their method) and rejects only with mapped transport
   * errors. Idempotent PROPFINDs are retried once on a reset (a keep-alive socket the
   * server closed just as we reused it).
   */
  async request(method: string, rel: string, req: DavRequest): Promise<DavResult> {
    try {
      return await this.once(method, rel, req);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (method !== 'PROPFIND' || code !== 'OFFLINE' || req.signal?.aborted) throw err;
      return this.once(method, rel, req);
    }
  }

  private async once(method: string, rel: string, req: DavRequest): Promise<DavResult> {
    req.signal?.throwIfAborted();
    const ac = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort();
    }, this.timeoutMs);
    const onAbort = (): void => ac.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let res;
      try {
        res = await this.client.customRequest('', {
          url: this.url(rel, req.dir),
          method,
          headers: { ...req.headers },
          ...(req.body !== undefined ? { data: req.body } : {}),
          signal: ac.signal,
        });
      } catch (err) {
        // customRequest throws for status >= 400 with the response attached.
        const response = (err as { response?: { status: number; text(): Promise<string> } }).response;
        if (!response) throw err;
        return { status: response.status, text: await response.text().catch(() => '') };
      }
      return { status: res.status, text: await res.text() };
    } catch (err) {
      throw transportError(err, req.op, req.errorPath ?? rel, { timedOut, signal: req.signal, timeoutMs: this.timeoutMs });
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** PROPFIND with our three properties; throws mapped errors for non-207 answers. */
  async propfind(rel: string, depth: 0 | 1, op: string, signal?: AbortSignal): Promise<DavResponse[]> {
    const res = await this.request('PROPFIND', rel, {
      op, signal, body: PROPFIND_BODY,
      headers: { Depth: String(depth), 'Content-Type': 'application/xml; charset=utf-8' },
    });
    if (res.status !== 207) throw httpError(res.status, op, rel);
    return parseMultistatus(res.text);
  }

  close(): void {
    this.agent.destroy();
  }
}
