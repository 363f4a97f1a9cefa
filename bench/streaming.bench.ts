/**
 * Benchmark 4, streaming: one file of real random bytes (default 1 GiB, cached), served
 * by the built daemon and by nginx (1 worker, sendfile on; bench/lib/nginx.ts) in the same
 * run, from the page cache:
 *  - full GET, 1 client (curl) and 8 clients (8 curls at once): MiB/s;
 *  - random 1 MiB ranged GETs, 1 and 8 connections (wrk + Lua): MiB/s.
 * Goal: every ratio >= 0.9. Ranged answers are checked byte for byte once per server.
 * The daemon URL defaults to the first of CANDIDATES that answers a ranged GET with 206;
 * override with --set streaming.path=/api/file/Big/big.bin .
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { GiB, intOption, MiB, type Bench, type BenchContext } from './lib/bench.js';
import { curlDownload, curlParallel } from './lib/curl.js';
import { daemonBuilt, loginToken, startDaemon } from './lib/daemon.js';
import { generateBigFile } from './lib/gen-big-file.js';
import { startNginx } from './lib/nginx.js';
import { which } from './lib/proc.js';
import { metric, type Metric } from './lib/result.js';
import { rangeLua, runWrk } from './lib/wrk.js';

const LIB = 'Big';
const CANDIDATES = ['/api/file/{lib}/{name}', '/api/stream/{lib}/{name}'];

interface Figures { full1: number; full8: number; range1: number; range8: number; note: string }

async function checkRange(url: string, headers: Record<string, string>, path: string, size: number): Promise<void> {
  const start = Math.floor(size / 3) + 12_345; const end = start + 65_535;
  const r = await fetch(url, { headers: { ...headers, Range: `bytes=${start}-${end}` } });
  const got = Buffer.from(await r.arrayBuffer());
  const fh = await open(path, 'r');
  const want = Buffer.alloc(end - start + 1);
  try { await fh.read(want, 0, want.length, start); } finally { await fh.close(); }
  if (r.status !== 206 || !got.equals(want)) throw new Error(`${url}: ranged GET gave ${r.status} with ${got.length} bytes that ${got.equals(want) ? 'match' : 'do not match'} the file`);
}

async function measure(ctx: BenchContext, url: string, headers: Record<string, string>, size: number, rangeBytes: number, seconds: number): Promise<Figures> {
  const mib = (bytes: number, s: number): number => bytes / MiB / s;
  await curlDownload(url, headers);   // warm-up: page cache and the server's first request
  const runs = [await curlDownload(url, headers), await curlDownload(url, headers)];
  for (const d of runs) if (d.status !== 200 || d.bytes !== size) throw new Error(`${url}: full GET gave ${d.status} with ${d.bytes} bytes`);
  const full1 = Math.max(...runs.map((d) => mib(d.bytes, d.seconds)));
  const par = await curlParallel(url, 8, headers);
  if (par.statuses.some((s) => s !== 200) || par.bytes !== 8 * size) throw new Error(`${url}: parallel GETs gave ${par.statuses.join(',')} / ${par.bytes} bytes`);
  const full8 = mib(par.bytes, par.seconds);
  const lua = rangeLua(size, rangeBytes, headers);
  const r1 = await runWrk(url, { connections: 1, threads: 1, durationS: seconds, lua, scratchDir: ctx.tmpDir, timeoutS: 10 });
  const r8 = await runWrk(url, { connections: 8, threads: 2, durationS: seconds, lua, scratchDir: ctx.tmpDir, timeoutS: 10 });
  const bad = r1.non2xx + r8.non2xx + r1.socketErrors + r8.socketErrors;
  return {
    full1, full8, range1: r1.bytesPerSec / MiB, range8: r8.bytesPerSec / MiB,
    note: `${Math.round(r1.requestsPerSec)}/${Math.round(r8.requestsPerSec)} ranges/s${bad ? `, ${bad} errors` : ''}`,
  };
}

export const bench: Bench = {
  name: 'streaming',
  title: 'Big file streaming vs nginx',
  async run(ctx) {
    for (const tool of ['curl', 'wrk']) if (!(await which(tool))) throw new Error(`${tool} not found (bench/install-deps.sh)`);
    const size = intOption(ctx, 'bytes', GiB, GiB / 4);
    const rangeBytes = intOption(ctx, 'rangeBytes', MiB);
    const seconds = intOption(ctx, 'seconds', 5, 3);
    ctx.param('bytes', size); ctx.param('rangeBytes', rangeBytes); ctx.param('seconds', seconds);
    const file = await generateBigFile(ctx.cacheDir, size);
    ctx.log(file.built ? `generated ${size} bytes` : `reusing ${file.path}`);

    let ours: Figures | undefined; let note = '';
    if (!(await daemonBuilt(ctx.repoRoot))) note = 'daemon not built';
    else {
      const d = await startDaemon(ctx.repoRoot, { stateDir: join(ctx.tmpDir, 'state'), libraries: [{ name: LIB, path: file.dir }] });
      try {
        const token = await loginToken(d.baseUrl);
        const headers = { Authorization: `Bearer ${token}` };
        await d.waitForRecord((r) => r.msg === 'scan finished', 60_000);
        const candidates = ctx.options.path ? [ctx.options.path] : CANDIDATES;
        const tried: string[] = [];
        let path: string | undefined;
        for (const c of candidates) {
          const p = c.replaceAll('{lib}', encodeURIComponent(LIB)).replaceAll('{name}', encodeURIComponent(file.name));
          const r = await fetch(`${d.baseUrl}${p}`, { headers: { ...headers, Range: 'bytes=0-0' } });
          await r.arrayBuffer();
          tried.push(`${p} -> ${r.status}`);
          if (r.status === 206) { path = p; break; }
        }
        if (!path) note = `no file endpoint answered a ranged GET: ${tried.join('; ')}`;
        else {
          ctx.param('path', path);
          await checkRange(`${d.baseUrl}${path}`, headers, file.path, size);
          ours = await measure(ctx, `${d.baseUrl}${path}`, headers, size, rangeBytes, seconds);
          note = `${path}; ${ours.note}`;
        }
      } finally {
        await d.stop();
      }
    }
    const nginx = await startNginx(ctx.tmpDir, file.dir);
    let base: Figures;
    try {
      await checkRange(`${nginx.baseUrl}/${file.name}`, {}, file.path, size);
      base = await measure(ctx, `${nginx.baseUrl}/${file.name}`, {}, size, rangeBytes, seconds);
    } finally {
      await nginx.stop();
    }
    ctx.log(`alcove ${JSON.stringify(ours)}; nginx ${JSON.stringify(base)}`);
    const goal = { on: 'ratio', op: '>=', target: 0.9 } as const;
    const label = `${Math.round(size / MiB)} MiB`;
    const m = (name: string, key: keyof Omit<Figures, 'note'>, extra = ''): Metric =>
      metric({ name, unit: 'MiB/s', value: ours?.[key] ?? null, baselineName: 'nginx sendfile', baseline: base[key], goal, note: extra });
    return [
      m(`full GET ${label}, 1 client`, 'full1', note),
      m(`full GET ${label}, 8 clients`, 'full8'),
      m(`1 MiB ranges, 1 conn`, 'range1', `nginx ${base.note}`),
      m(`1 MiB ranges, 8 conns`, 'range8'),
    ];
  },
};
