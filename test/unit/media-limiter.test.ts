import t from 'tap';
import { createLimiter } from '../../daemon/jobs/limiter.js';

/** A task whose completion the test controls. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

t.test('never runs more than `concurrency` tasks at once', async (t) => {
  const sut = createLimiter(2);
  let running = 0;
  let peak = 0;
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => sut.run(async () => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 5));
    running--;
    return i * 2;
  })));
  t.equal(peak, 2);
  t.same(results, Array.from({ length: 10 }, (_, i) => i * 2));
  t.equal(sut.active, 0);
  t.equal(sut.pending, 0);
});

t.test('reports pending and active, and propagates errors', async (t) => {
  const sut = createLimiter(1);
  const gate = deferred();
  const first = sut.run(() => gate.promise);
  const second = sut.run(async () => { throw new Error('boom'); });
  await tick();
  t.equal(sut.active, 1);
  t.equal(sut.pending, 1);
  gate.resolve();
  await first;
  await t.rejects(second, /boom/);
  t.equal(sut.active, 0);
});

t.test('a synchronous throw in the task rejects and frees the slot', async (t) => {
  const sut = createLimiter(1);
  await t.rejects(sut.run(() => { throw new Error('sync'); }), /sync/);
  t.equal(await sut.run(async () => 'next'), 'next');
});

t.test('higher priority runs first, FIFO within a priority', async (t) => {
  const sut = createLimiter(1);
  const gate = deferred();
  const order: string[] = [];
  const blocker = sut.run(() => gate.promise);
  const tasks = [
    sut.run(async () => { order.push('low-1'); }, { priority: 0 }),
    sut.run(async () => { order.push('high-1'); }, { priority: 5 }),
    sut.run(async () => { order.push('low-2'); }, { priority: 0 }),
    sut.run(async () => { order.push('high-2'); }, { priority: 5 }),
    sut.run(async () => { order.push('mid'); }, { priority: 1 }),
  ];
  gate.resolve();
  await Promise.all([blocker, ...tasks]);
  t.same(order, ['high-1', 'high-2', 'mid', 'low-1', 'low-2']);
});

t.test('aborting a queued task rejects it without running it', async (t) => {
  const sut = createLimiter(1);
  const gate = deferred();
  const blocker = sut.run(() => gate.promise);
  const ac = new AbortController();
  let ran = false;
  const queued = sut.run(async () => { ran = true; }, { signal: ac.signal });
  await tick();
  t.equal(sut.pending, 1);
  ac.abort();
  await t.rejects(queued, { name: 'AbortError' });
  t.equal(sut.pending, 0);
  gate.resolve();
  await blocker;
  await tick();
  t.equal(ran, false);
});

t.test('an already-aborted signal rejects at once with its reason', async (t) => {
  const sut = createLimiter(1);
  let ran = false;
  await t.rejects(sut.run(async () => { ran = true; }, { signal: AbortSignal.abort(new Error('gone')) }), /gone/);
  t.equal(ran, false);
});

t.test('a running task receives the signal; aborting it does not free the slot early', async (t) => {
  const sut = createLimiter(1);
  const ac = new AbortController();
  let seen: AbortSignal | undefined;
  const gate = deferred();
  const running = sut.run(async (signal) => { seen = signal; await gate.promise; return 'done'; }, { signal: ac.signal });
  await tick();
  ac.abort();
  t.equal(seen, ac.signal);
  t.equal(sut.active, 1, 'still active until the task settles');
  gate.resolve();
  t.equal(await running, 'done');
  t.equal(sut.active, 0);
});

t.test('setConcurrency raises and lowers the limit live', async (t) => {
  const sut = createLimiter(1);
  const gates = Array.from({ length: 4 }, () => deferred());
  let running = 0;
  let peak = 0;
  const tasks = gates.map((g) => sut.run(async () => {
    running++;
    peak = Math.max(peak, running);
    await g.promise;
    running--;
  }));
  await tick();
  t.equal(sut.active, 1);
  sut.setConcurrency(3);
  await tick();
  t.equal(sut.active, 3, 'raising starts queued tasks');
  sut.setConcurrency(1);
  t.equal(sut.concurrency, 1);
  gates[0].resolve();
  gates[1].resolve();
  await tick();
  await tick();
  t.equal(sut.active, 1, 'lowering lets running finish, starts none until below the limit');
  gates[2].resolve();
  gates[3].resolve();
  await Promise.all(tasks);
  t.equal(peak, 3);
  t.throws(() => sut.setConcurrency(0), RangeError);
  t.throws(() => createLimiter(1.5), RangeError);
});
