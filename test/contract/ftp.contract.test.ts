/**
 * The storage contract against a real pure-ftpd on 127.0.0.1: once over MLSD/MLST with a
 * 300 MiB + 1 file, once with `forceList: true` (CWD + LIST + MDTM, the vsftpd path).
 */
import t from 'tap';
import fs from 'node:fs/promises';
import path from 'node:path';
import { runStorageContract } from '../../storage-adapters/contract.js';
import { FtpAdapter } from '../../storage-adapters/ftp/ftp.adapter.js';
import { seedFile, startPureFtpd } from '../servers/pure-ftpd.js';

const server = await startPureFtpd();
t.teardown(() => server.stop());

let n = 0;
const fixture = (forceList: boolean) => async () => {
  const dir = `fx-${++n}`;
  await fs.mkdir(path.join(server.root, dir));
  await fs.chown(path.join(server.root, dir), server.uid, server.gid);
  const sut = new FtpAdapter({
    url: new URL(`ftp://127.0.0.1:${server.port}/${dir}`),
    credentials: { username: server.user, password: server.password },
    timeoutMs: 5000,
    forceList,
  });
  return {
    adapter: sut,
    seed: (rel: string, data: Buffer | string, mtimeMs?: number) => seedFile(server, `${dir}/${rel}`, data, mtimeMs),
    cleanup: () => fs.rm(path.join(server.root, dir), { recursive: true, force: true }),
  };
};

runStorageContract(t, 'ftp', fixture(false), { bigFileBytes: 300 * 1024 * 1024 + 1 });
runStorageContract(t, 'ftp forceList', fixture(true));
