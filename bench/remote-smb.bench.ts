/**
 * SMB adapter benchmark against a private Samba on 127.0.0.1 (standalone):
 *
 *   npm run build && node dist/bench/remote-smb.bench.js [sizeMiB=300]
 *
 * - sequential read of one file through the adapter vs `smbclient get` of the same file
 *   in the same run (best of 3 each, page cache warm for both);
 * - 1 MiB reads at random offsets: median and p95 latency (open + READs + close);
 * - listing of a 2,000-entry folder: median of 5.
 * Prints one JSON object.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSmbAdapter } from '../storage-adapters/smb/smb.adapter.js';
import { startSamba } from '../test/servers/samba.js';

const MiB = 1024 * 1024;

async function main(): Promise<void> {
  const sizeMiB = Number(process.argv[2] ?? 300);
  const srv = await startSamba();
  const authDir = await fs.mkdtemp(path.join(os.tmpdir(), 'alcove-bench-smbauth-'));
  try {
    const file = path.join(srv.root, 'big.bin');
    const block = randomBytes(MiB);
    const fh = await fs.open(file, 'w');
    for (let i = 0; i < sizeMiB; i++) {
      block.writeUInt32LE(i, 0);
      await fh.write(block);
    }
    await fh.close();
    const many = path.join(srv.root, 'many');
    await fs.mkdir(many);
    for (let i = 0; i < 2000; i += 200) {
      await Promise.all(Array.from({ length: 200 }, (_, k) => fs.writeFile(path.join(many, `file ${String(i + k).padStart(5, '0')}.jpg`), 'x')));
    }
    const sut = createSmbAdapter({
      url: new URL(`smb://127.0.0.1:${srv.port}/${srv.share}`),
      credentials: { username: srv.user, password: srv.password },
    });
    await sut.ping();

    const adapterRuns: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = process.hrtime.bigint();
      let n = 0;
      for await (const c of await sut.createReadStream('big.bin')) n += (c as Buffer).length;
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      if (n !== sizeMiB * MiB) throw new Error(`short read: ${n}`);
      adapterRuns.push(n / MiB / s);
    }

    const authFile = path.join(authDir, 'auth');
    await fs.writeFile(authFile, `username = ${srv.user}\npassword = ${srv.password}\n`, { mode: 0o600 });
    const smbclientRuns: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = process.hrtime.bigint();
      await new Promise<void>((resolve, reject) => execFile('smbclient', [
        `//127.0.0.1/${srv.share}`, '-p', String(srv.port), '-A', authFile, '-c', 'get big.bin /dev/null',
      ], (err) => (err ? reject(err) : resolve())));
      smbclientRuns.push(sizeMiB / (Number(process.hrtime.bigint() - t0) / 1e9));
    }

    const lat: number[] = [];
    for (let i = 0; i < 50; i++) {
      const start = Math.floor(Math.random() * (sizeMiB - 1) * MiB);
      const t0 = process.hrtime.bigint();
      let n = 0;
      for await (const c of await sut.createReadStream('big.bin', { start, end: start + MiB - 1 })) n += (c as Buffer).length;
      if (n !== MiB) throw new Error('short range');
      lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }

    const listing: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = process.hrtime.bigint();
      const entries = await sut.list('many');
      listing.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (entries.length !== 2000) throw new Error(`listed ${entries.length}`);
    }
    await sut.close();

    const sorted = (a: number[]): number[] => [...a].sort((x, y) => x - y);
    const pct = (a: number[], p: number): number => sorted(a)[Math.min(a.length - 1, Math.floor(a.length * p))] as number;
    console.log(JSON.stringify({
      cpus: os.cpus().length,
      fileMiB: sizeMiB,
      sequentialMiBs: { adapter: round(Math.max(...adapterRuns)), smbclient: round(Math.max(...smbclientRuns)), adapterRuns: adapterRuns.map(round), smbclientRuns: smbclientRuns.map(round) },
      range1MiBms: { median: round(pct(lat, 0.5)), p95: round(pct(lat, 0.95)) },
      list2000ms: { median: round(pct(listing, 0.5)), runs: listing.map(round) },
    }, null, 2));
  } finally {
    await fs.rm(authDir, { recursive: true, force: true });
    await srv.stop();
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
