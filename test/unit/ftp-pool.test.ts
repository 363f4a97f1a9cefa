/**
 * The FTP connection pool with fake connections. Defect it answers: basic-ftp's Client
 * runs one command at a time and closes itself when a second call overlaps, so every
 * caller must own its connection while it works; the pool bounds how many exist.
 */
import t from 'tap';
import { ConnectionPool } from '../../storage-adapters/ftp/ftp-pool.js';

class FakeConn {
  static next = 0;
  readonly id = ++FakeConn.next;
  closed = false;
  busy = false;
  close(): void {
    this.closed = true;
  }
}

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

t.test('never more than `size` connections; each used by one caller at a time; FIFO waiters', async (t) => {
  let opened = 0;
  const sut = new ConnectionPool(async () => {
    opened++;
    await tick(2);
    return new FakeConn();
  }, 3);
  let overlap = 0;
  let peak = 0;
  let live = 0;
  const order: number[] = [];
  await Promise.all(Array.from({ length: 20 }, (_, i) => sut.use(async (c) => {
    if (c.busy) overlap++;
    c.busy = true;
    live++;
    peak = Math.max(peak, live);
    await tick(1);
    order.push(i);
    live--;
    c.busy = false;
  })));
  t.equal(overlap, 0, 'no connection was ever used by two callers at once');
  t.equal(peak, 3, 'three in flight at most');
  t.equal(opened, 3, 'only three connections opened for 20 calls');
  t.same(order.slice(3), [...order.slice(3)].sort((a, b) => a - b), 'waiters served in arrival order');
  t.same(sut.stats(), { opened: 3, replaced: 0, discarded: 0, idle: 3, total: 3, waiting: 0 }, 'all back in the pool');
  sut.close();
});

t.test('a connection closed by a failure (timeout, reset) is not reused: the next call reconnects', async (t) => {
  const sut = new ConnectionPool(async () => new FakeConn(), 2);
  const first = await sut.acquire();
  first.close(); // what basic-ftp does after a timeout
  sut.release(first);
  const second = await sut.acquire();
  t.not(second, first, 'a fresh connection');
  sut.release(second);
  second.close(); // the server hung up while idle
  const third = await sut.acquire();
  t.ok(third !== second && !third.closed, 'idle connection that died is skipped');
  t.equal(sut.stats().discarded, 2);
  sut.close();
});

t.test('replace() drops a connection and opens its successor in the background', async (t) => {
  const sut = new ConnectionPool(async () => new FakeConn(), 1);
  const c = await sut.acquire();
  sut.replace(c);
  t.ok(c.closed, 'old connection closed (ends the RETR without reading to EOF)');
  await tick(1);
  t.same({ idle: sut.stats().idle, replaced: sut.stats().replaced }, { idle: 1, replaced: 1 }, 'successor ready before anyone asks');
  const next = await sut.acquire();
  t.not(next, c);
  sut.close();
});

t.test('a failed connect rejects its caller only and frees the slot; aborted waits leave the queue', async (t) => {
  let fail = true;
  const sut = new ConnectionPool(async () => {
    if (fail) throw new Error('ECONNREFUSED');
    return new FakeConn();
  }, 1);
  await t.rejects(sut.acquire(), /ECONNREFUSED/, 'connect error reaches the caller');
  fail = false;
  const c = await sut.acquire();
  t.ok(c, 'slot was freed: the next caller connects');
  const ac = new AbortController();
  const waiting = sut.acquire(ac.signal);
  t.equal(sut.stats().waiting, 1);
  ac.abort();
  await t.rejects(waiting, { name: 'AbortError' }, 'aborted wait rejects');
  t.equal(sut.stats().waiting, 0, 'and leaves the queue');
  const third = sut.acquire();
  sut.discard(c);
  t.ok(await third, 'discard wakes a waiter with a new connection');
  sut.close();
  await t.rejects(sut.acquire(), /closed/, 'closed pool refuses');
});
