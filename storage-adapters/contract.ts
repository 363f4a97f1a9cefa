/**
 * The one behaviour suite every StorageAdapter passes (local and memory here; Samba,
 * pure-ftpd and Apache WebDAV in their own contract tests). It works through the
 * StorageAdapter interface only; `seed` may use the adapter's write stream or a backdoor.
 *
 *   runStorageContract(t, 'local', async () => ({ adapter, seed, cleanup }), { bigFileBytes })
 *
 * Each group gets a fresh fixture from `makeAdapter` and cleans it up afterwards.
 */
import type { ContractFixture, ContractOptions, ContractTest, MakeFixture } from './contract/helpers.js';
import { listAndStat, manyEntries, mkdirRenameDelete, pingAndClose, traversal } from './contract/tree.contract.js';
import { bigFile, smallReads } from './contract/read.contract.js';
import { mtimes, watching, writes } from './contract/write.contract.js';

export type { ContractFixture, ContractOptions, ContractTest, MakeFixture } from './contract/helpers.js';
export { PatternData } from './contract/helpers.js';

export function runStorageContract(t: ContractTest, name: string, makeAdapter: MakeFixture, options: ContractOptions = {}): void {
  const group = (title: string, fn: (t: ContractTest, fx: ContractFixture) => Promise<void>): void => {
    t.test(`${name}: ${title}`, async (tt) => {
      const fx = await makeAdapter();
      tt.teardown(async () => {
        await fx.adapter.close();
        await fx.cleanup();
      });
      await fn(tt, fx);
    });
  };
  const has = async (fx: ContractFixture, opt: boolean | undefined, method: 'watch' | 'setMtime'): Promise<boolean> =>
    opt ?? typeof fx.adapter[method] === 'function';

  group('list and stat', async (tt, fx) => listAndStat(tt, fx, await has(fx, options.supportsSetMtime, 'setMtime')));
  group('large folder', (tt, fx) => manyEntries(tt, fx, options.manyEntries ?? 2100));
  group('ranged reads', smallReads);
  group('big file, backpressure, abort', (tt, fx) => bigFile(tt, fx, options.bigFileBytes ?? 8 * 1024 * 1024));
  group('atomic writes', writes);
  group('mkdir, rename, delete', mkdirRenameDelete);
  group('traversal refused', traversal);
  group('ping', pingAndClose);
  group('mtime', async (tt, fx) => {
    if (await has(fx, options.supportsSetMtime, 'setMtime')) return mtimes(tt, fx);
    await expectUnsupportedMtime(tt, fx);
  });
  group('watch', async (tt, fx) => {
    if (await has(fx, options.supportsWatch, 'watch')) return watching(tt, fx);
    tt.equal(fx.adapter.watch, undefined, 'adapter without watch support has no watch()');
  });
}

/** Adapters that cannot set mtimes either lack setMtime or throw UNSUPPORTED. */
async function expectUnsupportedMtime(t: ContractTest, fx: ContractFixture): Promise<void> {
  if (!fx.adapter.setMtime) return void t.equal(fx.adapter.setMtime, undefined, 'no setMtime()');
  await fx.seed('mt.txt', 'x');
  try {
    await fx.adapter.setMtime('mt.txt', Date.now());
    t.fail('setMtime should throw UNSUPPORTED');
  } catch (err) {
    t.equal((err as { code?: string }).code, 'UNSUPPORTED', 'setMtime throws UNSUPPORTED');
  }
}
