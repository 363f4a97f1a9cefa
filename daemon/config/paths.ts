/**
 * Every filesystem path the daemon uses, derived from the state directory (and an optional
 * separate cache directory). Nothing else in the code base builds these paths.
 */
import { join, resolve } from 'node:path';

export interface DaemonPaths {
  stateDir: string;
  /** LMDB environment directory. */
  indexDir: string;
  /** Regenerable data: thumbnails, transcodes, artwork. */
  cacheDir: string;
  thumbnailDir: string;
  transcodeDir: string;
  artworkDir: string;
  /** HMAC key for JWTs and the key that encrypts storage credentials at rest (0600). */
  secretKeyFile: string;
  /** Token file a local admin tool (alcove tui) reads to connect without a password (0600). */
  localAdminTokenFile: string;
  /** The review paths YAML (Media Reviewer), kept in sync with the index. */
  reviewConfigFile: string;
  /** Settings changed through the configuration API; loaded at start (config/load.ts). */
  configOverrideFile: string;
}

export function derivePaths(stateDir: string, cacheDir?: string): DaemonPaths {
  const state = resolve(stateDir);
  const cache = resolve(cacheDir ?? join(state, 'cache'));
  return Object.freeze({
    stateDir: state,
    indexDir: join(state, 'index'),
    cacheDir: cache,
    thumbnailDir: join(cache, 'thumbnails'),
    transcodeDir: join(cache, 'transcode'),
    artworkDir: join(cache, 'artwork'),
    secretKeyFile: join(state, 'secret.key'),
    localAdminTokenFile: join(state, 'admin.token'),
    reviewConfigFile: join(state, 'review-paths.yaml'),
    configOverrideFile: join(state, 'config.override.yaml'),
  });
}
