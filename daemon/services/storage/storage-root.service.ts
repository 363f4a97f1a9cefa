/**
 * Storage roots: where bytes live. Turns a URL (credentials in userinfo or given apart) into
 * a credential-free root record plus a sealed secret, and hands out one adapter per root.
 * Contract: no method returns or logs credentials; `toPublic` is the only API view.
 */
import type { Logger } from '../../log/logger.js';
import type { IndexStore } from '../../domain/ports.js';
import type { StorageRoot } from '../../domain/types.js';
import { NotFoundError, ConflictError, ValidationError } from '../../domain/errors.js';
import type { StorageAdapter, StorageCredentials } from '../../../storage-adapters/types.js';
import { StorageError } from '../../../storage-adapters/types.js';
import type { AdapterRegistry } from '../../../storage-adapters/registry.js';
import { parseStorageUrl } from '../../../storage-adapters/url.js';
import type { SecretBox } from './secret-box.js';

export interface PublicStorageRoot {
  id: number;
  name: string;
  url: string;
  scheme: StorageRoot['scheme'];
  hasCredentials: boolean;
  status: StorageRoot['status'];
  lastError?: string;
  lastCheckedAt?: number;
  createdAt: number;
}

export class StorageRootService {
  private readonly adapters = new Map<number, StorageAdapter>();

  constructor(
    private readonly index: IndexStore,
    private readonly registry: AdapterRegistry,
    private readonly secrets: SecretBox,
    private readonly logger: Logger,
  ) {}

  list(): StorageRoot[] { return this.index.roots.list(); }

  get(id: number): StorageRoot {
    const root = this.index.roots.get(id);
    if (!root) throw new NotFoundError(`Storage root ${id} not found`, 'ROOT_NOT_FOUND');
    return root;
  }

  toPublic(root: StorageRoot): PublicStorageRoot {
    return {
      id: root.id, name: root.name, url: root.url, scheme: root.scheme,
      hasCredentials: Boolean(root.secret), status: root.status, lastError: root.lastError,
      lastCheckedAt: root.lastCheckedAt, createdAt: root.createdAt,
    };
  }

  /**
   * Finds the root with this URL (credential-free form) or creates it. A bare absolute path
   * is a file: root. When the root exists and new credentials are given, they replace the old.
   */
  async ensure(input: string, options: { name?: string; credentials?: StorageCredentials } = {}): Promise<StorageRoot> {
    const parsed = parseStorageUrl(input, options.credentials);
    if (!this.registry.has(parsed.scheme)) {
      throw new ValidationError(`Storage scheme "${parsed.scheme}" is not supported`, { field: 'url' }, 'UNSUPPORTED_SCHEME');
    }
    const url = parsed.url.toString();
    const secret = parsed.credentials && (parsed.credentials.username || parsed.credentials.password)
      ? this.secrets.seal(parsed.credentials) : undefined;
    const existing = this.index.roots.getByUrl(url);
    if (existing) {
      if (secret && secret !== existing.secret) {
        await this.closeAdapter(existing.id);
        return this.index.roots.update(existing.id, { secret });
      }
      return existing;
    }
    return this.index.roots.create({
      url, scheme: parsed.scheme as StorageRoot['scheme'], name: options.name ?? parsed.display,
      secret, status: 'online',
    });
  }

  async remove(id: number): Promise<void> {
    const inUse = this.index.libraries.list().some((lib) => lib.locations.some((loc) => loc.rootId === id));
    if (inUse) throw new ConflictError('Storage root is used by a library', 'ROOT_IN_USE');
    await this.closeAdapter(id);
    await this.index.roots.remove(id);
  }

  /** The adapter for a root, created once and reused (remote adapters pool connections). */
  async getAdapter(rootId: number): Promise<StorageAdapter> {
    const cached = this.adapters.get(rootId);
    if (cached) return cached;
    const root = this.get(rootId);
    const url = new URL(root.url);
    // A lazily registered scheme (ftp, webdav) imports its module once, before the first
    // adapter; callers racing for the same root meanwhile get the one adapter made first.
    if (!this.registry.isLoaded(url.protocol)) await this.registry.load(url.protocol);
    const raced = this.adapters.get(rootId);
    if (raced) return raced;
    const credentials = root.secret ? this.secrets.open<StorageCredentials>(root.secret) : undefined;
    const adapter = this.registry.create({ url, credentials });
    this.adapters.set(rootId, adapter);
    return adapter;
  }

  /** Reachability check; records status on the root. Never throws for an unreachable root. */
  async check(rootId: number, signal?: AbortSignal): Promise<StorageRoot> {
    const adapter = await this.getAdapter(rootId);
    let status: StorageRoot['status'] = 'online';
    let lastError: string | undefined;
    try {
      await adapter.ping(signal);
    } catch (err) {
      status = err instanceof StorageError && err.code !== 'IO' ? 'offline' : 'error';
      lastError = (err as Error).message;
      this.logger.warn({ rootId, root: adapter.displayUrl, code: (err as StorageError).code }, 'storage root unreachable');
    }
    return this.index.roots.update(rootId, { status, lastError, lastCheckedAt: Date.now() });
  }

  private async closeAdapter(rootId: number): Promise<void> {
    const adapter = this.adapters.get(rootId);
    this.adapters.delete(rootId);
    await adapter?.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all([...this.adapters.keys()].map((id) => this.closeAdapter(id)));
  }
}
