/**
 * Benchmark runner: `npm run bench [-- options]` (or `node dist/bench/run.js`).
 *
 *   --only a,b        run only these benchmarks (scan, metadata, listing, streaming, thumbnails)
 *   --quick           smaller variants (fewer files, shorter load) for a quick look
 *   --set k=v         per-benchmark option, e.g. --set metadata.files=100000,
 *                     --set listing.url=/api/files?path=Bench/big&page=3&pageSize=50
 *   --out PATH        results JSON (default bench/results/latest.json)
 *   --keep-tmp        keep scratch dirs (for debugging)
 *   --list            list the benchmarks and exit
 *   --markdown FILE   print FILE (a results JSON) as a Markdown table and exit
 *
 * Each benchmark runs in its own scratch dir under /tmp; generated data is cached in
 * /tmp/alcove-bench-cache (env ALCOVE_BENCH_CACHE). Every process started is stopped by its
 * PID at the end, on failure, and on Ctrl-C. Prints a table and writes the JSON report.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Bench, BenchContext } from './lib/bench.js';
import { findRepoRoot } from './lib/bench.js';
import { defaultCacheRoot } from './lib/cache.js';
import { killAllNow, stopAll } from './lib/proc.js';
import { formatTable, type BenchOutcome, type RunReport } from './lib/result.js';
import { reportMarkdown } from './lib/markdown.js';

/** Benchmarks in run order; loaded lazily so one that cannot load fails alone. */
const BENCHES: Record<string, { title: string; load: () => Promise<Bench> }> = {
  scan: { title: 'Scan of 100,000 small files (no probing), rescan, daemon RSS and start', load: async () => (await import('./scan.bench.js')).bench },
  metadata: { title: 'Full scan with metadata (JPEG/MP4/MP3) vs minidlna', load: async () => (await import('./metadata.bench.js')).bench },
  listing: { title: 'Folder listing, page of 50 in a 10,000-item folder, vs bare uWS', load: async () => (await import('./listing.bench.js')).bench },
  streaming: { title: '1 GiB file: full and ranged GETs vs nginx', load: async () => (await import('./streaming.bench.js')).bench },
  thumbnails: { title: '4000x3000 JPEG -> 256 px thumbnails vs vipsthumbnail', load: async () => (await import('./thumbnails.bench.js')).bench },
};

interface Cli { only?: string[]; quick: boolean; set: Record<string, string>; out: string; keepTmp: boolean; list: boolean; markdown?: string }

function parseArgs(argv: string[], repoRoot: string): Cli {
  const cli: Cli = { quick: false, set: {}, out: join(repoRoot, 'bench', 'results', 'latest.json'), keepTmp: false, list: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const eq = a.indexOf('=');
      if (eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const flag = a.split('=')[0];
    if (flag === '--only') cli.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (flag === '--quick') cli.quick = true;
    else if (flag === '--set') {
      const kv = value(); const eq = kv.indexOf('=');
      if (eq <= 0) throw new Error(`--set ${kv}: expected bench.key=value`);
      cli.set[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (flag === '--out') cli.out = resolve(value());
    else if (flag === '--keep-tmp') cli.keepTmp = true;
    else if (flag === '--list') cli.list = true;
    else if (flag === '--markdown') cli.markdown = resolve(value());
    else if (flag === '--help' || flag === '-h') { cli.list = true; }
    else throw new Error(`unknown option ${a} (see --help)`);
  }
  for (const name of cli.only ?? []) if (!BENCHES[name]) throw new Error(`unknown benchmark '${name}'; known: ${Object.keys(BENCHES).join(', ')}`);
  return cli;
}

async function machine(): Promise<RunReport['machine']> {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const info = await readFile('/proc/cpuinfo', 'utf8');
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? cpuModel;
  } catch { /* not Linux */ }
  return { nproc: cpus().length, cpuModel, memTotalBytes: totalmem(), node: process.version, kernel: release() };
}

async function main(): Promise<number> {
  const repoRoot = findRepoRoot();
  const cli = parseArgs(process.argv.slice(2), repoRoot);
  if (cli.list) {
    process.stdout.write(`benchmarks:\n${Object.entries(BENCHES).map(([n, b]) => `  ${n.padEnd(11)} ${b.title}`).join('\n')}\n`);
    process.stdout.write('options: --only a,b  --quick  --set bench.key=value  --out PATH  --keep-tmp  --markdown RESULTS.json\n');
    return 0;
  }
  if (cli.markdown) {
    const report = JSON.parse(await readFile(cli.markdown, 'utf8')) as RunReport;
    process.stdout.write(reportMarkdown(report));
    return 0;
  }
  const names = cli.only ?? Object.keys(BENCHES);
  const tmpRoot = await mkdtemp('/tmp/alcove-bench-');
  const cacheDir = defaultCacheRoot();
  await mkdir(cacheDir, { recursive: true });
  const onSignal = (sig: NodeJS.Signals): void => {
    process.stderr.write(`\n${sig}: stopping started processes\n`);
    void stopAll().finally(async () => {
      if (!cli.keepTmp) await rm(tmpRoot, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', killAllNow);

  const startedAt = new Date().toISOString();
  const loadAvgStart = loadavg()[0];
  const results: BenchOutcome[] = [];
  for (const name of names) {
    const entry = BENCHES[name]!;
    const outcome: BenchOutcome = { bench: name, title: entry.title, durationMs: 0, metrics: [], params: {} };
    const tmpDir = join(tmpRoot, name);
    await mkdir(tmpDir, { recursive: true });
    const options: Record<string, string> = {};
    for (const [k, v] of Object.entries(cli.set)) if (k.startsWith(`${name}.`)) options[k.slice(name.length + 1)] = v;
    const ctx: BenchContext = {
      quick: cli.quick, repoRoot, tmpDir, cacheDir, options,
      log: (m) => process.stderr.write(`[${name}] ${m}\n`),
      param: (k, v) => { outcome.params[k] = v; },
    };
    const t0 = performance.now();
    process.stderr.write(`\n== ${name}: ${entry.title}${cli.quick ? ' (quick)' : ''}\n`);
    try {
      const bench = await entry.load();
      outcome.metrics = await bench.run(ctx);
    } catch (err) {
      outcome.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      process.stderr.write(`[${name}] FAILED: ${outcome.error}\n`);
    } finally {
      await stopAll();
      if (!cli.keepTmp) await rm(tmpDir, { recursive: true, force: true });
    }
    outcome.durationMs = Math.round(performance.now() - t0);
    results.push(outcome);
    // Written after every benchmark, so an interrupted run keeps what it measured.
    const partial: RunReport = { startedAt, finishedAt: new Date().toISOString(), quick: cli.quick, machine: { ...(await machine()), loadAvgStart, loadAvgEnd: loadavg()[0] }, results };
    await mkdir(dirname(cli.out), { recursive: true });
    await writeFile(cli.out, `${JSON.stringify(partial, null, 2)}\n`);
  }
  if (!cli.keepTmp) await rm(tmpRoot, { recursive: true, force: true });

  const report: RunReport = { startedAt, finishedAt: new Date().toISOString(), quick: cli.quick, machine: { ...(await machine()), loadAvgStart, loadAvgEnd: loadavg()[0] }, results };
  process.stdout.write(`\n${formatTable(results)}\n`);
  await mkdir(dirname(cli.out), { recursive: true });
  await writeFile(cli.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nresults: ${cli.out}\n`);
  return results.some((r) => r.error) ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, async (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  await stopAll();
  process.exitCode = 2;
});
