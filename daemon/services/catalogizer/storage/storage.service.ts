/**
 * Catalogizer storage roots (/storage/roots, /storage-roots, /storage/list) over Alcove's
 * storage roots. Creating one builds a credential-free URL from Catalogizer's fields
 * (protocol, host, port, path) and seals the credentials apart (StorageRootService); no
 * view ever carries a password or username, only `has_credentials`.
 */
import type { IndexStore } from '../../../domain/ports.js';
import type { StorageRoot } from '../../../domain/types.js';
import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import type { StorageRootService } from '../../storage/storage-root.service.js';

export interface StorageRootView {
  id: number; name: string; protocol: string; host: string | null; port: number | null; path: string | null;
  username: null; domain: null; has_credentials: boolean; enabled: boolean; max_depth: number;
  status: string; url: string; created_at: string; updated_at: string; last_scan_at: string | null;
}

const PROTOCOLS: Record<string, string> = { local: 'file', file: 'file', smb: 'smb', cifs: 'smb', ftp: 'ftp', ftps: 'ftps', webdav: 'webdav', webdavs: 'webdavs' };

export class CatalogStorageService {
  constructor(private readonly index: IndexStore, private readonly roots: StorageRootService) {}

  view(root: StorageRoot): StorageRootView {
    const url = new URL(root.url);
    const libs = this.index.libraries.list().filter((l) => l.locations.some((loc) => loc.rootId === root.id));
    const lastScan = Math.max(0, ...libs.flatMap((l) => l.locations.filter((loc) => loc.rootId === root.id).map((loc) => loc.lastScanAt ?? 0)));
    const settings = libs[0]?.settings as { maxDepth?: number } | undefined;
    return {
      id: root.id, name: root.name, protocol: root.scheme === 'file' ? 'local' : root.scheme,
      host: url.hostname || null, port: url.port ? Number(url.port) : null, path: decodeURIComponent(url.pathname) || null,
      username: null, domain: null, has_credentials: Boolean(root.secret), enabled: true, max_depth: settings?.maxDepth ?? 10,
      status: root.status, url: root.url,
      created_at: new Date(root.createdAt).toISOString(), updated_at: new Date(root.lastCheckedAt ?? root.createdAt).toISOString(),
      last_scan_at: lastScan ? new Date(lastScan).toISOString() : null,
    };
  }

  list(): StorageRootView[] { return this.roots.list().map((r) => this.view(r)); }

  /** By numeric id or name. */
  find(idOrName: string): StorageRoot {
    const root = /^\d+$/.test(idOrName) ? this.index.roots.get(Number(idOrName)) : this.roots.list().find((r) => r.name === idOrName);
    if (!root) throw new NotFoundError('Storage root not found', 'ROOT_NOT_FOUND');
    return root;
  }

  /** Upsert by name (Catalogizer semantics); answers the created or updated root. */
  async create(body: Record<string, unknown>): Promise<StorageRoot> {
    const str = (k: string): string | undefined => (typeof body[k] === 'string' && (body[k] as string).trim() ? (body[k] as string).trim() : undefined);
    const name = str('name');
    const protocol = str('protocol')?.toLowerCase();
    if (!name) throw new ValidationError('name is required', { field: 'name' }, 'MISSING_FIELD');
    if (!protocol) throw new ValidationError('protocol is required', { field: 'protocol' }, 'MISSING_FIELD');
    const scheme = PROTOCOLS[protocol];
    if (!scheme) throw new ValidationError(`Unsupported protocol "${protocol}"; expected one of local, smb, ftp, ftps, webdav, webdavs`, { field: 'protocol' }, 'UNSUPPORTED_PROTOCOL');
    const path = str('path') ?? '';
    const port = body.port === undefined || body.port === null || body.port === '' || body.port === 0 ? undefined : Number(body.port);
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new ValidationError('port must be 1-65535', { field: 'port' }, 'INVALID_PORT');
    let url: string;
    if (scheme === 'file') {
      if (!path.startsWith('/')) throw new ValidationError('A local root needs an absolute path', { field: 'path' }, 'INVALID_PATH');
      url = path;
    } else {
      const host = str('host');
      if (!host) throw new ValidationError('host is required', { field: 'host' }, 'MISSING_FIELD');
      const u = new URL(`${scheme}://placeholder`);
      u.hostname = host;
      if (port) u.port = String(port);
      u.pathname = `/${path.replace(/^\/+/, '')}`;
      url = u.toString();
    }
    const credentials = str('username') || str('password') ? { username: str('username'), password: typeof body.password === 'string' ? body.password : undefined, domain: str('domain') } : undefined;
    const existing = this.roots.list().find((r) => r.name === name);
    const root = await this.roots.ensure(url, { name, credentials });
    if (existing && existing.id !== root.id) {
      // Same name, new place: the new record takes the name (upsert by name).
      await this.index.roots.update(existing.id, { name: `${existing.name} (${existing.id})` });
    }
    return root.name === name ? root : this.index.roots.update(root.id, { name });
  }

  async status(rawId: string): Promise<{ id: number; status: string; connected: boolean; checked_at: string; error?: string }> {
    if (!/^\d+$/.test(rawId)) throw new ValidationError('Invalid storage root ID', { field: 'id' }, 'INVALID_ID');
    if (!this.index.roots.get(Number(rawId))) throw new NotFoundError('Storage root not found', 'ROOT_NOT_FOUND');
    const root = await this.roots.check(Number(rawId));
    return {
      id: root.id, status: root.status, connected: root.status === 'online',
      checked_at: new Date(root.lastCheckedAt ?? Date.now()).toISOString(), ...(root.lastError ? { error: root.lastError } : {}),
    };
  }

  /** Live listing of a root's folder (storage, not the index). */
  async listPath(storageId: string | null, rawPath: string, signal?: AbortSignal) {
    if (!storageId) throw new ValidationError('storage_id is required', { field: 'storage_id' }, 'MISSING_FIELD');
    const root = this.find(storageId);
    const path = rawPath.replace(/^\/+|\/+$/g, '');
    const adapter = await this.roots.getAdapter(root.id);
    const entries = await adapter.list(path, signal);
    const files = entries.filter((e) => e.type !== 'other').sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === 'dir' ? -1 : 1))
      .map((e) => ({ name: e.name, path: `/${e.path}`, is_directory: e.type === 'dir', size: e.size, modified: new Date(e.mtimeMs).toISOString() }));
    return { path: `/${path}`, storage_id: storageId, files, count: files.length };
  }
}
