/**
 * SMB discovery for Catalogizer (/smb/*): share enumeration (srvsvc RPC, smbclient
 * fallback), a connection test and a folder listing, each with a short-lived adapter that
 * is always closed. Credentials are used for the call only and never echoed back.
 */
import { StorageError } from '../../../../storage-adapters/types.js';
import { ValidationError } from '../../../domain/errors.js';

export interface SmbParams { host: string; port: number; share: string; username: string; password: string; domain?: string; path: string }

/** From a JSON body or a query string; `need` lists required fields (400 when missing). */
export function smbParams(src: Record<string, unknown>, need: ('host' | 'share' | 'username' | 'password')[], message: string): SmbParams {
  const s = (k: string): string => (typeof src[k] === 'string' ? (src[k] as string) : src[k] === undefined || src[k] === null ? '' : String(src[k]));
  for (const k of need) if (!s(k)) throw new ValidationError(message, { field: k }, 'MISSING_FIELD');
  const port = Number(s('port'));
  return {
    host: s('host'), port: Number.isInteger(port) && port > 0 && port < 65536 ? port : 445, share: s('share').replace(/^\/+|\/+$/g, ''),
    username: s('username'), password: s('password'), domain: s('domain') || undefined, path: s('path').replace(/^\/+|\/+$/g, '').replace(/^\.$/, ''),
  };
}

// The SMB client loads with the first discovery call, not with the daemon.
async function adapterFor(p: SmbParams) {
  const { createSmbAdapter } = await import('../../../../storage-adapters/smb/smb.adapter.js');
  const url = new URL('smb://placeholder');
  url.hostname = p.host;
  url.port = String(p.port);
  url.pathname = `/${p.share}`;
  return createSmbAdapter({ url, credentials: { username: p.username, password: p.password, domain: p.domain }, timeoutMs: 8_000 });
}

export class SmbDiscoveryService {
  async discover(p: SmbParams) {
    const { listSmbShares } = await import('../../../../storage-adapters/smb/shares.js');
    const shares = await listSmbShares({ host: p.host, port: p.port, credentials: { username: p.username, password: p.password, domain: p.domain }, timeoutMs: 8_000 });
    return shares.filter((s) => s.type === 'disk').map((s) => ({
      host: p.host, share_name: s.name, path: `//${p.host}/${s.name}`, writable: false, description: s.comment || null, type: s.type,
    }));
  }

  async test(p: SmbParams) {
    const adapter = await adapterFor(p);
    let error: string | undefined;
    try { await adapter.ping(); } catch (err) { error = err instanceof StorageError ? `${err.code}: ${err.message}` : (err as Error).message; } finally { await adapter.close().catch(() => undefined); }
    return { success: !error, host: p.host, share: p.share, username: p.username, connection: !error, ...(error ? { error } : {}) };
  }

  async browse(p: SmbParams) {
    const adapter = await adapterFor(p);
    try {
      const entries = await adapter.list(p.path);
      return entries.filter((e) => e.type !== 'other').sort((a, b) => a.name.localeCompare(b.name)).map((e) => ({
        name: e.name, path: e.path, is_directory: e.type === 'dir', size: e.type === 'dir' ? null : e.size,
        modified: e.mtimeMs ? new Date(e.mtimeMs).toISOString() : null,
      }));
    } finally {
      await adapter.close().catch(() => undefined);
    }
  }
}
