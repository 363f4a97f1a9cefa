/**
 * Scan throughput on remote roots (standalone):
 *
 *   npm run build && node dist/bench/remote-scan.bench.js [folders=500] [filesPerFolder=20] [pacedRps=200]
 *
 * One tree of `folders` x `filesPerFolder` small files (10,000 by default, camera/music
 * style names, 13 bytes each) is served by a private Samba, pure-ftpd and Apache WebDAV on
 * 127.0.0.1 (test/servers/) and scanned in process by the real ScanService into a real
 * LMDB index, through the production adapters, and through the local adapter on the same
 * tree in the same run (the reference). For each: the initial scan (fresh index, best of 3)
 * and a rescan of the unchanged tree (kind 'full', the periodic backup rescan), as files/s.
 * Then the SMB initial scan once more behind the scan pacer at `pacedRps` operations per
 * second (scan.remoteMaxRequestsPerSecond), to show the bound it gives.
 * Walk concurrency is the daemon's default: 4 listings in flight locally, 8 remote.
 * Prints one JSON object and a Markdown table.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openIndexStore } from '../daemon/index/lmdb-store.js';
import { InProcessEventBus } from '../daemon/services/event-bus.js';
import { silentLogger } from '../daemon/log/logger.js';
import { ScanService } from '../daemon/scanner/scan.service.js';
import { RequestPacer } from '../daemon/services/storage/request-pacer.js';
import type { StorageAdapter, StorageCredentials } from '../storage-adapters/types.js';
import { LocalAdapter } from '../storage-adapters/local/local.adapter.js';
import { createSmbAdapter } from '../storage-adapters/smb/smb.adapter.js';
import { createFtpAdapter } from '../storage-adapters/ftp/ftp.adapter.js';
import { createWebdavAdapter } from '../storage-adapters/webdav/webdav.adapter.js';
import { startSamba } from '../test/servers/samba.js';
import { startPureFtpd } from '../test/servers/pure-ftpd.js';
import { startApacheWebdav } from '../test/servers/apache-webdav.js';

const EXT = ['jpg', 'JPG', 'png', 'mp4', 'mkv', 'mp3', 'flac', 'txt'];

interface Figures { initialFilesPerSec: number; rescanFilesPerSec: number; initialRuns: number[]; rescanMs: number }

async function makeTree(dir: string, folders: number, perFolder: number): Promise<void> {
  for (let f = 0; f < folders; f += 50) {
    await Promise.all(Array.from({ length: Math.min(50, folders - f) }, async (_, k) => {
      const folder = path.join(dir, `Album ${String(f + k).padStart(4, '0')}`);
      await mkdir(folder, { recursive: true });
      for (let i = 0; i < perFolder; i++) {
        await writeFile(path.join(folder, `IMG_${String(i).padStart(4, '0')}.${EXT[i % EXT.length]}`), 'thirteen byte');
      }
    }));
  }
}

/** Scan `adapter` (rooted at the tree) into a fresh index; returns elapsed ms of the scan. */
async function scanOnce(
  scratch: string, adapter: StorageAdapter, expected: number, rescan: boolean, pacer?: RequestPacer,
): Promise<{ initialMs: number; rescanMs?: number }> {
  const dir = await mkdtemp(path.join(scratch, 'idx-'));
  const store = await openIndexStore({ path: path.join(dir, 'index'), logger: silentLogger() });
  try {
    const scheme = adapter.scheme as 'file' | 'smb' | 'ftp' | 'webdav';
    const root = await store.roots.create({ url: adapter.displayUrl, scheme, name: 'bench', status: 'online' });
    const library = await store.libraries.create({ name: 'Bench', type: 'mixed', locations: [{ rootId: root.id, path: '' }] });
    const paced = pacer ? pacer.wrap(root.id, adapter) : adapter;
    const sut = new ScanService({ index: store, getAdapter: async () => paced, events: new InProcessEventBus(), logger: silentLogger() });
    let t0 = performance.now();
    const first = await sut.scanLibrary(library.id, { kind: 'full', trigger: 'manual' });
    const initialMs = performance.now() - t0;
    if (first.status !== 'done' || first.added < expected) throw new Error(`${scheme}: scan ${first.status}, added ${first.added} (${first.error ?? ''})`);
    if (!rescan) return { initialMs };
    t0 = performance.now();
    const again = await sut.scanLibrary(library.id, { kind: 'full', trigger: 'manual' });
    const rescanMs = performance.now() - t0;
    if (again.added + again.changed + again.removed !== 0) throw new Error(`${scheme}: the rescan changed the index`);
    return { initialMs, rescanMs };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function measure(scratch: string, adapter: StorageAdapter, files: number): Promise<Figures> {
  const runs: number[] = [];
  let rescanMs = Infinity;
  for (let r = 0; r < 3; r++) {
    const res = await scanOnce(scratch, adapter, files, true);
    runs.push(files / (res.initialMs / 1000));
    rescanMs = Math.min(rescanMs, res.rescanMs ?? Infinity);
  }
  return { initialFilesPerSec: Math.round(Math.max(...runs)), initialRuns: runs.map(Math.round), rescanFilesPerSec: Math.round(files / (rescanMs / 1000)), rescanMs: Math.round(rescanMs) };
}

async function main(): Promise<void> {
  const folders = Number(process.argv[2] ?? 500);
  const perFolder = Number(process.argv[3] ?? 20);
  const pacedRps = Number(process.argv[4] ?? 200);
  const files = folders * perFolder;
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'alcove-bench-remote-scan-'));
  const tree = path.join(scratch, 'tree');
  const stops: (() => Promise<void>)[] = [];
  try {
    await mkdir(tree);
    await makeTree(tree, folders, perFolder);
    const samba = await startSamba({ root: tree });
    stops.push(() => samba.stop());
    const ftp = await startPureFtpd({ root: tree });
    stops.push(() => ftp.stop());
    const dav = await startApacheWebdav();
    stops.push(() => dav.stop());
    await cp(tree, path.join(dav.root, 'tree'), { recursive: true });

    const cred = (username: string, password: string): StorageCredentials => ({ username, password });
    const adapters: [string, StorageAdapter][] = [
      ['local', new LocalAdapter(tree)],
      ['smb', createSmbAdapter({ url: new URL(`smb://127.0.0.1:${samba.port}/${samba.share}`), credentials: cred(samba.user, samba.password) })],
      ['ftp', createFtpAdapter({ url: new URL(`ftp://127.0.0.1:${ftp.port}/`), credentials: cred(ftp.user, ftp.password) })],
      ['webdav', createWebdavAdapter({ url: new URL(`${dav.url}/tree`), credentials: cred(dav.user, dav.password) })],
    ];
    const results: Record<string, Figures> = {};
    // One unmeasured local scan first: JIT and LMDB warm-up would otherwise count against local.
    await scanOnce(scratch, adapters[0][1], files, true);
    for (const [name, adapter] of adapters) {
      await adapter.ping();
      results[name] = await measure(scratch, adapter, files);
      process.stderr.write(`${name}: ${JSON.stringify(results[name])}\n`);
    }
    const smb = adapters[1][1];
    const paced = await scanOnce(scratch, smb, files, false, new RequestPacer(pacedRps));
    const pacedFigures = { rps: pacedRps, filesPerSec: Math.round(files / (paced.initialMs / 1000)), ms: Math.round(paced.initialMs) };
    for (const [, adapter] of adapters) await adapter.close();

    const local = results.local;
    console.log(JSON.stringify({ cpus: os.cpus().length, folders, filesPerFolder: perFolder, files, results, smbPaced: pacedFigures }, null, 2));
    console.log('\n| root | initial scan files/s | vs local | rescan (unchanged) files/s | vs local |\n|---|---:|---:|---:|---:|');
    for (const [name, r] of Object.entries(results)) {
      const pct = (a: number, b: number): string => (name === 'local' ? '-' : `${Math.round((a / b) * 100)}%`);
      console.log(`| ${name} | ${r.initialFilesPerSec.toLocaleString('en-US')} | ${pct(r.initialFilesPerSec, local.initialFilesPerSec)} | ${r.rescanFilesPerSec.toLocaleString('en-US')} | ${pct(r.rescanFilesPerSec, local.rescanFilesPerSec)} |`);
    }
    console.log(`| smb, paced at ${pacedRps} ops/s | ${pacedFigures.filesPerSec.toLocaleString('en-US')} | | | |`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error('stop failed', err));
    await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
