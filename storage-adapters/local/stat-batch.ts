/**
 * lstat of many paths with a bounded number in flight, on the callback API.
 * Measured on Node 20 (2,000 files, warm cache): fs/promises lstat with 32 in flight took
 * 90-170 ms, the callback API with 32 in flight 15 ms - the per-call promise machinery,
 * not the disk, dominated. list() of large folders is a hot path for scans.
 */
import { lstat, type Stats } from 'node:fs';

/** One result per path, in order; undefined where lstat failed (e.g. the entry vanished). */
export function lstatBatch(paths: readonly string[], limit: number): Promise<Array<Stats | undefined>> {
  return new Promise((resolve) => {
    const out = new Array<Stats | undefined>(paths.length);
    if (paths.length === 0) return resolve(out);
    let next = 0;
    let done = 0;
    const launch = (): void => {
      const i = next++;
      lstat(paths[i] as string, (err, st) => {
        out[i] = err ? undefined : st;
        if (++done === paths.length) resolve(out);
        else if (next < paths.length) launch();
      });
    };
    for (let k = 0; k < Math.min(limit, paths.length); k++) launch();
  });
}
