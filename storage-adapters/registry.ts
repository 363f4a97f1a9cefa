/**
 * Storage adapters by URL scheme (Navidrome's storage.Register/For). The composition
 * root builds one registry; services create adapters from credential-free URLs plus
 * separately stored credentials.
 */
import { ValidationError } from '../daemon/domain/errors.js';
import type { AdapterFactory, AdapterOptions, StorageAdapter } from './types.js';
import { createLocalAdapter } from './local/local.adapter.js';
import { createMemoryAdapter } from './memory/memory.adapter.js';
import { createSmbAdapter } from './smb/smb.adapter.js';
import { createFtpAdapter } from './ftp/ftp.adapter.js';
import { createWebdavAdapter } from './webdav/webdav.adapter.js';

export class AdapterRegistry {
  private readonly factories = new Map<string, AdapterFactory>();

  /** Register (or replace) the factory for `scheme` ('smb', not 'smb:'). */
  register(scheme: string, factory: AdapterFactory): void {
    this.factories.set(normalizeScheme(scheme), factory);
  }

  has(scheme: string): boolean {
    return this.factories.has(normalizeScheme(scheme));
  }

  /** Registered schemes, for messages and the API. */
  schemes(): string[] {
    return [...this.factories.keys()];
  }

  /** A new adapter for `options.url`; ValidationError when no adapter serves its scheme. */
  create(options: AdapterOptions): StorageAdapter {
    const scheme = normalizeScheme(options.url.protocol);
    const factory = this.factories.get(scheme);
    if (!factory) {
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
  registry.register('smb', createSmbAdapter);
  registry.register('ftp', createFtpAdapter);
  registry.register('ftps', createFtpAdapter);
  registry.register('webdav', createWebdavAdapter);
  registry.register('webdavs', createWebdavAdapter);
  return registry;
}
