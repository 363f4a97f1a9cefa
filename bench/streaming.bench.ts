/**
 * Benchmark 4, streaming: one file of real random bytes (default 1 GiB, cached), served
 * by the built daemon and by nginx (1 worker, sendfile on; bench/lib/nginx.ts) in the same
 * run, from the page cache:
 *  - full GET, 1 client (curl) and 8 clients (8 curls at once): MiB/s;
 *  - random 1 MiB ranged GETs, 1 and 8 connections (wrk + Lua): MiB/s, the median of
 *    `rounds` (default 3) rounds that alternate between the two servers.
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
import { median } from './lib/stats.js';
import { rangeLua, runWrk } from './lib/wrk.js';

const LIB = 'Big';
const CANDIDATES = ['/api/file/{lib}/{name}', '/api/stream/{lib}/{name}'];

async function checkRange(url: string, headers: Record<string, string>, path: string, size: number): Promise<void> {
  const start = Math.floor(size / 3) + 12_345; const end = start + 65_535;
  const r = await fetch(url, { headers: { ...headers, Range: `bytes=${start}-${end}` } });
  const got = Buffer.from(await r.arrayBuffer());
  const fh = await open(path, 'r');
  const want = Buffer.alloc(end - start + 1);
  try { await fh.read(want, 0, want.length, start); } finally { await fh.close(); }
  if (r.status !== 206 || !got.equals(want)) throw new Error(`${url}: ranged GET gave ${r.status} with ${got.length} bytes that ${got.equals(want) ? 'match' : 'do not match'} the file`);
}

async function measureFull(url: string, headers: Record<string, string>, size: number): Promise<{ full1: number; full8: number }> {
  const mib = (bytes: number, s: number): number => bytes / MiB / s;
  await curlDownload(url, headers);   // warm-up: page cache and the server's first request
  const runs = [await curlDownload(url, headers), await curlDownload(url, headers)];
  for (const d of runs) if (d.status !== 200 || d.bytes !== size) throw new Error(`${url}: full GET gave ${d.status} with ${d.bytes} bytes`);
  const full1 = Math.max(...runs.map((d) => mib(d.bytes, d.seconds)));
  const par = await curlParallel(url, 8, headers);
  if (par.statuses.some((s) => s !== 200) || par.bytes !== 8 * size) throw new Error(`${url}: parallel GETs gave ${par.statuses.join(',')} / ${par.bytes} bytes`);
  return { full1, full8: mib(par.bytes, par.seconds) };
}

interface RangeRun { mibPerSec: number; perSec: number; errors: number }

async function measureRanges(ctx: BenchContext, url: string, headers: Record<string, string>, size: number, rangeBytes: number, seconds: number, connections: number): Promise<RangeRun> {
  const r = await runWrk(url, { connections, threads: Math.min(2, connections), durationS: seconds, lua: rangeLua(size, rangeBytes, headers), scratchDir: ctx.tmpDir, timeoutS: 10 });
  return { mibPerSec: r.bytesPerSec / MiB, perSec: r.requestsPerSec, errors: r.non2xx + r.socketErrors };
}

/** The median round (by MiB/s) of `runs`, and every round's ranges/s for the note. */
function summarize(runs: RangeRun[]): { mibPerSec: number; note: string; errors: number } {
  return {
    mibPerSec: median(runs.map((r) => r.mibPerSec)),
    note: runs.map((r) => Math.round(r.perSec)).join('/'),
    errors: runs.reduce((a, r) => a + r.errors, 0),
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
    const rounds = intOption(ctx, 'rounds', 3, 1);
    ctx.param('bytes', size); ctx.param('rangeBytes', rangeBytes); ctx.param('seconds', seconds); ctx.param('rounds', rounds);
    const file = await generateBigFile(ctx.cacheDir, size);
    ctx.log(file.built ? `generated ${size} bytes` : `reusing ${file.path}`);

    // Both servers run for the whole benchmark (an idle one costs nothing), so the ranged
    // rounds can alternate between them: the 2-core machine's throughput drifts by up to a
    // third between runs minutes apart, and alternating rounds puts both under the same drift.
    const d = (await daemonBuilt(ctx.repoRoot))
      ? await startDaemon(ctx.repoRoot, { stateDir: join(ctx.tmpDir, 'state'), libraries: [{ name: LIB, path: file.dir }] })
      : undefined;
    const nginx = await startNginx(ctx.tmpDir, file.dir);
    try {
      let ours: { url: string; headers: Record<string, string> } | undefined;
      let note = d ? '' : 'daemon not built';
      if (d) {
        const token = await loginToken(d.baseUrl);
        const headers = { Authorization: `Bearer ${token}` };
        await d.waitForRecord((r) => r.msg === 'scan finished', 60_000);
        const candidates = ctx.options.path ? [ctx.options.path] : CANDIDATES;
        const tried: string[] = [];
        for (const c of candidates) {
          const p = c.replaceAll('{lib}', encodeURIComponent(LIB)).replaceAll('{name}', encodeURIComponent(file.name));
          const r = await fetch(`${d.baseUrl}${p}`, { headers: { ...headers, Range: 'bytes=0-0' } });
          await r.arrayBuffer();
          tried.push(`${p} -> ${r.status}`);
          if (r.status === 206) { ours = { url: `${d.baseUrl}${p}`, headers }; ctx.param('path', p); note = p; break; }
        }
        if (!ours) note = `no file endpoint answered a ranged GET: ${tried.join('; ')}`;
        else await checkRange(ours.url, headers, file.path, size);
      }
      const theirs = { url: `${nginx.baseUrl}/${file.name}`, headers: {} };
      await checkRange(theirs.url, {}, file.path, size);

      const fullOurs = ours ? await measureFull(ours.url, ours.headers, size) : undefined;
      const fullBase = await measureFull(theirs.url, {}, size);
      const runs = { ours1: [] as RangeRun[], base1: [] as RangeRun[], ours8: [] as RangeRun[], base8: [] as RangeRun[] };
      for (let round = 0; round < rounds; round++) {
        for (const c of [1, 8] as const) {
          if (ours) runs[`ours${c}`].push(await measureRanges(ctx, ours.url, ours.headers, size, rangeBytes, seconds, c));
          runs[`base${c}`].push(await measureRanges(ctx, theirs.url, {}, size, rangeBytes, seconds, c));
        }
      }
      const o1 = summarize(runs.ours1); const o8 = summarize(runs.ours8);
      const b1 = summarize(runs.base1); const b8 = summarize(runs.base8);
      if (ours) note += `; ranges/s per round ${o1.note} (1 conn), ${o8.note} (8 conns)${o1.errors + o8.errors ? `, ${o1.errors + o8.errors} errors` : ''}`;
      const baseNote = `nginx ranges/s per round ${b1.note} (1 conn), ${b8.note} (8 conns); ${rounds > 1 ? `medians of ${rounds} alternating rounds` : 'one round'}${b1.errors + b8.errors ? `, ${b1.errors + b8.errors} errors` : ''}`;
      ctx.log(`alcove ${JSON.stringify({ fullOurs, runs: { c1: runs.ours1, c8: runs.ours8 } })}; nginx ${JSON.stringify({ fullBase, runs: { c1: runs.base1, c8: runs.base8 } })}`);
      const goal = { on: 'ratio', op: '>=', target: 0.9 } as const;
      const label = `${Math.round(size / MiB)} MiB`;
      const m = (name: string, value: number | undefined, baseline: number, extra = ''): Metric =>
        metric({ name, unit: 'MiB/s', value: ours ? value ?? null : null, baselineName: 'nginx sendfile', baseline, goal, note: extra });
      return [
        m(`full GET ${label}, 1 client`, fullOurs?.full1, fullBase.full1, note),
        m(`full GET ${label}, 8 clients`, fullOurs?.full8, fullBase.full8),
        m(`1 MiB ranges, 1 conn`, o1.mibPerSec, b1.mibPerSec, baseNote),
        m(`1 MiB ranges, 8 conns`, o8.mibPerSec, b8.mibPerSec),
      ];
    } finally {
      await nginx.stop();
      await d?.stop();
    }
  },
};
