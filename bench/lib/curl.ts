/**
 * Download throughput with curl (one process per client, output to /dev/null), so the
 * client side costs the same whichever server answers.
 */
import { run } from './proc.js';

export interface Download { bytes: number; seconds: number; status: number }

function curlArgs(url: string, headers: Record<string, string>): string[] {
  const args = ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download} %{time_total}\n'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  args.push(url);
  return args;
}

/** One full download. */
export async function curlDownload(url: string, headers: Record<string, string> = {}): Promise<Download> {
  const { stdout } = await run('curl', curlArgs(url, headers), { timeoutMs: 300_000 });
  const [status, bytes, seconds] = stdout.trim().split(/\s+/).map(Number);
  return { status: status!, bytes: bytes!, seconds: seconds! };
}

/** `clients` downloads at once; aggregate bytes over wall time (first start to last end). */
export async function curlParallel(url: string, clients: number, headers: Record<string, string> = {}): Promise<Download & { statuses: number[] }> {
  const t0 = performance.now();
  const all = await Promise.all(Array.from({ length: clients }, () => curlDownload(url, headers)));
  const seconds = (performance.now() - t0) / 1000;
  return { bytes: all.reduce((a, d) => a + d.bytes, 0), seconds, status: all[0]!.status, statuses: all.map((d) => d.status) };
}
