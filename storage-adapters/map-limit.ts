/**
 * Bounded-parallel map: runs `fn` over `items` with at most `limit` calls in flight and
 * returns results in input order. Used where one await per entry in series would be
 * slow (stat of every entry of a large folder) but unbounded parallelism would flood
 * the libuv pool or a remote server.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      signal?.throwIfAborted();
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  const workers: Promise<void>[] = [];
  for (let w = 0; w < Math.min(limit, items.length); w++) workers.push(worker());
  await Promise.all(workers);
  return results;
}
