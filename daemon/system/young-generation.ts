/**
 * Caps V8's young generation (new space) at 8 MB for the daemon's lifetime. Imported first
 * by main.ts, for its side effect, before any other module is parsed; main.ts calls
 * `allowYoungGenerationGrowth` once the module graph has loaded.
 *
 * Why: V8 doubles the new space whenever many objects survive a scavenge, up to 16 MB per
 * semi-space (32 MB resident), and on Node 20 (V8 11.3) it never gives it back: neither
 * the full GC of system/heap-compact.ts, nor the memory reducer after 30 s idle, shrinks it.
 * A 100,000-file scan grows it to the maximum, so an idle daemon kept ~30 MB of empty
 * young-generation pages (measured: new_space 32.0 MB committed holding 0.1 MB).
 *
 * How: `--max-semi-space-size` is read once when the heap is set up, so it would have to be
 * a command-line flag in every launcher. `--semi-space-growth-factor` is read at each growth
 * decision, so it can be changed at run time: 1 (no growth) while modules load (parsing a
 * static import graph alone grew the new space to 16 MB), V8's 2 afterwards, and 1 again
 * once a GC finds the new space at the cap. Measured, same run: with no growth at all
 * (2 MB) the daemon's 100,000-file walk took 4.9-5.4 s against 3.3-3.9 s; with the 8 MB
 * cap 2.8-3.0 s, and idle RSS after indexing was 112-118 MB against 147-152 (new space
 * 1-8 MB instead of 32). ALCOVE_YOUNG_GENERATION_GROWTH=default leaves V8's policy.
 */
import { setFlagsFromString, getHeapSpaceStatistics } from 'node:v8';
import { PerformanceObserver } from 'node:perf_hooks';

const CAP_BYTES = 8 * 1024 * 1024;
const enabled = process.env.ALCOVE_YOUNG_GENERATION_GROWTH !== 'default';

function setGrowth(factor: number): boolean {
  try {
    setFlagsFromString(`--semi-space-growth-factor=${factor}`);
    return true;
  } catch {
    return false; // a V8 without the flag: its default growth policy stays
  }
}

if (enabled) setGrowth(1);

/** Lets the new space grow again, up to CAP_BYTES (then growth stops for good). */
export function allowYoungGenerationGrowth(): void {
  if (!enabled || newSpaceBytes() >= CAP_BYTES || !setGrowth(2)) return;
  const observer = new PerformanceObserver(() => {
    if (newSpaceBytes() < CAP_BYTES) return;
    setGrowth(1);
    observer.disconnect();
  });
  observer.observe({ entryTypes: ['gc'] });
}

function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}
