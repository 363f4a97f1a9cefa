import t from 'tap';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runStorageContract } from '../../storage-adapters/contract.js';
import { LocalAdapter } from '../../storage-adapters/local/local.adapter.js';

runStorageContract(t, 'local', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'alcove-local-contract-'));
  const sut = new LocalAdapter(root);
  return {
    adapter: sut,
    // Backdoor seeding straight onto the disk.
    seed: async (rel, data, mtimeMs) => {
      const abs = path.join(root, rel);
      await fs.mkdir(path.dirname(abs), { recursive: true });
      await fs.writeFile(abs, data);
      if (mtimeMs !== undefined) await fs.utimes(abs, mtimeMs / 1000, mtimeMs / 1000);
    },
    cleanup: () => fs.rm(root, { recursive: true, force: true }),
  };
});
