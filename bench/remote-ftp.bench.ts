/**
 * FTP adapter benchmark against a private pure-ftpd on 127.0.0.1 (standalone:
 * `node dist/bench/remote-ftp.bench.js [--mib 300] [--runs 3]`).
 *
 * - sequential read of one file: the adapter vs curl on the same file in the same run
 *   (curl writes to /dev/null; runs interleaved so page cache state is the same);
 * - 1 MiB reads at random offsets (REST + RETR, then the connection is replaced): latency;
 * - listing a 2,000-entry folder: MLSD, and the LIST + MDTM fallback (forceList).
 * Prints one JSON object.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { FtpAdapter } from '../storage-adapters/ftp/ftp.adapter.js';
import { startPureFtpd, type PureFtpdServer } from '../test/servers/pure-ftpd.js';
import { median } from './lib/stats.js';

const MiB = 1024 * 1024;
const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};

async function makeBigFile(file: string, bytes: number): Promise<void> {
  const block = randomBytes(MiB);
  const fh = await fs.open(file, 'w');
  try {
    for (let off = 0, k = 0; off < bytes; off += MiB, k++) {
      block.writeUInt32LE(k, 0); // a counter keeps blocks distinct
      await fh.write(block, 0, Math.min(MiB, bytes - off), off);
    }
  } finally {
    await fh.close();
  }
}

function curlRead(server: PureFtpdServer, rel: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // Credentials through a config on stdin, never on the command line.
    const p = execFile('curl', ['-s', '-K', '-', '-o', '/dev/null', `ftp://127.0.0.1:${server.port}/${rel}`], (err) => {
      if (err) reject(err);
      else resolve((performance.now() - t0) / 1000);
    });
    p.stdin?.end(`user = "${server.user}:${server.password}"\n`);
  });
}

async function adapterRead(sut: FtpAdapter, rel: string): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  for await (const c of await sut.createReadStream(rel)) n += (c as Buffer).length;
  if (n === 0) throw new Error('empty read');
  return (performance.now() - t0) / 1000;
}

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] as number;
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  const mib = arg('mib', 300);
  const runs = arg('runs', 3);
  const server = await startPureFtpd();
  try {
    const big = path.join(server.root, 'big.bin');
    await makeBigFile(big, mib * MiB);
    await fs.chown(big, server.uid, server.gid);
    const many = path.join(server.root, 'many');
    await fs.mkdir(many);
    await fs.chown(many, server.uid, server.gid);
    for (let i = 0; i < 2000; i++) await fs.writeFile(path.join(many, `file ${String(i).padStart(5, '0')}.jpg`), 'x');

    const opts = {
      url: new URL(`ftp://127.0.0.1:${server.port}/`),
      credentials: { username: server.user, password: server.password },
    };
    const sut = new FtpAdapter(opts);
    await sut.ping();
    await adapterRead(sut, 'big.bin'); // warm the page cache
    const ours: number[] = [];
    const curl: number[] = [];
    for (let r = 0; r < runs; r++) {
      ours.push(mib / (await adapterRead(sut, 'big.bin')));
      curl.push(mib / (await curlRead(server, 'big.bin')));
    }

    // Back to back (each read waits for the previous one's replacement connection), and
    // with a 50 ms pause between reads (a player seeking): the successor is ready by then.
    const ranges = async (gapMs: number): Promise<number[]> => {
      const lat: number[] = [];
      for (let i = 0; i < 50; i++) {
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
        const start = Math.floor(Math.random() * (mib - 1)) * MiB + Math.floor(Math.random() * 4096);
        const t0 = performance.now();
        let n = 0;
        for await (const c of await sut.createReadStream('big.bin', { start, end: start + MiB - 1 })) n += (c as Buffer).length;
        lat.push(performance.now() - t0);
        if (n !== MiB) throw new Error(`range returned ${n} bytes`);
      }
      return lat;
    };
    const b2b = await ranges(0);
    const gap = await ranges(50);
    const summary = (lat: number[]) => ({ median: round(median(lat), 2), p95: round(pct(lat, 0.95), 2), min: round(Math.min(...lat), 2), n: lat.length });

    const listMs = async (a: FtpAdapter): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const l = await a.list('many');
        out.push(performance.now() - t0);
        if (l.length !== 2000) throw new Error(`listed ${l.length}`);
      }
      return out;
    };
    const mlsd = await listMs(sut);
    const fallback = new FtpAdapter({ ...opts, forceList: true });
    const listFallback = await listMs(fallback);
    await fallback.close();
    const stats = sut.stats();
    await sut.close();

    console.log(JSON.stringify({
      server: 'pure-ftpd 1.0.50 on 127.0.0.1',
      fileMiB: mib,
      sequentialMiBps: { adapter: ours.map((x) => round(x)), curl: curl.map((x) => round(x)), adapterMedian: round(median(ours)), curlMedian: round(median(curl)) },
      randomRange1MiBms: { backToBack: summary(b2b), every50ms: summary(gap) },
      connections: stats,
      list2000ms: { mlsd: round(median(mlsd)), listPlusMdtm: round(median(listFallback)) },
    }, null, 2));
  } finally {
    await server.stop();
  }
}

await main();
