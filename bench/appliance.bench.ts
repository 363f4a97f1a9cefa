/**
 * Appliance figures (issue 7). Standalone: `node dist/bench/appliance.bench.js [--quick]
 * [--set key=value ...]`; also exports `bench` in run.ts's shape. Writes
 * bench/results/appliance.json and prints a table.
 *
 * 1. Idle: the built daemon with a `idleFiles` (10,000) file library indexed (watching on),
 *    `idleClients` (10) WebSocket clients subscribed to every topic (what the TUI does) and
 *    mDNS announced through a private Avahi (test/servers/avahi.ts: own D-Bus, avahi-daemon
 *    in a network namespace; skipped with the reason when root or the packages are missing).
 *    RSS, and CPU% from /proc/<pid>/stat utime+stime over `idleSeconds` (30).
 * 2. Fan-out: `fanClients` (1,000) WebSocket clients in one worker thread (its own core),
 *    subscribed to items and scans. `fanLibs` libraries of `fanFiles` files each are
 *    churned for `fanSeconds`: touch every file, POST /api/libraries/:id/scan?full=true,
 *    wait for scan.finished, again. Events published/s (seen by a control client),
 *    messages delivered/s over all clients, fan-out spread (first to last client, same
 *    event), daemon RSS and CPU. A raw-socket client that never reads (paused) must be
 *    dropped by the daemon (1 MiB backpressure limit) while the others keep receiving.
 * 3. Package sizes: packaging/deb/build.sh and packaging/synology/build.sh when present.
 */
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { findRepoRoot, intOption, type Bench, type BenchContext } from './lib/bench.js';
import { defaultCacheRoot } from './lib/cache.js';
import { loginToken, startDaemon, type RunningDaemon } from './lib/daemon.js';
import { generateTree } from './lib/gen-tree.js';
import { rssBreakdown, rssBytes, run, stopAll } from './lib/proc.js';
import { formatTable, metric, type Metric, type RunReport } from './lib/result.js';

const MiB = 1024 * 1024;
const ALL_TOPICS = ['scans', 'items', 'libraries', 'jobs', 'transcodes', 'users', 'logs'];

// ---------------------------------------------------------------- client worker ----------

interface WorkerInput { url: string; clients: number; topics: string[]; slow: boolean }
interface WorkerStats { types: Record<string, number>; events: number; bytes: number; min: number; max: number; open: number; spreadsMs: number[]; slowBytes: number }

/** Raw socket: handshake, subscribe, then never read again (a stalled client). */
function openSlowClient(url: string, topics: string[], onState: (bytes: number) => void): void {
  const u = new URL(url);
  const sock = connect(Number(u.port), u.hostname);
  let seen = '';
  let bytes = 0;
  sock.on('error', () => undefined);
  sock.on('connect', () => {
    sock.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
      + `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  });
  sock.on('data', (d: Buffer) => {
    bytes += d.length; onState(bytes);
    if (seen.includes('\r\n\r\n')) return;
    seen += d.toString('latin1');
    if (!seen.includes('\r\n\r\n')) return;
    const payload = Buffer.from(JSON.stringify({ type: 'subscribe', topics }));
    const mask = randomBytes(4);
    const frame = Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload.map((b, i) => b ^ mask[i % 4]!)]);
    sock.write(frame);
    setTimeout(() => sock.pause(), 200);   // from here on nothing is read: the kernel buffers fill, then the daemon's
  });
}

function clientWorker(input: WorkerInput): void {
  const counts = new Array<number>(input.clients).fill(0);
  const sockets: WebSocket[] = [];
  const fan = new Map<string, { first: number; n: number }>();
  let spreads: number[] = [];
  const types: Record<string, number> = {};
  let bytes = 0; let subscribed = 0; let open = 0; let slowBytes = 0;
  const t0 = performance.now();
  const onMessage = (i: number, data: Buffer): void => {
    const msg = JSON.parse(data.toString('utf8')) as { type: string; event?: Record<string, unknown> };
    if (msg.type === 'subscribed') { if (++subscribed === input.clients) parentPort!.postMessage({ type: 'ready', ms: performance.now() - t0 }); return; }
    if (i === 0) { const k = msg.type === 'log' ? `log:${String((msg as { record?: { msg?: unknown } }).record?.msg)}` : `${msg.type}:${String(msg.event?.type ?? '')}${msg.event?.job ? `:${String(msg.event.job)}` : ''}`; types[k] = (types[k] ?? 0) + 1; }
    if (msg.type !== 'event' || !msg.event) return;
    counts[i]!++; bytes += data.length;
    const e = msg.event;
    const key = `${String(e.type)}:${String(e.scanId ?? '')}:${String(e.libraryId)}:${String((e.ids as number[] | undefined)?.[0] ?? e.done ?? '')}`;
    const now = performance.now();
    // Complete once every client has it (the key repeats across rounds: items events carry no scan id).
    const f = fan.get(key) ?? { first: now, n: 0 };
    if (++f.n >= input.clients) { spreads.push(now - f.first); fan.delete(key); } else fan.set(key, f);
  };
  const openOne = (i: number): Promise<void> => new Promise((resolve, reject) => {
    const ws = new WebSocket(input.url, { perMessageDeflate: false });
    sockets.push(ws);
    ws.on('open', () => { open++; ws.send(JSON.stringify({ type: 'subscribe', topics: input.topics })); resolve(); });
    ws.on('message', (data: Buffer) => onMessage(i, data));
    ws.on('close', () => { open--; });
    ws.on('error', reject);
  });
  void (async () => {
    for (let i = 0; i < input.clients; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, input.clients - i) }, (_, k) => openOne(i + k)));
    }
    if (input.slow) openSlowClient(input.url, input.topics, (b) => { slowBytes = b; });
  })().catch((err: unknown) => parentPort!.postMessage({ type: 'error', message: String(err) }));
  parentPort!.on('message', (cmd: string) => {
    if (cmd === 'stats') {
      const spreadsMs = spreads; spreads = [];
      let events = 0; let min = Infinity; let max = 0;
      for (const c of counts) { events += c; min = Math.min(min, c); max = Math.max(max, c); }
      const stats: WorkerStats = { types, events, bytes, min, max, open, spreadsMs, slowBytes };
      parentPort!.postMessage({ type: 'stats', stats });
    } else if (cmd === 'close') {
      for (const ws of sockets) ws.terminate();
      parentPort!.postMessage({ type: 'closed' });
      setTimeout(() => process.exit(0), 50);
    }
  });
}

/** The worker thread holding the WebSocket clients, seen from the main thread. */
class ClientPool {
  private readonly worker: Worker;
  private readonly waiters: ((m: { type: string; stats?: WorkerStats; ms?: number; message?: string }) => void)[] = [];
  readonly ready: Promise<number>;
  constructor(input: WorkerInput) {
    this.worker = new Worker(fileURLToPath(import.meta.url), { workerData: input });
    let failed: (e: Error) => void = () => undefined;
    this.ready = new Promise((resolve, reject) => {
      failed = reject;
      this.worker.on('message', (m: { type: string; ms?: number; message?: string }) => {
        if (m.type === 'ready') resolve(m.ms!);
        else if (m.type === 'error') reject(new Error(`client worker: ${m.message}`));
        else this.waiters.shift()?.(m);
      });
    });
    this.worker.on('error', (e) => failed(e));
  }
  private ask<T>(cmd: string, pick: (m: { stats?: WorkerStats }) => T): Promise<T> {
    return new Promise((resolve) => { this.waiters.push((m) => resolve(pick(m))); this.worker.postMessage(cmd); });
  }
  stats(): Promise<WorkerStats> { return this.ask('stats', (m) => m.stats!); }
  async close(): Promise<void> { await this.ask('close', () => undefined); await this.worker.terminate().catch(() => undefined); }
}

// ---------------------------------------------------------------- measurements -----------

/** utime + stime of a process, in seconds. */
async function cpuSeconds(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;   // fields 14, 15 (USER_HZ = 100 on Linux)
}

async function uptimeLine(): Promise<string> {
  try { return (await run('uptime', [])).stdout.trim(); } catch { return `load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}`; }
}

const pct = (xs: number[], p: number): number | null => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** A control client in the main thread: scan.finished waiters and the status request. */
async function controlClient(url: string): Promise<{ ws: WebSocket; events: () => number; finished(libraryId: number): Promise<void>; status(): Promise<Record<string, unknown>> }> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let events = 0; let nextId = 1;
  const finishWaiters = new Map<number, (() => void)[]>();
  const replies = new Map<number, (r: Record<string, unknown>) => void>();
  let subscribed: () => void = () => undefined;
  const ready = new Promise<void>((r) => { subscribed = r; });
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString('utf8')) as { type: string; id?: number; result?: Record<string, unknown>; event?: { type: string; libraryId: number } };
    if (m.type === 'subscribed') subscribed();
    else if (m.type === 'response') replies.get(m.id!)?.(m.result ?? {});
    else if (m.type === 'event') {
      events++;
      if (m.event?.type === 'scan.finished') { for (const w of finishWaiters.get(m.event.libraryId)?.splice(0) ?? []) w(); }
    }
  });
  await new Promise<void>((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  ws.send(JSON.stringify({ type: 'subscribe', topics: ['items', 'scans'] }));
  await ready;
  return {
    ws, events: () => events,
    finished: (id) => new Promise((r) => { finishWaiters.set(id, [...(finishWaiters.get(id) ?? []), r]); }),
    status: () => new Promise((r) => { const id = nextId++; replies.set(id, r); ws.send(JSON.stringify({ type: 'request', id, method: 'status' })); }),
  };
}

async function idlePhase(ctx: BenchContext): Promise<Metric[]> {
  const files = intOption(ctx, 'idleFiles', 10_000, 10_000);
  const clients = intOption(ctx, 'idleClients', 10);
  const seconds = intOption(ctx, 'idleSeconds', 30, 10);
  ctx.param('idle.files', files); ctx.param('idle.clients', clients); ctx.param('idle.seconds', seconds);
  const tree = await generateTree(ctx.cacheDir, { files, dirs: Math.round(files / 20), names: 'plain' });
  type Avahi = { env: Record<string, string>; browse(t: string): Promise<{ name: string; port: number }[]>; stop(): Promise<void> };
  let avahi: Avahi | undefined; let mdnsNote: string;
  try {
    const mod = await import(new URL('../test/servers/avahi.js', import.meta.url).href) as { startAvahi(): Promise<Avahi> };
    avahi = await mod.startAvahi();
    mdnsNote = 'mDNS on (private Avahi)';
  } catch (err) { mdnsNote = `mDNS off: no private Avahi (${(err as Error).message.split('\n')[0]})`; }
  const name = `Alcove Bench ${randomBytes(3).toString('hex')}`;
  const env = { ...(avahi?.env ?? {}), ALCOVE_MDNS: avahi ? 'true' : 'false', ALCOVE_NAME: name, ALCOVE_SCAN_WATCH: 'true' };
  let d: RunningDaemon | undefined; let pool: ClientPool | undefined;
  try {
    d = await startDaemon(ctx.repoRoot, { stateDir: join(ctx.tmpDir, 'idle-state'), libraries: [{ name: 'Idle', path: tree.root }], env });
    await d.waitForRecord((r) => r.msg === 'scan finished' && Number(r.added ?? 0) > 0, 300_000);
    if (avahi) {
      const found = await waitFor(async () => (await avahi!.browse('_alcove._tcp')).find((s) => s.name === name), 15_000);
      mdnsNote = found?.port === d.port ? 'mDNS on: _alcove._tcp and _http._tcp announced (private Avahi, avahi-browse resolved it)' : 'mDNS on but avahi-browse did not resolve the service';
    }
    // After the scan come post-scan jobs (duplicate detection hashes every same-size file:
    // here all 10,000 are 13 bytes). Idle means after them: wait until 3 s pass at < 2% CPU.
    const tq = performance.now();
    await d.waitForRecord((r) => r.msg === 'duplicate detection finished' || r.msg === 'duplicate detection failed', 300_000).catch(() => undefined);
    for (let c0 = await cpuSeconds(d.proc.pid); performance.now() - tq < 300_000;) {
      await sleep(3000);
      const c1 = await cpuSeconds(d.proc.pid);
      if ((c1 - c0) / 3 < 0.02) break;
      c0 = c1;
    }
    ctx.log(`idle: post-scan work done ${((performance.now() - tq) / 1000).toFixed(1)} s after the scan`);
    const token = await loginToken(d.baseUrl);
    pool = new ClientPool({ url: `ws://127.0.0.1:${d.port}/ws?token=${encodeURIComponent(token)}`, clients, topics: ALL_TOPICS, slow: false });
    await pool.ready;
    await sleep(5000);
    const cpu0 = await cpuSeconds(d.proc.pid); const t0 = performance.now();
    const rss: number[] = [];
    while (performance.now() - t0 < seconds * 1000) { rss.push(await rssBytes(d.proc.pid)); await sleep(1000); }
    const cpu = ((await cpuSeconds(d.proc.pid)) - cpu0) / ((performance.now() - t0) / 1000) * 100;
    const split = await rssBreakdown(d.proc.pid);
    const st = await pool.stats();
    ctx.param('idle.framesToOneClient', st.types);
    ctx.log(`idle frames (client 0): ${JSON.stringify(st.types)}`);
    ctx.log(`idle: RSS ${(split.total / MiB).toFixed(1)} MiB, CPU ${cpu.toFixed(2)}%, ${st.events} events to ${st.open} clients; ${mdnsNote}`);
    return [
      metric({ name: 'idle RSS (10k files, WS clients, mDNS)', unit: 'MiB', value: split.total / MiB, better: 'lower', note: `${files} files indexed, ${clients} WS clients on all topics, ${mdnsNote}; anon ${(split.anon / MiB).toFixed(0)} MiB, file-backed ${(split.file / MiB).toFixed(0)} MiB; max over ${seconds} s ${(Math.max(...rss) / MiB).toFixed(1)} MiB` }),
      metric({ name: 'idle CPU (utime+stime)', unit: '% of 1 core', value: cpu, better: 'lower', note: `over ${seconds} s, 5 s after the clients subscribed (and after the post-scan duplicate detection settled); ${st.events} frames reached the clients meanwhile` }),
    ];
  } finally {
    await pool?.close();
    await d?.stop();
    await avahi?.stop();
  }
}

async function waitFor<T>(check: () => Promise<T | undefined>, ms: number): Promise<T | undefined> {
  const end = performance.now() + ms;
  while (performance.now() < end) { const v = await check().catch(() => undefined); if (v !== undefined) return v; await sleep(250); }
  return undefined;
}

async function fanoutPhase(ctx: BenchContext): Promise<Metric[]> {
  const clients = intOption(ctx, 'fanClients', 1000, 1000);
  const libs = intOption(ctx, 'fanLibs', 8, 4);
  // 1,000 = the scanner's batch size: every items.changed event carries a full batch of ids.
  const perLib = intOption(ctx, 'fanFiles', 1000, 1000);
  // Files touched per rescan in the measured window (small events: many per second); after
  // the window every file is touched (full 1,000-id batches) to fill the stalled client fast.
  let touch = Math.min(perLib, intOption(ctx, 'fanTouch', 100, 100));
  const seconds = intOption(ctx, 'fanSeconds', 20, 8);
  ctx.param('fan.clients', clients); ctx.param('fan.libraries', libs); ctx.param('fan.filesPerLibrary', perLib); const windowTouch = touch;
  ctx.param('fan.seconds', seconds); ctx.param('fan.touchedPerRescan', windowTouch);
  const libDirs: { name: string; path: string; files: string[] }[] = [];
  for (let l = 0; l < libs; l++) {
    const dir = join(ctx.tmpDir, 'fan', `lib${l}`); await mkdir(dir, { recursive: true });
    const files = Array.from({ length: perLib }, (_, i) => join(dir, `doc-${String(i).padStart(5, '0')}.txt`));
    for (const f of files) await writeFile(f, 'x');
    libDirs.push({ name: `Fan${l}`, path: dir, files });
  }
  let d: RunningDaemon | undefined; let pool: ClientPool | undefined; let ctl: Awaited<ReturnType<typeof controlClient>> | undefined;
  try {
    d = await startDaemon(ctx.repoRoot, { stateDir: join(ctx.tmpDir, 'fan-state'), libraries: libDirs.map(({ name, path }) => ({ name, path })), env: { ALCOVE_SCAN_WATCH: 'false', ALCOVE_MDNS: 'false' } });
    const token = await loginToken(d.baseUrl);
    const list = await (await fetch(`${d.baseUrl}/api/libraries`, { headers: { authorization: `Bearer ${token}` } })).json() as { id: string; numericId: number; name: string }[];
    await waitFor(async () => (d!.records().filter((r) => r.msg === 'scan finished').length >= libs ? true : undefined), 120_000);
    const url = `ws://127.0.0.1:${d.port}/ws?token=${encodeURIComponent(token)}`;
    ctl = await controlClient(url);
    pool = new ClientPool({ url, clients, topics: ['items', 'scans'], slow: true });
    const openMs = await pool.ready;
    ctx.log(`fan-out: ${clients} clients subscribed in ${openMs.toFixed(0)} ms`);
    await sleep(1000);
    const wsBefore = Number((await ctl.status()).websocketClients);
    const connected = await rssBreakdown(d.proc.pid);
    const s0 = await pool.stats(); const e0 = ctl.events(); const cpu0 = await cpuSeconds(d.proc.pid);
    const t0 = performance.now(); const until = t0 + seconds * 1000;
    const maxExtra = intOption(ctx, 'slowWaitSeconds', 120, 60);
    const rss: number[] = []; let peak = { total: 0, anon: 0, file: 0, shmem: 0 }; let droppedAt: number | undefined; let eventsAtDrop = 0; let rounds = 0; let stop = false;
    const sampler = (async () => {
      while (!stop) {
        const r = await rssBreakdown(d!.proc.pid);
        rss.push(r.total);
        if (r.total >= peak.total) peak = r;
        if (droppedAt === undefined && Number((await ctl!.status()).websocketClients) < wsBefore) { droppedAt = performance.now() - t0; eventsAtDrop = (await pool!.stats()).events; }
        await sleep(500);
      }
    })();
    const churn = async (lib: { id: string; numericId: number; files: string[] }): Promise<void> => {
      while (!stop) {
        const t = new Date();
        await Promise.all(lib.files.slice(0, touch).map((f) => utimes(f, t, t)));
        const done = ctl!.finished(lib.numericId);
        const r = await fetch(`${d!.baseUrl}/api/libraries/${lib.id}/scan?full=true`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
        await r.arrayBuffer();
        await done; rounds++;
      }
    };
    const churning = Promise.all(libDirs.map((ld) => { const l = list.find((x) => x.name === ld.name)!; return churn({ id: l.id, numericId: l.numericId, files: ld.files }); }));
    await sleep(Math.max(0, until - performance.now()));
    const s1 = await pool.stats(); const e1 = ctl.events(); const t1 = performance.now(); const rounds1 = rounds;
    const cpu = ((await cpuSeconds(d.proc.pid)) - cpu0) / ((t1 - t0) / 1000) * 100;
    // The stalled client needs a few MiB of events queued (kernel buffers, then uWS's 1 MiB):
    // keep churning, unmeasured, until the daemon drops it (or give up after maxExtra s).
    touch = perLib;
    const extraUntil = performance.now() + maxExtra * 1000;
    while (droppedAt === undefined && performance.now() < extraUntil) await sleep(250);
    const afterDrop = performance.now(); const eventsAfterDrop0 = (await pool.stats()).events;
    if (droppedAt !== undefined) await sleep(3000);   // the others keep receiving after the drop
    stop = true;
    await churning; await sampler;
    const eEnd = ctl.events();
    // Drain: wait until every client has every published event (or 30 s).
    let s2 = await pool.stats();
    for (let i = 0; i < 60 && s2.min < eEnd; i++) { await sleep(500); s2 = await pool.stats(); }
    const afterDropDelivered = s2.events - eventsAfterDrop0; const afterDropS = (performance.now() - afterDrop) / 1000;
    const wsAfter = Number((await ctl.status()).websocketClients);
    const spreads = [s0, s1, s2].flatMap((s) => s.spreadsMs);
    const secs = (t1 - t0) / 1000;
    const published = e1 - e0; const delivered = s1.events - s0.events;
    const slowDropped = wsAfter === wsBefore - 1;
    ctx.log(`fan-out: ${rounds1} scans in the window (${rounds} in all), ${published} events published, ${delivered} delivered in ${secs.toFixed(1)} s; ws ${wsBefore} -> ${wsAfter}; slow client got ${(s2.slowBytes / 1024).toFixed(0)} KiB before stalling; drop at ${droppedAt?.toFixed(0)} ms`);
    const slowNote = slowDropped
      ? `dropped ${(droppedAt! / 1000).toFixed(1)} s into the churn (${eventsAtDrop - s0.events} deliveries by then, ${s2.slowBytes} bytes read before it stalled); the ${clients} others received ${afterDropDelivered} more in the ${afterDropS.toFixed(1)} s after, and each got all ${eEnd} events: ${s2.min === eEnd && s2.max === eEnd}`
      : `NOT dropped (ws clients ${wsBefore} -> ${wsAfter})`;
    return [
      metric({ name: 'fan-out: events published', unit: 'events/s', value: published / secs, note: `${rounds1} full rescans of ${libs} libraries of ${perLib} files, ${windowTouch} touched per rescan, in ${secs.toFixed(1)} s (items + scans topics)` }),
      metric({ name: `fan-out: messages delivered, ${clients} clients`, unit: 'msgs/s', value: delivered / secs, note: `${delivered} messages, ${((s1.bytes - s0.bytes) / MiB / secs).toFixed(1)} MiB/s; ${(delivered / Math.max(1, published * clients) * 100).toFixed(1)}% in the window, every client had every event after the drain: ${s2.min === eEnd && s2.max === eEnd}` }),
      metric({ name: 'fan-out spread (first to last client), p50', unit: 'ms', value: pct(spreads, 50), better: 'lower', note: `p99 ${pct(spreads, 99)?.toFixed(1)} ms over ${spreads.length} events, as seen by one client process` }),
      metric({ name: 'daemon RSS during fan-out, peak', unit: 'MiB', value: Math.max(...rss) / MiB, better: 'lower', note: `over the window and the churn until the stalled client was dropped (anon ${(peak.anon / MiB).toFixed(0)} MiB, file-backed ${(peak.file / MiB).toFixed(0)} MiB at the peak); mean ${(rss.reduce((a, b) => a + b, 0) / rss.length / MiB).toFixed(1)} MiB; before the churn, ${clients} clients connected: ${(connected.total / MiB).toFixed(0)} MiB (anon ${(connected.anon / MiB).toFixed(0)}); daemon CPU ${cpu.toFixed(0)}% of 1 core` }),
      metric({ name: 'stalled client dropped (>1 MiB behind)', unit: 'bool', value: slowDropped ? 1 : 0, note: slowNote }),
    ];
  } finally {
    await pool?.close();
    ctl?.ws.terminate();
    await d?.stop();
  }
}

async function packagePhase(ctx: BenchContext): Promise<Metric[]> {
  const out: Metric[] = [];
  const kinds = [{ name: '.deb package', script: 'packaging/deb/build.sh' }, { name: '.spk package (Synology)', script: 'packaging/synology/build.sh' }];
  for (const k of kinds) {
    const script = join(ctx.repoRoot, k.script);
    if (!(await stat(script).catch(() => undefined))) { out.push(metric({ name: k.name, unit: 'MiB', value: null, better: 'lower', note: `${k.script} not present` })); continue; }
    const dir = join(ctx.tmpDir, 'packages'); await mkdir(dir, { recursive: true });
    try {
      const r = await run('bash', [script], { cwd: ctx.repoRoot, timeoutMs: 600_000, env: { ...process.env, ALCOVE_PKG_SKIP_BUILD: '1', ALCOVE_PKG_OUT: dir } });
      const file = r.stdout.trim().split('\n').pop()!;
      const size = (await stat(file)).size;
      let installed = '';
      if (file.endsWith('.deb')) installed = `, Installed-Size ${(Number((await run('dpkg-deb', ['-f', file, 'Installed-Size'])).stdout.trim()) / 1024).toFixed(0)} MiB`;
      ctx.log(`${k.name}: ${file} ${(size / MiB).toFixed(1)} MiB in ${(r.ms / 1000).toFixed(0)} s`);
      out.push(metric({ name: k.name, unit: 'MiB', value: size / MiB, better: 'lower', note: `${file.split('/').pop()}${installed}; built in ${(r.ms / 1000).toFixed(0)} s` }));
    } catch (err) {
      out.push(metric({ name: k.name, unit: 'MiB', value: null, better: 'lower', note: `build failed: ${(err as Error).message.split('\n').slice(-2).join(' ').slice(0, 200)}` }));
    }
  }
  return out;
}

export const bench: Bench = {
  name: 'appliance',
  title: 'Appliance: idle RSS/CPU with WS clients and mDNS; WebSocket fan-out to 1,000 clients; package sizes',
  async run(ctx) {
    const phases = (ctx.options.phases ?? 'idle,fanout,packages').split(',');
    const metrics: Metric[] = [];
    for (const [name, fn] of [['idle', idlePhase], ['fanout', fanoutPhase], ['packages', packagePhase]] as const) {
      if (!phases.includes(name)) continue;
      const before = await uptimeLine();
      metrics.push(...await fn(ctx));
      ctx.param(`${name}.uptime`, { before, after: await uptimeLine() });
    }
    return metrics;
  },
};

async function main(): Promise<void> {
  const repoRoot = findRepoRoot();
  const argv = process.argv.slice(2);
  const options: Record<string, string> = {};
  argv.forEach((a, i) => { if (a === '--set') { const [k, ...v] = (argv[i + 1] ?? '').split('='); options[k!] = v.join('='); } });
  const tmp = await mkdtemp(join(tmpdir(), 'alcove-bench-appliance-'));
  const params: Record<string, unknown> = {};
  const startedAt = new Date().toISOString(); const load0 = loadavg()[0]; const t0 = performance.now();
  const onSignal = (): void => { void stopAll().finally(() => process.exit(130)); };
  process.once('SIGINT', onSignal); process.once('SIGTERM', onSignal);
  try {
    const metrics = await bench.run({
      quick: argv.includes('--quick'), repoRoot, tmpDir: tmp, cacheDir: defaultCacheRoot(), options,
      log: (m) => process.stderr.write(`[appliance] ${m}\n`), param: (k, v) => { params[k] = v; },
    });
    const outcome = { bench: bench.name, title: bench.title, durationMs: performance.now() - t0, metrics, params };
    const cpuModel = /^model name\s*:\s*(.+)$/m.exec(await readFile('/proc/cpuinfo', 'utf8').catch(() => ''))?.[1] ?? cpus()[0]?.model ?? 'unknown';
    const report: RunReport = {
      startedAt, finishedAt: new Date().toISOString(), quick: argv.includes('--quick'),
      machine: { nproc: cpus().length, cpuModel, memTotalBytes: totalmem(), node: process.version, kernel: release(), loadAvgStart: load0, loadAvgEnd: loadavg()[0] },
      results: [outcome],
    };
    const out = join(repoRoot, 'bench', 'results', 'appliance.json');
    await mkdir(join(repoRoot, 'bench', 'results'), { recursive: true });
    await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${formatTable([outcome])}\n\nwritten ${out}\n`);
  } finally {
    await stopAll();
    await rm(tmp, { recursive: true, force: true });
  }
}

if (!isMainThread) clientWorker(workerData as WorkerInput);
else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
