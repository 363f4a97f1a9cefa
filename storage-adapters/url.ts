/**
 * Storage URLs: parsing, credential splitting and redaction.
 *
 * Accepted: `file:///abs/path` (or a bare absolute path), `smb://[domain;]user:pass@host[:port]/share/path`,
 * `ftp://`, `ftps://`, `webdav://`, `webdavs://` (with optional user:pass@) and `memory://name`
 * (tests). Userinfo is percent-decoded. The URL handed on is credential-free; credentials
 * travel separately (kept encrypted in the index) and never appear in `display`.
 */
import { pathToFileURL, fileURLToPath } from 'node:url';
import path from 'node:path';
import { ValidationError } from '../daemon/domain/errors.js';
import type { StorageCredentials } from './types.js';

export const STORAGE_SCHEMES = ['file', 'smb', 'ftp', 'ftps', 'webdav', 'webdavs', 'memory'] as const;
export type StorageScheme = (typeof STORAGE_SCHEMES)[number];

export interface ParsedStorageUrl {
  /** Credential-free URL, no query or fragment, no trailing slash (except the root). */
  url: URL;
  /** Human-readable form for UIs and logs (percent-decoded, never credentials). */
  display: string;
  scheme: StorageScheme;
  credentials?: StorageCredentials;
}

const REMOTE = new Set<string>(['smb', 'ftp', 'ftps', 'webdav', 'webdavs']);

/**
 * Parse a storage location. `extra` credentials (from a separate form field) take
 * precedence over ones found in the URL. Throws ValidationError with a clear message.
 */
export function parseStorageUrl(input: string, extra?: StorageCredentials): ParsedStorageUrl {
  const text = typeof input === 'string' ? input.trim() : '';
  if (text === '') throw invalid('Storage location is empty');
  if (text.includes('\0')) throw invalid('Storage location contains a NUL byte');

  let url: URL;
  if (text.startsWith('/')) {
    url = pathToFileURL(text);
  } else {
    if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(text)) {
      throw invalid(`Storage location must be an absolute path or a URL (file://, smb://, ftp://, ftps://, webdav://, webdavs://): ${redactUrl(text)}`);
    }
    try {
      url = new URL(text);
    } catch {
      throw invalid(`Storage location is not a valid URL: ${redactUrl(text)}`);
    }
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (!(STORAGE_SCHEMES as readonly string[]).includes(scheme)) {
    throw invalid(`Unsupported storage scheme '${scheme}:' (supported: ${STORAGE_SCHEMES.filter((s) => s !== 'memory').join(', ')})`);
  }
  if (url.search || url.hash) throw invalid(`Storage URL must not have a query or fragment: ${redactUrl(text)}`);

  let credentials: StorageCredentials | undefined;
  if (scheme === 'file') {
    if (url.username || url.password) throw invalid('file: URLs cannot carry credentials');
    if (url.host !== '' && url.host !== 'localhost') throw invalid(`file: URLs must be local (got host '${url.host}')`);
    let p: string;
    try {
      p = fileURLToPath(url);
    } catch {
      throw invalid('file: URL does not name an absolute path');
    }
    if (p.includes('\0')) throw invalid('Storage location contains a NUL byte');
    url = pathToFileURL(trimSlash(path.resolve(p)));
  } else {
    if (REMOTE.has(scheme) && url.hostname === '') throw invalid(`${scheme}: URL needs a host`);
    credentials = splitCredentials(scheme, url);
    url.username = '';
    url.password = '';
    url.pathname = trimSlash(url.pathname);
    if (scheme === 'smb' && url.pathname.split('/').filter(Boolean).length === 0) {
      throw invalid('smb: URL must name a share, e.g. smb://nas/media');
    }
  }
  credentials = mergeCredentials(credentials, extra);
  return { url, display: displayOf(url), scheme: scheme as StorageScheme, ...(credentials ? { credentials } : {}) };
}

/** Replace the password of every URL in `s` with '***' (for logs and error messages). */
export function redactUrl(s: string): string {
  return s.replace(/\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^\s/?#]*)/g, (_m, scheme: string, authority: string) => {
    const at = authority.lastIndexOf('@');
    if (at < 0) return scheme + authority;
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    return `${scheme}${user}${colon < 0 ? '' : ':***'}${authority.slice(at)}`;
  });
}

function splitCredentials(scheme: string, url: URL): StorageCredentials | undefined {
  let username = decode(url.username, 'user name');
  const password = decode(url.password, 'password');
  let domain: string | undefined;
  if (scheme === 'smb') {
    // smb://DOMAIN;user@host (the SMB URI draft) or the Windows style DOMAIN\user.
    const sep = username.search(/[;\\]/);
    if (sep >= 0) {
      domain = username.slice(0, sep);
      username = username.slice(sep + 1);
    }
  }
  const c: StorageCredentials = {};
  if (username) c.username = username;
  if (password) c.password = password;
  if (domain) c.domain = domain;
  return Object.keys(c).length ? c : undefined;
}

function mergeCredentials(a?: StorageCredentials, b?: StorageCredentials): StorageCredentials | undefined {
  const out: StorageCredentials = { ...a };
  for (const k of ['username', 'password', 'domain'] as const) if (b?.[k]) out[k] = b[k];
  return Object.keys(out).length ? out : undefined;
}

function decode(s: string, what: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw invalid(`Storage URL ${what} has a malformed %-escape`);
  }
}

function displayOf(url: URL): string {
  try {
    return decodeURI(url.href);
  } catch {
    return url.href;
  }
}

function trimSlash(p: string): string {
  return p.length > 1 && p.endsWith('/') ? p.replace(/\/+$/, '') || '/' : p;
}

function invalid(message: string): ValidationError {
  return new ValidationError(message, undefined, 'INVALID_STORAGE_URL');
}
