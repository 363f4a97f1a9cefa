/** compactHeap (daemon/system/heap-compact.ts): a full GC through the run-time exposed gc. */
import t from 'tap';
import { compactHeap } from '../../daemon/system/heap-compact.js';

t.test('compactHeap collects garbage a burst left behind', async (t) => {
  let burst: { id: number; name: string }[] | undefined = Array.from({ length: 300_000 }, (_, i) => ({ id: i, name: `item ${i}` }));
  t.equal(burst.length, 300_000);
  const before = process.memoryUsage().heapUsed;
  burst = undefined;
  t.equal(compactHeap(), true, 'a gc function was available');
  const after = process.memoryUsage().heapUsed;
  t.ok(after < before - 10 * 1024 * 1024, `heapUsed ${(before / 1048576).toFixed(0)} -> ${(after / 1048576).toFixed(0)} MB`);
  t.equal(compactHeap(), true, 'a second call works too (the function is kept)');
});
