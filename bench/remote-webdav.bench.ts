/**
 * WebDAV adapter benchmark against a private Apache mod_dav on 127.0.0.1:
 *   - sequential read MiB/s of one big file, ours vs curl on the same file, same run
 *     (rounds alternate so page cache and CPU state are shared);
 *   - 1 MiB random-range read latency (p50/p95/p99), ours;
 *   - listing a 2,000-entry folder: ours vs the webdav client's getDirectoryContents
 *     (allprop) vs curl sending our props-only PROPFIND.
 *
 *   node dist/bench/remote-webdav.bench.js [--mib 512] [--out results.json]
 *
 * Standalone (no bench/run.ts needed); prints a table and one JSON line.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'webdav';
import { createWebdavAdapter } from '../storage-adapters/webdav/webdav.adapter.js';
import { startApacheWebdav, type ApacheWebdav } from '../test/servers/apache-webdav.js';

const MiB = 1024 * 1024;
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const fileMiB = Number(arg('mib') ?? 512);
const ROUNDS = 3;
const RANGE_READS = 200;
const LIST_ENTRIES = 2000;
const LIST_ROUNDS = 10;

const PROPFIND = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/><D:getlastmodified/></D:prop></D:propfind>';

async function main(): Promise<void> {
  const server = await startApacheWebdav();
  const netrc = path.join(os.tmpdir(), `alcove-bench-netrc-${process.pid}`);
  try {
    await fs.writeFile(netrc, `machine 127.0.0.1 login ${server.user} password ${server.password}\n`, { mode: 0o600 });
    const curl = (...args: string[]): Promise<string> => run('curl', ['-s', '--netrc-file', netrc, ...args]);
    const base = `http://127.0.0.1:${server.port}${server.prefix}`;
    const sut = createWebdavAdapter({ url: new URL(server.url), credentials: { username: server.user, password: server.password } });
    await makeBigFile(server, 'big.bin', fileMiB);

    // Sequential reads.
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      let t0 = performance.now();
      let n = 0;
      for await (const c of await sut.createReadStream('big.bin')) n += (c as Buffer).length;
      if (n !== fileMiB * MiB) throw new Error(`short read: ${n}`);
      ours.push(fileMiB / ((performance.now() - t0) / 1000));
      t0 = performance.now();
      const out = await curl('-o', '/dev/null', '-w', '%{size_download}', `${base}/big.bin`);
      if (Number(out) !== fileMiB * MiB) throw new Error(`curl short read: ${out}`);
      theirs.push(fileMiB / ((performance.now() - t0) / 1000));
    }

    // Random 1 MiB ranges.
    const lat: number[] = [];
    for (let i = 0; i < RANGE_READS; i++) {
      const start = Math.floor(Math.random() * (fileMiB - 1) * MiB);
      const t0 = performance.now();
      let n = 0;
      for await (const c of await sut.createReadStream('big.bin', { start, end: start + MiB - 1 })) n += (c as Buffer).length;
      if (n !== MiB) throw new Error(`range short read: ${n}`);
      lat.push(performance.now() - t0);
    }

    // Listing.
    await server.mkdir('many');
    for (let i = 0; i < LIST_ENTRIES; i += 200) {
      await Promise.all(Array.from({ length: Math.min(200, LIST_ENTRIES - i) }, (_, k) => server.seed(`many/file ${String(i + k).padStart(5, '0')}.jpg`, 'x')));
    }
    const client = createClient(`${base}/`, { username: server.user, password: server.password });
    const listOurs: number[] = [];
    const listLib: number[] = [];
    const listCurl: number[] = [];
    for (let r = 0; r < LIST_ROUNDS; r++) {
      let t0 = performance.now();
      const e = await sut.list('many');
      listOurs.push(performance.now() - t0);
      if (e.length !== LIST_ENTRIES) throw new Error(`list gave ${e.length}`);
      t0 = performance.now();
      await client.getDirectoryContents('many');
      listLib.push(performance.now() - t0);
      t0 = performance.now();
      await curl('-o', '/dev/null', '-X', 'PROPFIND', '-H', 'Depth: 1', '-H', 'Content-Type: application/xml', '--data', PROPFIND, `${base}/many/`);
      listCurl.push(performance.now() - t0);
    }
    await sut.close();

    const result = {
      bench: 'remote-webdav', server: 'Apache mod_dav (loopback)', cpus: os.cpus().length, fileMiB,
      sequential: { oursMiBs: summary(ours), curlMiBs: summary(theirs) },
      range1MiB: { p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99), n: RANGE_READS },
      list2000: { oursMs: summary(listOurs, 'lower'), clientAllpropMs: summary(listLib, 'lower'), curlPropMs: summary(listCurl, 'lower') },
    };
    const f = (x: number): string => x.toFixed(1);
    console.log(`sequential read ${fileMiB} MiB: ours ${f(result.sequential.oursMiBs.median)} MiB/s (best ${f(result.sequential.oursMiBs.best)}), curl ${f(result.sequential.curlMiBs.median)} MiB/s (best ${f(result.sequential.curlMiBs.best)})`);
    console.log(`1 MiB random range: p50 ${f(result.range1MiB.p50)} ms, p95 ${f(result.range1MiB.p95)} ms, p99 ${f(result.range1MiB.p99)} ms`);
    const l = result.list2000;
    console.log(`list ${LIST_ENTRIES} entries (median / best): ours ${f(l.oursMs.median)} / ${f(l.oursMs.best)} ms, webdav client allprop ${f(l.clientAllpropMs.median)} / ${f(l.clientAllpropMs.best)} ms, curl props-only PROPFIND ${f(l.curlPropMs.median)} / ${f(l.curlPropMs.best)} ms`);
    console.log(JSON.stringify(result));
    const out = arg('out');
    if (out) await fs.writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await fs.rm(netrc, { force: true });
    await server.stop();
  }
}

/** Median and best of a series; best is the max for rates, the min for times. */
function summary(xs: number[], better: 'higher' | 'lower' = 'higher'): { median: number; best: number } {
  return { median: pct(xs, 50), best: better === 'higher' ? Math.max(...xs) : Math.min(...xs) };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

/** A 1 MiB random block repeated with a counter in each copy: fast, and no two MiB alike. */
async function makeBigFile(server: ApacheWebdav, rel: string, mib: number): Promise<void> {
  const { randomBytes } = await import('node:crypto');
  const block = randomBytes(MiB);
  await server.seed(rel, '');
  const fh = await fs.open(path.join(server.root, rel), 'w');
  try {
    for (let k = 0; k < mib; k++) {
      block.writeUInt32LE(k, 0);
      await fh.write(block);
    }
  } finally {
    await fh.close();
  }
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 64 * MiB }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

await main();
