/**
 * The TUI's typed client of the daemon's HTTP API (docs/API.md). It holds the bearer token
 * and turns every non-2xx answer into an ApiError carrying the daemon's message and code.
 * Users go through UsersApi (users-api.ts), which picks whichever users surface exists.
 */
import type {
  AuthCheck, HardwareView, HealthView, LibraryView, LoginResult, NewLibrary, PublicUserView,
  ScanStatusReport, ServerView,
} from './api-types.js';
import { UsersApi } from './users-api.js';

export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly code?: string) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What `call` needs; UsersApi takes this narrow view rather than the whole client. */
export type ApiCall = <T>(method: string, path: string, body?: unknown) => Promise<T>;

export class AlcoveClient {
  readonly users: UsersApi;

  /** `baseUrl` like http://127.0.0.1:8096 (no trailing slash needed). */
  constructor(baseUrl: string, private bearer?: string, private readonly timeoutMs = 10_000) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.users = new UsersApi((method, path, body) => this.call(method, path, body));
  }

  readonly baseUrl: string;

  get token(): string | undefined { return this.bearer; }
  setToken(token: string | undefined): void { this.bearer = token; }

  /** ws:// or wss:// URL of /ws on the same daemon. */
  get wsUrl(): string { return `${this.baseUrl.replace(/^http/, 'ws')}/ws`; }

  /** One JSON request; throws ApiError on a non-2xx status, a plain Error when unreachable. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new Error(`cannot reach ${this.baseUrl}${cause ? ` (${cause})` : ''}`);
    }
    const text = await res.text();
    let parsed: unknown;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = text; }
    if (!res.ok) {
      const b = (parsed && typeof parsed === 'object' ? parsed : {}) as { error?: unknown; message?: unknown; code?: unknown };
      const message = typeof b.error === 'string' ? b.error : typeof b.message === 'string' ? b.message : `HTTP ${res.status}`;
      throw new ApiError(message, res.status, typeof b.code === 'string' ? b.code : undefined);
    }
    return parsed as T;
  }

  check(): Promise<AuthCheck> { return this.call('GET', '/api/auth/check'); }

  /** Creates the first admin (only while none exists). */
  async setup(username: string, password: string): Promise<void> {
    await this.call('POST', '/api/auth/setup', { username, password });
  }

  /** Logs in and keeps the token for every later call. */
  async login(username: string, password: string): Promise<PublicUserView> {
    const result = await this.call<LoginResult>('POST', '/api/auth/login', { username, password });
    this.bearer = result.token;
    return result.user;
  }

  me(): Promise<PublicUserView> { return this.call('GET', '/api/auth/me'); }
  health(): Promise<HealthView> { return this.call('GET', '/health'); }
  server(): Promise<ServerView> { return this.call('GET', '/api/server'); }
  libraries(): Promise<LibraryView[]> { return this.call('GET', '/api/libraries'); }
  scanStatus(): Promise<ScanStatusReport> { return this.call('GET', '/api/scan-status'); }

  /** A local path goes as `path`; anything with a scheme as a location with its credentials. */
  addLibrary(input: NewLibrary): Promise<LibraryView> {
    const { url, username, password, domain } = input.location;
    const body = url.startsWith('/')
      ? { name: input.name, type: input.type, path: url }
      : { name: input.name, type: input.type, locations: [{ url, ...(username ? { username, password, domain } : {}) }] };
    return this.call('POST', '/api/libraries', body);
  }

  async removeLibrary(id: string): Promise<void> {
    await this.call('DELETE', `/api/libraries/${encodeURIComponent(id)}`);
  }

  /** Answers 'started' or 'already_running'. */
  async scanLibrary(id: string, full = false): Promise<string> {
    const r = await this.call<{ status: string }>('POST', `/api/libraries/${encodeURIComponent(id)}/scan${full ? '?full=true' : ''}`);
    return r.status;
  }

  /** undefined when this daemon has no /api/hardware. */
  async hardware(refresh = false): Promise<HardwareView | undefined> {
    try {
      return await this.call<HardwareView>('GET', `/api/hardware${refresh ? '?refresh=true' : ''}`);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 501)) return undefined;
      throw err;
    }
  }
}
