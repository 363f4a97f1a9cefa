/**
 * The storage contract against a real Samba (smbd on 127.0.0.1), including the 300 MiB
 * big-file group (whole read and ranges, sha256 equal to the source): this is the
 * integrity proof for the dropped STATUS_PENDING interim replies.
 */
import t from 'tap';
import fs from 'node:fs/promises';
import path from 'node:path';
import { runStorageContract } from '../../storage-adapters/contract.js';
import { createSmbAdapter } from '../../storage-adapters/smb/smb.adapter.js';
import { startSamba, type SambaServer } from '../servers/samba.js';

const MiB = 1024 * 1024;
let srv: SambaServer;
t.before(async () => {
  srv = await startSamba();
});
t.teardown(async () => {
  await srv?.stop();
});

let n = 0;
runStorageContract(t, 'smb', async () => {
  const dir = `c${n++}`;
  const root = path.join(srv.root, dir);
  await fs.mkdir(root);
  const sut = createSmbAdapter({
    url: new URL(`smb://127.0.0.1:${srv.port}/${srv.share}/${dir}`),
    credentials: { username: srv.user, password: srv.password },
    timeoutMs: 5000,
  });
  return {
    adapter: sut,
    // Backdoor seeding straight into the served directory.
    seed: async (rel, data, mtimeMs) => {
      const abs = path.join(root, rel);
      await fs.mkdir(path.dirname(abs), { recursive: true });
      await fs.writeFile(abs, data);
      if (mtimeMs !== undefined) await fs.utimes(abs, mtimeMs / 1000, mtimeMs / 1000);
    },
    cleanup: () => fs.rm(root, { recursive: true, force: true }),
  };
}, { bigFileBytes: 300 * MiB + 1 });
