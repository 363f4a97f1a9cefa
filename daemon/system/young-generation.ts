/**
 * Keeps V8's young generation (new space) at its initial size for the daemon's lifetime.
 * Imported first by main.ts, for its side effect, before any other module loads.
 *
 * Why: V8 doubles the new space whenever many objects survive a scavenge, up to 16 MB per
 * semi-space (32 MB resident), and on Node 20 (V8 11.3) it never gives it back: neither
 * the full GC of system/heap-compact.ts, nor the memory reducer after 30 s idle, shrinks it.
 * A 100,000-file scan grows it to the maximum, so an idle daemon kept ~30 MB of empty
 * young-generation pages (measured: new_space 32.0 MB committed holding 0.1 MB).
 * With the growth factor at 1 the new space stays at 1 MB per semi-space: idle RSS after
 * indexing 100,000 files 143-161 -> 106-112 MB (same run, interleaved), while the scan
 * itself only pays more, cheap, scavenges (in-process scan bench within noise).
 *
 * `--max-semi-space-size` would do the same, but it is read once when the heap is set up,
 * so it would have to be a command-line flag in every launcher; the growth factor is read
 * at each growth decision, so setting it here, at run time, takes effect (verified with
 * v8.getHeapSpaceStatistics: new_space stays at 2 MB through a scan), provided it is set
 * before the module graph is parsed (main.ts imports everything else dynamically).
 * ALCOVE_YOUNG_GENERATION_GROWTH=default leaves V8's own policy (for comparisons).
 */
import { setFlagsFromString } from 'node:v8';

if (process.env.ALCOVE_YOUNG_GENERATION_GROWTH !== 'default') {
  try {
    setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // A V8 without the flag: its default growth policy stays.
  }
}
