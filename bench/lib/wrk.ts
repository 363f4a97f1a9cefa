/**
 * wrk runner and output parser. `parseWrk` reads wrk 4.x text output (with --latency):
 * requests/s, transfer/s, latency percentiles, error counts. Units are converted to
 * milliseconds and bytes (wrk's KB/MB/GB are powers of 1024).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './proc.js';

export interface WrkResult {
  requests: number;
  seconds: number;
  requestsPerSec: number;
  bytesPerSec: number;
  latencyMs: { avg: number | null; p50: number | null; p75: number | null; p90: number | null; p99: number | null; max: number | null };
  /** connect/read/write/timeout socket errors. */
  socketErrors: number;
  /** Responses that were not 2xx or 3xx. */
  non2xx: number;
  raw: string;
}

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

export function parseDuration(text: string): number | null {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  return m ? Number(m[1]) * TIME_UNITS[m[2]!]! : null;
}

export function parseSize(text: string): number | null {
  const m = /^([\d.]+)(B|KB|MB|GB|TB)$/.exec(text.trim());
  return m ? Number(m[1]) * SIZE_UNITS[m[2]!]! : null;
}

export function parseWrk(raw: string): WrkResult {
  const num = (re: RegExp): number | null => { const m = re.exec(raw); return m ? Number(m[1]) : null; };
  const pct = (p: string): number | null => {
    const m = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(raw);
    return m ? parseDuration(m[1]!) : null;
  };
  const lat = /^\s+Latency\s+(\S+)\s+\S+\s+(\S+)/m.exec(raw);
  const done = /(\d+) requests in ([\d.]+)(us|ms|s|m|h)/.exec(raw);
  const transfer = /^Transfer\/sec:\s+(\S+)/m.exec(raw);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(raw);
  const rps = num(/^Requests\/sec:\s+([\d.]+)/m);
  if (rps === null || !done) throw new Error(`cannot parse wrk output:\n${raw}`);
  return {
    requests: Number(done[1]),
    seconds: (parseDuration(`${done[2]}${done[3]}`) ?? 0) / 1000,
    requestsPerSec: rps,
    bytesPerSec: transfer ? parseSize(transfer[1]!) ?? 0 : 0,
    latencyMs: {
      avg: lat ? parseDuration(lat[1]!) : null, max: lat ? parseDuration(lat[2]!) : null,
      p50: pct('50'), p75: pct('75'), p90: pct('90'), p99: pct('99'),
    },
    socketErrors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    non2xx: num(/Non-2xx or 3xx responses:\s+(\d+)/) ?? 0,
    raw,
  };
}

export interface WrkOptions {
  connections: number;
  durationS: number;
  threads?: number;
  headers?: Record<string, string>;
  /** Lua script source (written to a temp file under `scratchDir`). */
  lua?: string;
  scratchDir?: string;
  timeoutS?: number;
}

/** Run wrk against `url` and parse its output. */
export async function runWrk(url: string, o: WrkOptions): Promise<WrkResult> {
  const args = ['-c', String(o.connections), '-d', `${o.durationS}s`, '-t', String(o.threads ?? Math.min(2, o.connections)), '--latency'];
  if (o.timeoutS) args.push('--timeout', `${o.timeoutS}s`);
  for (const [k, v] of Object.entries(o.headers ?? {})) args.push('-H', `${k}: ${v}`);
  if (o.lua) {
    const path = join(o.scratchDir ?? '/tmp', `wrk-${process.pid}-${Date.now()}.lua`);
    await writeFile(path, o.lua);
    args.push('-s', path);
  }
  args.push(url);
  const { stdout } = await run('wrk', args, { timeoutMs: (o.durationS + 30) * 1000 });
  return parseWrk(stdout);
}

/**
 * A wrk Lua script sending GETs with random `Range: bytes=a-b` headers of `rangeBytes`
 * each, inside a file of `fileBytes` (seeded, so both servers see the same sequence).
 */
export function rangeLua(fileBytes: number, rangeBytes: number, extraHeaders: Record<string, string> = {}): string {
  const hdrs = Object.entries(extraHeaders).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`).join('\n');
  return `${hdrs}
local counter = 0
function setup(thread) counter = counter + 1; thread:set("seed", counter) end
function init(args) math.randomseed(seed or 1) end
request = function()
  local last = ${fileBytes - rangeBytes}
  local first = math.floor(math.random() * last)
  wrk.headers["Range"] = "bytes=" .. first .. "-" .. (first + ${rangeBytes - 1})
  return wrk.format("GET", wrk.path)
end
`;
}
