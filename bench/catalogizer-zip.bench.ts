/**
 * Catalogizer archive streaming (standalone):
 *
 *   npm run build && node dist/bench/catalogizer-zip.bench.js [sizeMiB=2048]
 *
 * A directory of `sizeMiB` MiB (16 files of incompressible data, page cache warm) is
 * downloaded through the built daemon as GET /api/v1/download/directory/<dir>?format=zip
 * (and tar), over HTTP on 127.0.0.1, and compared in the same run with
 * `tar -cf - <dir> | cat > /dev/null` (a pipe: GNU tar writing to /dev/null directly skips
 * reading the files). Best of 3 interleaved rounds. Also: the daemon's peak RSS (VmHWM) across all
 * downloads, and after a client abort, whether the daemon kept reading (rchar of
 * /proc/<pid>/io over the following second). Prints one JSON object.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findRepoRoot } from './lib/bench.js';
import { loginToken, startDaemon } from './lib/daemon.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;

async function procField(pid: number, file: string, field: string): Promise<number> {
  const text = await readFile(`/proc/${pid}/${file}`, 'utf8');
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
}

async function main(): Promise<void> {
  const sizeMiB = Number(process.argv[2] ?? 2048);
  const dir = await mkdtemp(join(tmpdir(), 'alcove-bench-zip-'));
  const media = join(dir, 'media', 'big');
  await mkdir(media, { recursive: true });
  const cfg = join(dir, 'alcove.yaml');
  await writeFile(cfg, 'rateLimits:\n  authPerMinute: 10000\n  apiPerMinute: 100000\nscan:\n  onStartup: false\n  watch: false\n');
  const files = 16;
  const per = Math.max(1, Math.floor(sizeMiB / files));
  for (let f = 0; f < files; f++) {
    const block = randomBytes(MiB);
    const fh = await open(join(media, `clip-${f}.mkv`), 'w');
    for (let i = 0; i < per; i++) { block[0] = i & 0xff; await fh.write(block); }
    await fh.close();
  }
  const totalMiB = per * files;
  const daemon = await startDaemon(findRepoRoot(), { stateDir: join(dir, 'state'), extraArgs: ['--config', cfg] });
  try {
    const token = await loginToken(daemon.baseUrl);
    const fetchApi = (path: string, init: RequestInit = {}): Promise<Response> =>
      fetch(`${daemon.baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
    const root = (await (await fetchApi('/api/v1/storage/roots', { method: 'POST', body: JSON.stringify({ name: 'bench', protocol: 'local', path: join(dir, 'media') }) })).json()) as { id: number };
    const job = (await (await fetchApi('/api/v1/scans', { method: 'POST', body: JSON.stringify({ storage_root_id: root.id }) })).json()) as { job_id: string };
    for (;;) {
      const s = (await (await fetchApi(`/api/v1/scans/${job.job_id}`)).json()) as { status: string };
      if (s.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const pid = daemon.proc.pid;
    const rssBefore = await procField(pid, 'status', 'VmRSS');
    const tarPipe = async (): Promise<number> => {
      const t0 = performance.now();
      await run('bash', ['-c', `tar -cf - -C ${JSON.stringify(join(dir, 'media'))} big | cat > /dev/null`], { maxBuffer: 1024 });
      return performance.now() - t0;
    };
    // curl as the client: a light reader, so the figure is the daemon's, not the client's.
    const http = async (format: string): Promise<{ ms: number; bytes: number }> => {
      const t0 = performance.now();
      const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{size_download}', '-H', `Authorization: Bearer ${token}`,
        `${daemon.baseUrl}/api/v1/download/directory/bench/big?format=${format}`]);
      return { ms: performance.now() - t0, bytes: Number(stdout) };
    };
    // Rounds interleave the three measurements so load from other processes hits each alike.
    let tarMs = Infinity; let zipMs = Infinity; let tarHttpMs = Infinity; let zipBytes = 0;
    for (let round = 0; round < 3; round++) {
      tarMs = Math.min(tarMs, await tarPipe());
      const z = await http('zip'); zipBytes = z.bytes; zipMs = Math.min(zipMs, z.ms);
      tarHttpMs = Math.min(tarHttpMs, (await http('tar')).ms);
    }
    // Abort after ~64 MiB; the daemon must stop reading the files.
    const ac = new AbortController();
    const res = await fetchApi('/api/v1/download/directory/bench/big?format=zip', { signal: ac.signal });
    const reader = res.body!.getReader();
    let got = 0;
    while (got < 64 * MiB) { const { value } = await reader.read(); got += value?.length ?? 0; }
    ac.abort();
    await new Promise((r) => setTimeout(r, 300));
    const r0 = await procField(pid, 'io', 'rchar');
    await new Promise((r) => setTimeout(r, 1000));
    const r1 = await procField(pid, 'io', 'rchar');
    const peak = await procField(pid, 'status', 'VmHWM');
    const mibs = (ms: number): number => Math.round((totalMiB / (ms / 1000)) * 10) / 10;
    console.log(JSON.stringify({
      directoryMiB: totalMiB, files,
      tarPipeMiBs: mibs(tarMs), zipHttpMiBs: mibs(zipMs), tarHttpMiBs: mibs(tarHttpMs),
      zipVsTar: Math.round((tarMs / zipMs) * 100) / 100, zipBytes,
      daemonRssBeforeMiB: Math.round(rssBefore / 1024), daemonPeakRssMiB: Math.round(peak / 1024),
      bytesReadInTheSecondAfterAbort: r1 - r0,
    }, null, 1));
  } finally {
    await daemon.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
