import t from 'tap';
import { runStorageContract } from '../../storage-adapters/contract.js';
import { MemoryAdapter } from '../../storage-adapters/memory/memory.adapter.js';

runStorageContract(t, 'memory', async () => {
  const sut = new MemoryAdapter();
  return {
    adapter: sut,
    seed: async (rel, data, mtimeMs) => sut.seed(rel, data, mtimeMs),
    cleanup: async () => undefined,
  };
});
