/**
 * Benchmark 3, listing: one folder of `items` photos (default 10,000 real small JPEGs,
 * hard-linked) in a library of the built daemon; wrk -c32 -d5s --latency on the daemon's
 * page-of-50 listing endpoint with a Bearer token, a random page per request (so deep
 * offsets are exercised). Baseline: a bare uWebSockets.js process answering a small fixed
 * JSON (bench/lib/uws-baseline.server.ts), same wrk settings, same run.
 * Goal: req/s ratio >= 0.4. p99 latency reported beside it.
 *
 * The URL is a template: `{lib}`, `{folder}` (URL-encoded), `{page}` (random 1..pages) and
 * `{pageSize}`; override with --set listing.url=... . By default the first of CANDIDATES
 * that answers 200 with JSON is used.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { intOption, type Bench, type BenchContext } from './lib/bench.js';
import { daemonBuilt, loginToken, startDaemon, type LogRecord, type RunningDaemon } from './lib/daemon.js';
import { generateMediaTree } from './lib/gen-media.js';
import { startProcess, which } from './lib/proc.js';
import { metric, type Metric } from './lib/result.js';
import { runWrk, type WrkResult } from './lib/wrk.js';

const CANDIDATES = [
  '/api/files?path={lib}%2F{folder}&page={page}&pageSize={pageSize}',
];

const LIB = 'Bench';
const recordTime = (r: LogRecord): number => Date.parse(String(r.time ?? '')) || 0;
const FOLDER = 'Set 0000';

/** CPU seconds (user + system) a process has used so far, from /proc (0 where unreadable). */
async function cpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch { return 0; }
}

/** Run wrk and report the daemon's CPU microseconds per answered request beside it. */
async function wrkWithCpu(pid: number, go: () => Promise<WrkResult>): Promise<{ r: WrkResult; usPerReq: number }> {
  const before = await cpuSeconds(pid);
  const r = await go();
  const used = (await cpuSeconds(pid)) - before;
  return { r, usPerReq: r.requests > 0 ? (used * 1e6) / r.requests : 0 };
}

function expand(template: string, page: number | string, pageSize: number): string {
  return template.replaceAll('{lib}', encodeURIComponent(LIB)).replaceAll('{folder}', encodeURIComponent(FOLDER))
    .replaceAll('{page}', String(page)).replaceAll('{pageSize}', String(pageSize));
}

/** A Lua script that substitutes a random page into each request path. */
function pagesLua(template: string, pages: number, pageSize: number): string {
  const [before, after] = expand(template, '\u0000', pageSize).split('\u0000');
  return `local counter = 0
function setup(thread) counter = counter + 1; thread:set("seed", counter) end
function init(args) math.randomseed(seed or 1) end
request = function()
  return wrk.format("GET", ${JSON.stringify(before)} .. math.random(1, ${pages}) .. ${JSON.stringify(after ?? '')})
end
`;
}

async function pickEndpoint(d: RunningDaemon, token: string, templates: string[], pageSize: number): Promise<{ template: string; count: number } | { tried: string[] }> {
  const tried: string[] = [];
  for (const t of templates) {
    const r = await fetch(`${d.baseUrl}${expand(t, 2, pageSize)}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await r.text();
    tried.push(`${t} -> ${r.status}`);
    if (r.status !== 200) continue;
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      const list = Array.isArray(body) ? body : (body.items ?? body.data ?? body.files ?? body.children);
      if (Array.isArray(list) && list.length > 0) return { template: t, count: list.length };
      tried[tried.length - 1] += ' (no items)';
    } catch { tried[tried.length - 1] += ' (not JSON)'; }
  }
  return { tried };
}

async function uwsBaseline(ctx: BenchContext, connections: number, durationS: number, token: string): Promise<WrkResult> {
  const server = startProcess('uws-baseline', process.execPath, [join(ctx.repoRoot, 'dist', 'bench', 'lib', 'uws-baseline.server.js'), '0']);
  try {
    const line = await server.waitForLine((l) => l.includes('"listening"'), 10_000);
    const port = (JSON.parse(line) as { port: number }).port;
    const { r, usPerReq } = await wrkWithCpu(server.pid, () => runWrk(`http://127.0.0.1:${port}/api/files?path=x&page=1&pageSize=50`, { connections, durationS, headers: { Authorization: `Bearer ${token}` } }));
    ctx.log(`bare uWS CPU ${usPerReq.toFixed(1)} us/req`);
    return r;
  } finally {
    await server.stop();
  }
}

export const bench: Bench = {
  name: 'listing',
  title: 'Folder listing vs bare uWS',
  async run(ctx) {
    if (!(await which('wrk'))) throw new Error('wrk not found: apt-get install -y wrk (bench/install-deps.sh)');
    const items = intOption(ctx, 'items', 10_000, 10_000);
    const pageSize = intOption(ctx, 'pageSize', 50);
    const connections = intOption(ctx, 'connections', 32);
    const durationS = intOption(ctx, 'seconds', 5, 3);
    const pages = Math.ceil(items / pageSize);
    ctx.param('items', items); ctx.param('connections', connections); ctx.param('seconds', durationS);
    const ffmpeg = (await which('ffmpeg')) ?? 'ffmpeg';
    const media = await generateMediaTree(ctx.cacheDir, ffmpeg, { files: items, distinct: 12, perDir: items, kinds: ['jpg'] });
    if (!(await daemonBuilt(ctx.repoRoot))) {
      return [metric({ name: 'page of 50', unit: 'req/s', value: null, baselineName: 'bare uWS JSON', baseline: null, goal: { on: 'ratio', op: '>=', target: 0.4 }, note: 'daemon not built' })];
    }
    const d = await startDaemon(ctx.repoRoot, { stateDir: join(ctx.tmpDir, 'state'), libraries: [{ name: LIB, path: media.root, type: 'photo' }] });
    let ours: WrkResult | undefined; let endpointNote = ''; let floor: WrkResult | undefined; let floorCpu = '';
    const token = await loginToken(d.baseUrl);
    try {
      await d.waitForRecord((r) => r.msg === 'scan finished', 300_000);
      try { await d.waitForRecord((r) => r.msg === 'probe queue drained' && Number(r.probed) > 0, 300_000); } catch { endpointNote = 'probe queue not drained after 300 s; '; }
      // Measure the listing, not the listing plus background work: the duplicate pass starts
      // when the probe queue drains (it hashes the tree's 12 sizes) and the index map release
      // follows it once the index is quiet. Wait for both before wrk starts.
      try {
        const dups = await d.waitForRecord((r) => r.msg === 'duplicate detection finished', 300_000);
        await d.waitForRecord((r) => r.msg === 'index map pages released' && recordTime(r) >= recordTime(dups), 60_000);
      } catch { endpointNote += 'daemon not idle before wrk (duplicate pass or map release not seen); '; }
      const templates = ctx.options.url ? [ctx.options.url] : CANDIDATES;
      const picked = await pickEndpoint(d, token, templates, pageSize);
      if ('tried' in picked) {
        endpointNote += `no listing endpoint answered: ${picked.tried.join('; ')}`;
      } else {
        ctx.param('url', picked.template);
        ctx.log(`endpoint ${picked.template} (${picked.count} items per page)`);
        const listed = await wrkWithCpu(d.proc.pid, () => runWrk(`${d.baseUrl}${expand(picked.template, 1, pageSize)}`, {
          connections, durationS, headers: { Authorization: `Bearer ${token}` }, lua: pagesLua(picked.template, pages, pageSize), scratchDir: ctx.tmpDir,
        }));
        ours = listed.r;
        endpointNote += `${picked.template}, random page 1..${pages}, daemon CPU ${listed.usPerReq.toFixed(1)} us/req`;
        if (ours.non2xx || ours.socketErrors) endpointNote += `; ${ours.non2xx} non-2xx, ${ours.socketErrors} socket errors`;
      }
      // The HTTP floor of the daemon: router + Bearer auth + a small JSON, no index work.
      const me = await wrkWithCpu(d.proc.pid, () => runWrk(`${d.baseUrl}/api/auth/me`, { connections, durationS, headers: { Authorization: `Bearer ${token}` } }));
      floor = me.r; floorCpu = `, daemon CPU ${me.usPerReq.toFixed(1)} us/req`;
    } finally {
      await d.stop();
    }
    const base = await uwsBaseline(ctx, connections, durationS, token);
    ctx.log(`daemon ${ours?.requestsPerSec ?? '-'} req/s, uWS ${base.requestsPerSec} req/s`);
    const out: Metric[] = [
      metric({ name: `page of ${pageSize}, ${items} items, -c${connections}`, unit: 'req/s', value: ours?.requestsPerSec ?? null, baselineName: 'bare uWS JSON', baseline: base.requestsPerSec, goal: { on: 'ratio', op: '>=', target: 0.4 }, note: endpointNote }),
      metric({ name: 'p99 latency', unit: 'ms', better: 'lower', value: ours?.latencyMs.p99 ?? null, baselineName: 'bare uWS JSON', baseline: base.latencyMs.p99 }),
      metric({ name: `GET /api/auth/me (HTTP+auth floor), -c${connections}`, unit: 'req/s', value: floor?.requestsPerSec ?? null, baselineName: 'bare uWS JSON', baseline: base.requestsPerSec, note: floor ? `p99 ${floor.latencyMs.p99} ms${floorCpu}` : '' }),
    ];
    return out;
  },
};
