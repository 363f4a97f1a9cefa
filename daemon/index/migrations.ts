/**
 * Schema versions of the index. The version lives under META_SCHEMA_VERSION in the meta
 * database. Opening runs every step newer than the stored version, in order, each in its
 * own write transaction together with the version bump (a crash between steps resumes at
 * the next open). An index written by a newer Alcove is refused, never "downgraded".
 *
 * v0: an environment without a version key (brand new, or made before versioning).
 * v1: the initial layout (see keys.ts): seeds the persisted counters.
 * v2: token index keys carry libraryId, kind and media type codes and its values are raw
 *     joined-token strings (search counts read keys only); the item-access index (content
 *     ratings, labels, inheritance links) appears. Both are rebuilt from the items.
 */
import type { Logger } from '../log/logger.js';
import { emptyCounters } from './counters.js';
import { writeTxn, type IndexDbs } from './env.js';
import { indexEntries } from './item-indexes.js';
import { META_COUNTERS, META_SCHEMA_VERSION, type ContentMark } from './keys.js';

export interface MigrationStep {
  /** The version this step brings the index to. */
  version: number;
  description: string;
  /** Runs inside the step's write transaction. */
  up(dbs: IndexDbs): void;
}

export const MIGRATIONS: readonly MigrationStep[] = [
  {
    version: 1,
    description: 'initial layout',
    up(dbs) {
      if (dbs.meta.get(META_COUNTERS) === undefined) dbs.meta.put(META_COUNTERS, emptyCounters());
    },
  },
  {
    version: 2,
    description: 'token keys with filter fields, string values; item-access index',
    up(dbs) {
      rebuildItemIndexes(dbs, ['itemTokens', 'itemAccess']);
    },
  },
];

/** Empty the named item index sub-dbs and write every item's entries again (one transaction). */
function rebuildItemIndexes(dbs: IndexDbs, names: readonly ('itemTokens' | 'itemAccess')[]): void {
  for (const name of names) {
    const db = dbs[name];
    // Removing while a cursor is open is not safe: collect a chunk of keys, then remove it.
    for (;;) {
      const keys = [...db.getKeys({ limit: 10_000 })];
      if (keys.length === 0) break;
      for (const k of keys) db.remove(k);
    }
  }
  const wanted = new Set<string>(names);
  for (const { value: item } of dbs.items.getRange({})) {
    for (const e of indexEntries(item)) {
      if (!wanted.has(e.db)) continue;
      if (e.db === 'itemTokens') dbs.itemTokens.put(e.key, e.value as string);
      else dbs.itemAccess.put(e.key, e.value as ContentMark | null);
    }
  }
}

export const CURRENT_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export class IndexSchemaTooNewError extends Error {
  constructor(readonly found: number, readonly supported: number, path?: string) {
    super(
      `The index${path ? ` at ${path}` : ''} has schema version ${found}, newer than this Alcove supports (${supported}). ` +
      'Upgrade Alcove, or restore a backup of the index made by this version.',
    );
    this.name = 'IndexSchemaTooNewError';
  }
}

export function readSchemaVersion(dbs: IndexDbs): number {
  const v = dbs.meta.get(META_SCHEMA_VERSION);
  return typeof v === 'number' ? v : 0;
}

/** Bring the index to the newest version in `steps`. Returns the versions before and after. */
export function runMigrations(
  dbs: IndexDbs,
  options: { steps?: readonly MigrationStep[]; logger?: Logger; path?: string } = {},
): { from: number; to: number } {
  const steps = [...(options.steps ?? MIGRATIONS)].sort((a, b) => a.version - b.version);
  const supported = steps.length ? steps[steps.length - 1].version : 0;
  const from = readSchemaVersion(dbs);
  if (from > supported) throw new IndexSchemaTooNewError(from, supported, options.path);
  let current = from;
  for (const step of steps) {
    if (step.version <= current) continue;
    writeTxn(dbs, () => {
      step.up(dbs);
      dbs.meta.put(META_SCHEMA_VERSION, step.version);
    });
    options.logger?.info({ from: current, to: step.version, step: step.description }, 'index migrated');
    current = step.version;
  }
  return { from, to: current };
}
