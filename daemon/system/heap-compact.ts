/**
 * compactHeap: one memory-reducing full GC, for the moment a burst of work (a scan, the
 * duplicate pass after it) has ended and the daemon goes idle.
 *
 * Why: V8 grows its heap during such a burst (a 100,000-file scan and duplicate pass left
 * ~150 MB of old-space pages holding ~30 MB of live objects) and gives the pages back only
 * when its memory reducer happens to run, seconds to minutes later, or never when no
 * allocation triggers it. On a 1-2 GB NAS that is memory the rest of the box wants.
 * A plain full `gc()` frees the dead objects but evacuates only the most fragmented pages:
 * after the 100,000-file scan the daemon's heap stayed at 42 MB committed for 23 MB live
 * until V8's memory reducer ran 8 s later and brought it to 25 MB. So the one GC here runs
 * with `--compact-on-every-full-gc` switched on for its duration, which evacuates every
 * fragmented page at once (measured in the daemon: heapTotal 104 -> 25 MB in one call, the
 * figure the memory reducer reached later; in a synthetic 100 MB heap one compacting GC
 * did what three plain ones did). The option form gc({ type: 'major', ... }) did not do a
 * full collection on Node 20's V8 11.3, so it is not used. It costs tens of milliseconds,
 * once per burst (the caller is index/map-release.ts, which runs after writes have been
 * quiet for a few seconds). What it cannot do is shrink the young generation back to its
 * minimum: V8 does that itself at the next GC that finds the allocation rate low (measured:
 * 8 s after the release, heapTotal 32 -> 25 MB, RSS 100 -> 92 MB).
 *
 * The gc function is taken from V8's --expose-gc extension, enabled here at run time, so no
 * launcher (systemd unit, package wrappers, npm scripts, benchmarks) needs a flag. If it
 * cannot be had, compactHeap does nothing and V8's own memory reducer remains.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFn = () => void;

let gcFn: GcFn | null | undefined;

function gcFunction(): GcFn | null {
  if (gcFn !== undefined) return gcFn;
  const exposed = (globalThis as { gc?: GcFn }).gc;
  if (typeof exposed === 'function') return (gcFn = exposed);
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    gcFn = typeof fn === 'function' ? (fn as GcFn) : null;
  } catch {
    gcFn = null;
  }
  return gcFn;
}

function setCompactEveryFullGc(on: boolean): boolean {
  try {
    setFlagsFromString(on ? '--compact-on-every-full-gc' : '--no-compact-on-every-full-gc');
    return true;
  } catch {
    return false; // a V8 without the flag: the GC below is a plain full one
  }
}

/** Run a compacting full GC now; false when no gc function is available. */
export function compactHeap(): boolean {
  const gc = gcFunction();
  if (!gc) return false;
  const compacting = setCompactEveryFullGc(true);
  try {
    gc();
  } finally {
    if (compacting) setCompactEveryFullGc(false);
  }
  return true;
}
