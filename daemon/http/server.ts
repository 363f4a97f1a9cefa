/**
 * HttpServer: the daemon's one HTTP listener, on uWebSockets.js. Routing, auth guards, error
 * mapping, request ids, access log and metrics happen here; handlers stay thin.
 *
 * Request flow (all synchronous until the handler is called, because uWS invalidates the
 * request object at the first await):
 *   onAborted -> read method/path/query/headers/ip -> route match -> body reader (onData)
 *   -> [async] authenticate + access rule -> handler -> answer or mapped error
 */
import { randomUUID } from 'node:crypto';
import uWS from 'uWebSockets.js';
import type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import type { AuthInfo } from '../domain/auth.js';
import { TooLargeError, UnavailableError } from '../domain/errors.js';
import type { Logger } from '../log/logger.js';
import { AccessLog } from './access-log.js';
import { authorize, enforce, extractTokens, type AuthRequest } from './auth.js';
import { BodyReader } from './body.js';
import { HttpContext, JSON_TYPE } from './context.js';
import { INTERNAL_ERROR_BODY, errorBody, mapError } from './errors.js';
import type { HttpMetrics } from './metrics.js';
import { Responder, type HeaderList } from './respond.js';
import { Router, type Route } from './router.js';

export type { AuthRequest } from './auth.js';

export interface HttpServerOptions {
  logger: Logger;
  /** Resolve credentials (cookie alcove_session, Authorization: Bearer, ?token=) to AuthInfo, or undefined. Throws DomainError to reject. */
  authenticate: (req: AuthRequest) => Promise<AuthInfo | undefined>;
  /**
   * Optional synchronous shortcut: AuthInfo when the credentials are already known to be
   * good (a remembered session), undefined otherwise (then `authenticate` decides). A hit
   * lets a synchronous handler answer inside the uWS callback, without a promise chain.
   */
  authenticateNow?: (req: AuthRequest) => AuthInfo | undefined;
  /** Default request body limit (1 MiB); routes may override. */
  maxBodyBytes?: number;
  metrics?: HttpMetrics;
  /** Called with every unexpected (unmapped) error, e.g. to keep a crash report. */
  onUnexpectedError?: (err: unknown, ctx: { route: string; method: string }) => void;
}

const DEFAULT_MAX_BODY = 1024 * 1024;
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
const QUIET_PATHS = new Set(['/health', '/livez', '/readyz', '/metrics']);

/**
 * Request ids: UUID-shaped, a random per-process prefix and a counter in the last group.
 * Unique within the process (2^48 requests) and across restarts, without a random draw
 * per request; they only correlate log lines with answers.
 */
const REQUEST_ID_PREFIX = randomUUID().slice(0, 24);
let requestCounter = 0;
function nextRequestId(): string {
  return REQUEST_ID_PREFIX + (++requestCounter).toString(16).padStart(12, '0');
}

/** Throws when uWS fell back to its partial JS implementation (no binary for this Node). */
export function assertNativeUws(): void {
  if (!String(uWS.App).includes('[native code]')) {
    throw new Error(
      `uWebSockets.js has no native binary for Node ${process.versions.node} (ABI ${process.versions.modules}) ` +
      `on ${process.platform}-${process.arch}; its JavaScript fallback lacks streaming support. Use Node 20.`,
    );
  }
}

export class HttpServer {
  readonly router = new Router();
  private readonly uws: TemplatedApp;
  private readonly log: Logger;
  private readonly accessLog: AccessLog;
  private readonly maxBody: number;
  private listenSocket?: us_listen_socket;
  private closing = false;
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: HttpServerOptions) {
    this.log = options.logger;
    this.accessLog = new AccessLog(options.logger);
    this.maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    this.uws = uWS.App();
    this.uws.any('/*', (res, req) => this.onRequest(res, req));
  }

  /** Escape hatch for the WebSocket routes: the underlying uWS TemplatedApp. */
  get app(): unknown { return this.uws; }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.uws.listen(host, port, (socket) => {
        if (!socket) return reject(new Error(`Cannot listen on ${host}:${port} (in use or not permitted)`));
        this.listenSocket = socket;
        resolve(uWS.us_socket_local_port(socket));
      });
    });
  }

  /** Stop accepting, wait up to timeoutMs for in-flight answers, then close every socket. */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closing = true;
    if (this.listenSocket) {
      uWS.us_listen_socket_close(this.listenSocket);
      this.listenSocket = undefined;
    }
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        timer.unref();
        this.idleWaiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    // close() exists on the native app (closes every socket) but is missing from 20.30's typings.
    (this.uws as TemplatedApp & { close(): void }).close();
    this.accessLog.flush();
  }

  private onRequest(res: HttpResponse, req: HttpRequest): void {
    const started = performance.now();
    let responder: Responder | undefined;
    let body: BodyReader | undefined;
    let ctx: HttpContext | undefined;
    // uWS rule: onAborted first. After it fires the response must never be touched.
    res.onAborted(() => {
      ctx?.abortSignal();
      body?.abort();
      responder?.markAborted();
    });

    const method = req.getCaseSensitiveMethod().toUpperCase();
    const path = req.getUrl();
    const rawQuery = req.getQuery() ?? '';
    const headers: Record<string, string> = {};
    req.forEach((k, v) => {
      const prev = headers[k];
      headers[k] = prev === undefined ? v : `${prev}${k === 'cookie' ? '; ' : ', '}${v}`;
    });
    const ip = remoteIp(res);
    const incomingId = headers['x-request-id'];
    const requestId = incomingId !== undefined && SAFE_REQUEST_ID.test(incomingId) ? incomingId : nextRequestId();

    const match = this.closing ? undefined : this.router.match(method, path);
    const route = match?.kind === 'found' ? match.route : undefined;
    const limit = route?.maxBodyBytes ?? this.maxBody;

    this.inFlight++;
    this.options.metrics?.started();
    responder = new Responder(
      res, method === 'HEAD',
      () => this.finished(ctx!, responder!, started, route?.name ?? '(unmatched)'),
      () => this.closing,
    );
    const contentLength = Number(headers['content-length'] ?? 0);
    const expectBody = contentLength > 0 || headers['transfer-encoding'] !== undefined;
    body = new BodyReader(res, expectBody && route !== undefined && contentLength <= limit, limit, () => {
      responder!.forceClose = true;
      this.answerError(ctx!, mapError(bodyTooLarge(limit)));
    }, route?.streamBody ? 'stream' : 'buffer');
    const baseHeaders: HeaderList = [['X-Content-Type-Options', 'nosniff'], ['X-Request-Id', requestId]];
    ctx = new HttpContext({
      method, path, query: new URLSearchParams(rawQuery), params: {}, headers, ip, requestId,
      route: route?.pattern ?? '', responder, body, baseHeaders,
    });

    if (this.closing) {
      responder.forceClose = true;
      return this.answerError(ctx, mapError(new UnavailableError('Server is shutting down', 'SHUTTING_DOWN')));
    }
    if (match?.kind === 'none') {
      return ctx.sendJson(404, errorBody(`No route for ${method} ${path}`, 'NOT_FOUND'));
    }
    if (match?.kind === 'method') {
      return ctx.sendJson(405, errorBody(`Method ${method} not allowed`, 'METHOD_NOT_ALLOWED'), { Allow: match.allow.join(', ') });
    }
    if (!route || match?.kind !== 'found') return;
    if (expectBody && contentLength > limit) {
      // Declared too large: answer before a single body byte is read, and drop the connection.
      responder.forceClose = true;
      return this.answerError(ctx, mapError(bodyTooLarge(limit)));
    }
    const decoded = decodeParams(route, match.rawParams);
    if (!decoded) {
      return ctx.sendJson(400, errorBody('Malformed path: bad percent-encoding or NUL byte', 'BAD_PATH'));
    }
    Object.assign(ctx.params, decoded);
    const tokens = extractTokens(headers, ctx.query, ip);
    const known = route.access.kind !== 'public' ? this.options.authenticateNow?.(tokens) : undefined;
    if (known) this.runNow(ctx, route, known);
    else void this.run(ctx, route, tokens);
  }

  private async run(ctx: HttpContext, route: Route, tokens: AuthRequest): Promise<void> {
    try {
      await authorize(ctx, route.access, tokens, this.options.authenticate, this.log);
      if (ctx.aborted) return;
      this.answer(ctx, route, await route.handler(ctx));
    } catch (err) {
      this.fail(ctx, route, err);
    }
  }

  /** Credentials already known good: enforce the rule and call the handler synchronously. */
  private runNow(ctx: HttpContext, route: Route, auth: AuthInfo): void {
    try {
      ctx.auth = auth;
      enforce(route.access, auth);
      const result = route.handler(ctx);
      if (result instanceof Promise) {
        result.then((value) => this.answer(ctx, route, value)).catch((err: unknown) => this.fail(ctx, route, err));
        return;
      }
      this.answer(ctx, route, result);
    } catch (err) {
      this.fail(ctx, route, err);
    }
  }

  /** A handler's return value: nothing more to do if it answered, else 200 JSON of it. */
  private answer(ctx: HttpContext, route: Route, result: unknown): void {
    const r = ctx.responder;
    if (r.aborted || r.headersSent) return;
    if (result === undefined) throw new Error(`Handler of ${route.method} ${route.pattern} returned without answering`);
    ctx.sendJson(200, result);
  }

  private fail(ctx: HttpContext, route: Route, err: unknown): void {
    if (ctx.aborted) {
      this.log.debug({ err, route: route.pattern, requestId: ctx.requestId }, 'request failed after client went away');
      return;
    }
    const mapped = mapError(err);
    if (!mapped) {
      this.log.error({ err, route: route.pattern, method: ctx.method, requestId: ctx.requestId }, 'unexpected error in request');
      try {
        this.options.onUnexpectedError?.(err, { route: route.pattern, method: ctx.method });
      } catch (hookErr) {
        this.log.error({ err: hookErr }, 'onUnexpectedError hook failed');
      }
    }
    this.answerError(ctx, mapped);
  }

  /** Answer with a mapped error (or the generic 500); after headers went out, just cut the answer. */
  private answerError(ctx: HttpContext, mapped: ReturnType<typeof mapError>): void {
    const r = ctx.responder;
    if (r.aborted || r.state === 'done') return;
    if (r.headersSent) return r.close();
    const status = mapped?.status ?? 500;
    const headers: HeaderList = [...ctx.baseHeaders, ['Content-Type', JSON_TYPE]];
    for (const [k, v] of Object.entries(mapped?.headers ?? {})) headers.push([k, v]);
    r.end(status, headers, JSON.stringify(mapped?.body ?? INTERNAL_ERROR_BODY));
  }

  /** Access log line + metrics; `label` is the route's name (default its pattern). */
  private finished(ctx: HttpContext, r: Responder, started: number, label: string): void {
    this.inFlight--;
    const ms = performance.now() - started;
    const route = label;
    const status = r.aborted && r.state !== 'done' ? 0 : r.status;
    this.options.metrics?.finished(route, ctx.method, status, ms / 1000);
    this.accessLog.write({
      method: ctx.method, route, path: ctx.path, status, bytes: r.bytes, ms: Math.round(ms * 10) / 10,
      requestId: ctx.requestId, aborted: r.aborted,
    }, QUIET_PATHS.has(ctx.path));
    if (this.inFlight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

function bodyTooLarge(limit: number): TooLargeError {
  return new TooLargeError(`Request body larger than ${limit} bytes`);
}

/** Percent-decode route params; undefined on bad encoding or a NUL byte. */
function decodeParams(route: Route, raw: string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (let i = 0; i < raw.length; i++) {
    let value: string;
    try {
      value = decodeURIComponent(raw[i]!);
    } catch {
      return undefined;
    }
    if (value.includes('\0')) return undefined;
    out[route.paramNames[i]!] = value;
  }
  return out;
}

/**
 * The client address, read from uWS on first use and kept: most requests (a listing, a
 * file) never look at it, and the native call plus its decoding was ~8% of the daemon's
 * CPU on a cached listing page. uWS forbids touching a response after it finished or was
 * aborted; a first read that late gets '' (nobody is left to answer).
 */
function remoteIp(res: HttpResponse): () => string {
  let ip: string | undefined;
  return () => {
    if (ip === undefined) {
      try {
        ip = normalizeIp(Buffer.from(res.getRemoteAddressAsText()).toString());
      } catch {
        ip = '';
      }
    }
    return ip;
  };
}

function normalizeIp(text: string): string {
  if (!text.includes(':')) return text; // already IPv4
  if (text.startsWith('::ffff:')) return text.slice(7);
  const mapped = /^(?:0{1,4}:){5}ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(text);
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return text;
}
