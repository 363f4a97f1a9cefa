/**
 * Cookie header parsing and Set-Cookie serialisation (RFC 6265). Pure functions.
 */

export interface CookieOptions {
  /** Max-Age in seconds (0 or negative deletes the cookie). */
  maxAgeSec?: number;
  expires?: Date;
  /** Default '/'. */
  path?: string;
  domain?: string;
  /** Default true: session cookies are never readable by page scripts. */
  httpOnly?: boolean;
  secure?: boolean;
  /** Default 'Lax'. */
  sameSite?: 'Strict' | 'Lax' | 'None';
}

const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// cookie-octet: printable ASCII except space, DQUOTE, comma, semicolon and backslash
const VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;
const ATTR = /^[^;\x00-\x1F\x7F]*$/;

/** Parse one or more Cookie header values ("a=1; b=2"). First occurrence of a name wins. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

/** Serialise a Set-Cookie value. Throws on names/values that would break the header. */
export function serializeCookie(name: string, value: string, opts: CookieOptions = {}): string {
  if (!NAME.test(name)) throw new Error(`Invalid cookie name: ${name}`);
  const encoded = encodeURIComponent(value);
  if (!VALUE.test(encoded)) throw new Error('Invalid cookie value');
  const parts = [`${name}=${encoded}`];
  if (opts.maxAgeSec !== undefined) parts.push(`Max-Age=${Math.floor(opts.maxAgeSec)}`);
  if (opts.expires) parts.push(`Expires=${opts.expires.toUTCString()}`);
  const path = opts.path ?? '/';
  if (!ATTR.test(path)) throw new Error('Invalid cookie path');
  parts.push(`Path=${path}`);
  if (opts.domain) {
    if (!ATTR.test(opts.domain)) throw new Error('Invalid cookie domain');
    parts.push(`Domain=${opts.domain}`);
  }
  if (opts.httpOnly ?? true) parts.push('HttpOnly');
  if (opts.secure || opts.sameSite === 'None') parts.push('Secure');
  parts.push(`SameSite=${opts.sameSite ?? 'Lax'}`);
  return parts.join('; ');
}
