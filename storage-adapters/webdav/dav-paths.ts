/**
 * URL building and href decoding for the WebDAV adapter.
 *
 * Contract: `davBaseUrl` maps `webdav://` to `http://` and `webdavs://` to `https://` and
 * ends the path with '/'. `encodeRelPath` percent-encodes every segment of a normalized
 * relative path with encodeURIComponent, so ' ', '#', '%', '?', ';', '+', unicode and
 * emoji reach the server as data, never as URL syntax. `hrefPath` turns a multistatus
 * href (absolute URL or absolute path, percent-encoded) into a decoded absolute path
 * without a trailing slash, comparable with `decodedPath(base, rel)`.
 */
import { StorageError } from '../types.js';

export function davBaseUrl(url: URL): URL {
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  if (scheme !== 'webdav' && scheme !== 'webdavs') {
    throw new StorageError('UNSUPPORTED', `not a webdav URL: ${scheme}:`);
  }
  const base = new URL(`${scheme === 'webdavs' ? 'https' : 'http'}://${url.host}${url.pathname}`);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return base;
}

/** 'a b/ü#1.txt' -> 'a%20b/%C3%BC%231.txt'. */
export function encodeRelPath(rel: string): string {
  return rel === '' ? '' : rel.split('/').map(encodeURIComponent).join('/');
}

/** Absolute URL of `rel` under `base`; collections get a trailing slash when `dir`. */
export function davUrl(base: URL, rel: string, dir = false): string {
  const enc = encodeRelPath(rel);
  return base.href + enc + (dir && enc !== '' ? '/' : '');
}

/** Decoded absolute path of `rel` under `base`, no trailing slash ('' for the server root). */
export function decodedPath(base: URL, rel: string): string {
  const basePath = decodeSegments(base.pathname).replace(/\/+$/, '');
  return rel === '' ? basePath : `${basePath}/${rel}`;
}

/** Decoded path of a multistatus href ('http://h/a%20b/' or '/a%20b/' -> '/a b'). */
export function hrefPath(href: string): string {
  const path = href.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/, '');
  return decodeSegments(path).replace(/\/+$/, '');
}

function decodeSegments(path: string): string {
  return path.split('/').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s; // a server that sends a raw '%' in an href: take it literally
    }
  }).join('/');
}
