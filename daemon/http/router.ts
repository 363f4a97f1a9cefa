/**
 * Route table: a segment trie matched on the raw (still percent-encoded) path.
 *
 * Patterns: static segments, `:name` segments, and a trailing `*` that takes the rest of the
 * path (zero or more segments, may contain '/'; `/a/*` matches `/a/` and `/a/x/y` but not
 * `/a`). Precedence at every segment: static, then param, then wildcard, with backtracking,
 * so `/items/new` beats `/items/:id`. Params are percent-decoded by the server, not here.
 * GET routes also answer HEAD. A path that matches under other methods gives 405 + Allow.
 */
import type { AccessRule } from '../domain/auth.js';
import type { RequestContext } from './context.js';

export type Handler = (ctx: RequestContext) => unknown | Promise<unknown>;

export interface RouteOptions {
  /** Default { kind: 'user' }. */
  access?: AccessRule;
  /** Request body limit for this route; default the server's. */
  maxBodyBytes?: number;
  /** Metrics/log label; default the pattern. */
  name?: string;
  /**
   * Hand the body to the handler as a stream (ctx.bodyStream()) instead of buffering it:
   * for uploads. The socket is paused while the handler's consumer is behind, so memory
   * stays flat whatever the upload's size; the byte limit still applies.
   */
  streamBody?: boolean;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  readonly method: Method;
  readonly pattern: string;
  readonly handler: Handler;
  readonly access: AccessRule;
  readonly maxBodyBytes?: number;
  readonly streamBody?: boolean;
  readonly name: string;
  /** Param names in order; '*' for the wildcard. */
  readonly paramNames: readonly string[];
}

export type MatchResult =
  | { kind: 'found'; route: Route; rawParams: string[] }
  | { kind: 'method'; allow: string[] }
  | { kind: 'none' };

class Node {
  readonly statics = new Map<string, Node>();
  param?: Node;
  /** Routes ending in a wildcard below this node. */
  wildcard?: Map<Method, Route>;
  readonly routes = new Map<Method, Route>();
}

const DEFAULT_ACCESS: AccessRule = { kind: 'user' };

export class Router {
  private readonly root = new Node();
  private readonly list: Route[] = [];

  get(pattern: string, handler: Handler, options?: RouteOptions): this { return this.add('GET', pattern, handler, options); }
  post(pattern: string, handler: Handler, options?: RouteOptions): this { return this.add('POST', pattern, handler, options); }
  put(pattern: string, handler: Handler, options?: RouteOptions): this { return this.add('PUT', pattern, handler, options); }
  patch(pattern: string, handler: Handler, options?: RouteOptions): this { return this.add('PATCH', pattern, handler, options); }
  delete(pattern: string, handler: Handler, options?: RouteOptions): this { return this.add('DELETE', pattern, handler, options); }

  /** Every registered route, in registration order (OpenAPI consistency test). */
  routes(): Array<{ method: Method; pattern: string; access: AccessRule }> {
    return this.list.map((r) => ({ method: r.method, pattern: r.pattern, access: r.access }));
  }

  add(method: Method, pattern: string, handler: Handler, options: RouteOptions = {}): this {
    if (!pattern.startsWith('/')) throw new Error(`Route pattern must start with '/': ${pattern}`);
    const segments = pattern.split('/').slice(1);
    const paramNames: string[] = [];
    let node = this.root;
    let wildcard = false;
    segments.forEach((seg, i) => {
      if (seg === '*') {
        if (i !== segments.length - 1) throw new Error(`'*' must be the last segment: ${pattern}`);
        wildcard = true;
        paramNames.push('*');
      } else if (seg.startsWith(':')) {
        const name = seg.slice(1);
        if (!name || paramNames.includes(name)) throw new Error(`Bad or duplicate param in ${pattern}`);
        paramNames.push(name);
        node = node.param ??= new Node();
      } else {
        let next = node.statics.get(seg);
        if (!next) node.statics.set(seg, (next = new Node()));
        node = next;
      }
    });
    const table = wildcard ? (node.wildcard ??= new Map()) : node.routes;
    if (table.has(method)) throw new Error(`Duplicate route ${method} ${pattern}`);
    const route: Route = {
      method, pattern, handler, paramNames,
      access: options.access ?? DEFAULT_ACCESS,
      maxBodyBytes: options.maxBodyBytes,
      streamBody: options.streamBody,
      name: options.name ?? pattern,
    };
    table.set(method, route);
    this.list.push(route);
    return this;
  }

  /** Find the route for a raw path ('/a/b', no query). `method` is upper-case. */
  match(method: string, rawPath: string): MatchResult {
    const want = (method === 'HEAD' ? 'GET' : method) as Method;
    // segments[0] is the empty string before the leading '/': the walk starts at 1.
    const segments = rawPath.split('/');
    let allow: Set<string> | undefined; // only a 405 needs it
    const params: string[] = [];

    const visit = (node: Node, i: number): Route | undefined => {
      if (i === segments.length) {
        const r = node.routes.get(want);
        if (r) return r;
        for (const m of node.routes.keys()) (allow ??= new Set()).add(m);
      } else {
        const seg = segments[i]!;
        const st = node.statics.get(seg);
        if (st) {
          const r = visit(st, i + 1);
          if (r) return r;
        }
        if (node.param && seg !== '') {
          params.push(seg);
          const r = visit(node.param, i + 1);
          if (r) return r;
          params.pop();
        }
      }
      if (node.wildcard && i < segments.length) {
        const r = node.wildcard.get(want);
        if (r) {
          params.push(segments.slice(i).join('/'));
          return r;
        }
        for (const m of node.wildcard.keys()) (allow ??= new Set()).add(m);
      }
      return undefined;
    };

    const route = visit(this.root, 1);
    if (route) return { kind: 'found', route, rawParams: params };
    if (allow !== undefined) {
      if (allow.has('GET')) allow.add('HEAD');
      return { kind: 'method', allow: [...allow].sort() };
    }
    return { kind: 'none' };
  }
}
