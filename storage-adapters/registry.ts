/**
 * Storage adapters by URL scheme (Navidrome's storage.Register/For). The composition
 * root builds one registry; services create adapters from credential-free URLs plus
 * separately stored credentials.
 */
import { ValidationError } from '../daemon/domain/errors.js';
import type { AdapterFactory, AdapterOptions, StorageAdapter } from './types.js';
import { createLocalAdapter } from './local/local.adapter.js';
import { createMemoryAdapter } from './memory/memory.adapter.js';

/** Loads a factory on first use (the module and its dependencies are imported then). */
export type LazyAdapterFactory = () => Promise<AdapterFactory>;

export class AdapterRegistry {
  private readonly factories = new Map<string, AdapterFactory>();
  private readonly lazy = new Map<string, LazyAdapterFactory>();

  /** Register (or replace) the factory for `scheme` ('smb', not 'smb:'). */
  register(scheme: string, factory: AdapterFactory): void {
    this.lazy.delete(normalizeScheme(scheme));
    this.factories.set(normalizeScheme(scheme), factory);
  }

  /**
   * Register a factory whose module is imported only when the first adapter of `scheme`
   * is opened (`open`): an FTP or WebDAV client library costs ~6 MB of RSS in a daemon
   * that has no such root. `create` serves it once it has been loaded.
   */
  registerLazy(scheme: string, load: LazyAdapterFactory): void {
    const key = normalizeScheme(scheme);
    this.factories.delete(key);
    let loading: Promise<AdapterFactory> | undefined;
    const entry: LazyAdapterFactory = () => (loading ??= load().then((factory) => {
      // Still this registration (not replaced meanwhile): from now on an ordinary factory.
      if (this.lazy.get(key) === entry) { this.lazy.delete(key); this.factories.set(key, factory); }
      return factory;
    }, (err: unknown) => { loading = undefined; throw err; }));
    this.lazy.set(key, entry);
  }

  has(scheme: string): boolean {
    const key = normalizeScheme(scheme);
    return this.factories.has(key) || this.lazy.has(key);
  }

  /** False only for a lazily registered scheme whose module has not been imported yet. */
  isLoaded(scheme: string): boolean {
    return !this.lazy.has(normalizeScheme(scheme));
  }

  /** Imports a lazily registered scheme's module (no-op for any other scheme). */
  async load(scheme: string): Promise<void> {
    await this.lazy.get(normalizeScheme(scheme))?.();
  }

  /** Like `create`, loading the scheme's factory first when it was registered lazily. */
  async open(options: AdapterOptions): Promise<StorageAdapter> {
    await this.load(options.url.protocol);
    return this.create(options);
  }

  /** Registered schemes, for messages and the API. */
  schemes(): string[] {
    return [...this.factories.keys(), ...this.lazy.keys()];
  }

  /**
   * A new adapter for `options.url`; ValidationError when no adapter serves its scheme.
   * A lazily registered scheme must have been loaded first (`open`, `load`; else an Error).
   */
  create(options: AdapterOptions): StorageAdapter {
    const scheme = normalizeScheme(options.url.protocol);
    const factory = this.factories.get(scheme);
    if (!factory) {
      if (this.lazy.has(scheme)) throw new Error(`The '${scheme}:' adapter is not loaded yet: use AdapterRegistry.open or load`);
      throw new ValidationError(
        `No storage adapter for '${scheme}:' URLs (available: ${this.schemes().join(', ') || 'none'})`,
        undefined,
        'UNSUPPORTED_STORAGE',
      );
    }
    return factory(options);
  }
}

/** A registry with the built-in adapters: file: and memory:. */
export function createDefaultRegistry(): AdapterRegistry {
  const registry = new AdapterRegistry();
  registry.register('file', createLocalAdapter);
  registry.register('memory', createMemoryAdapter);
  return registry;
}

function normalizeScheme(s: string): string {
  return s.replace(/:$/, '').toLowerCase();
}

/**
 * The daemon's registry: every scheme a user may configure a storage root with. The
 * in-memory fake is for tests only and is deliberately absent here.
 */
export function createProductionRegistry(): AdapterRegistry {
  const registry = new AdapterRegistry();
  registry.register('file', createLocalAdapter);
  // SMB (our SMB2 client), basic-ftp and webdav (with its fetch stack) load with the first
  // root of their scheme: a daemon of local libraries only never loads them.
  registry.registerLazy('smb', async () => (await import('./smb/smb.adapter.js')).createSmbAdapter);
  const ftp: LazyAdapterFactory = async () => (await import('./ftp/ftp.adapter.js')).createFtpAdapter;
  const webdav: LazyAdapterFactory = async () => (await import('./webdav/webdav.adapter.js')).createWebdavAdapter;
  registry.registerLazy('ftp', ftp);
  registry.registerLazy('ftps', ftp);
  registry.registerLazy('webdav', webdav);
  registry.registerLazy('webdavs', webdav);
  return registry;
}
