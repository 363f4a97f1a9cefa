/**
 * The storage contract against a real Apache mod_dav server: tricky names, a 2,100-entry
 * folder, a 300 MiB + 1 byte file read whole and in ranges (sha256), backpressure, abort,
 * atomic writes, mkdir/rename/delete, traversal, ping and (unsupported) mtimes.
 * Each fixture is served under its own base path with a space, unicode and '#' in it.
 */
import t from 'tap';
import fs from 'node:fs/promises';
import path from 'node:path';
import { runStorageContract } from '../../storage-adapters/contract.js';
import { createWebdavAdapter } from '../../storage-adapters/webdav/webdav.adapter.js';
import { startApacheWebdav } from '../servers/apache-webdav.js';

const MiB = 1024 * 1024;
const server = await startApacheWebdav();
t.teardown(() => server.stop());

let n = 0;
runStorageContract(t, 'webdav', async () => {
  const name = `fx ${++n} ü#`;
  await server.mkdir(name);
  const sut = createWebdavAdapter({
    url: new URL(`${server.url}/${encodeURIComponent(name)}`),
    credentials: { username: server.user, password: server.password },
    timeoutMs: 5000,
  });
  return {
    adapter: sut,
    // Backdoor: straight onto the served disk. Apache reports real mtimes, and setMtime is
    // unsupported, so seeds keep their write time (the suite expects that then).
    seed: (rel, data) => server.seed(`${name}/${rel}`, data),
    cleanup: () => fs.rm(path.join(server.root, name), { recursive: true, force: true }),
  };
}, { bigFileBytes: 300 * MiB + 1, supportsSetMtime: false, supportsWatch: false });
