/**
 * compactHeap: one memory-reducing full GC, for the moment a burst of work (a scan, the
 * duplicate pass after it) has ended and the daemon goes idle.
 *
 * Why: V8 grows its heap during such a burst (a 100,000-file scan and duplicate pass left
 * ~150 MB of old-space pages holding ~30 MB of live objects) and gives the pages back only
 * when its memory reducer happens to run, seconds to minutes later, or never when no
 * allocation triggers it. On a 1-2 GB NAS that is memory the rest of the box wants.
 * A plain full `gc()` compacts and shrinks the heap; V8 unmaps the freed pages within a
 * second (measured on Node 20: heapTotal 108 -> 36 MB, RSS 151 -> 80 MB). The option form
 * gc({ type: 'major', ... }) did not do a full collection on Node 20's V8 11.3, so it is
 * not used. It costs tens of milliseconds, once per burst (the caller is
 * index/map-release.ts, which runs after writes have been quiet for a few seconds).
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

/** Run a memory-reducing full GC now; false when no gc function is available. */
export function compactHeap(): boolean {
  const gc = gcFunction();
  if (!gc) return false;
  gc();
  return true;
}
