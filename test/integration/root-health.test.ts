/**
 * RootHealthService with the real ScanService and LMDB index over the memory adapter
 * (fault injection): an offline location is pinged each round and, once its root answers,
 * rescanned, which marks it online and publishes library.online; online locations and
 * libraries with a scan running are left alone; the timer re-arms; stop() ends it.
 */
import t from 'tap';
import { MemoryAdapter } from '../../storage-adapters/memory/memory.adapter.js';
import { silentLogger } from '../../daemon/log/logger.js';
import { RootHealthService } from '../../daemon/services/storage/root-health.service.js';
import { makeScanEnv, eventsOf } from './scan-harness.js';

function seeded(): MemoryAdapter {
  const adapter = new MemoryAdapter();
  adapter.seed('A/one.mp4', 'one');
  adapter.seed('two.jpg', 'two');
  return adapter;
}

/** A seeded library scanned once, then rescanned while its root is unreachable (marked offline). */
async function libraryGoneOffline(t: Parameters<typeof makeScanEnv>[0]) {
  const adapter = seeded();
  const env = await makeScanEnv(t, { adapter });
  await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  adapter.setOffline(true);
  await env.sut.scanLibrary(env.library.id, { kind: 'incremental', trigger: 'manual' });
  return { adapter, env };
}

/** The memory adapter counting ping() calls. */
function counting(adapter: MemoryAdapter): { pings: () => number } {
  let n = 0;
  const ping = adapter.ping.bind(adapter);
  adapter.ping = async (signal?: AbortSignal) => { n++; return ping(signal); };
  return { pings: () => n };
}

t.test('an offline location comes back after one round once its root answers', async (t) => {
  const adapter = seeded();
  const env = await makeScanEnv(t, { adapter });
  const { pings } = counting(adapter);
  await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  const sut = new RootHealthService({ index: env.index, scanner: env.sut, getAdapter: env.getAdapter, logger: silentLogger(), intervalMs: 60_000 });

  t.same(await sut.checkNow(), { pinged: 0, rescanned: [] }, 'nothing offline: no ping at all');
  adapter.setOffline(true);
  await env.sut.scanLibrary(env.library.id, { kind: 'incremental', trigger: 'manual' });
  const before = pings();
  t.equal(env.lib().locations[0].online, false, 'the scan marked the location offline');
  t.equal(eventsOf(env.seen, 'library.offline').length, 1);

  t.same(await sut.checkNow(), { pinged: 1, rescanned: [] }, 'still unreachable: pinged, not rescanned');
  t.equal(pings(), before + 1);
  t.equal(env.lib().locations[0].online, false);

  adapter.setOffline(false);
  t.same(await sut.checkNow(), { pinged: 1, rescanned: [env.library.id] }, 'answers: rescanned');
  t.equal(env.lib().locations[0].online, true, 'online again');
  t.notOk(env.lib().locations[0].lastError, 'lastError cleared');
  const online = eventsOf(env.seen, 'library.online');
  t.equal(online.length, 1, 'library.online published once');
  t.match(online[0], { libraryId: env.library.id, locationId: env.lib().locations[0].id });
  t.equal(env.tree().size, 3, 'items kept throughout (A, A/one.mp4, two.jpg)');
  t.same(await sut.checkNow(), { pinged: 0, rescanned: [] }, 'online again: no more pings');
});

t.test('a library whose scan is running is left to that scan', async (t) => {
  const { adapter, env } = await libraryGoneOffline(t);
  adapter.setOffline(false);
  let scanCalls = 0;
  const scanner = {
    scanLibrary: (id: number, request: Parameters<typeof env.sut.scanLibrary>[1]) => { scanCalls++; return env.sut.scanLibrary(id, request); },
    runningScan: () => Promise.resolve(undefined as never),
  };
  const sut = new RootHealthService({ index: env.index, scanner, getAdapter: env.getAdapter, logger: silentLogger(), intervalMs: 60_000 });
  t.same(await sut.checkNow(), { pinged: 1, rescanned: [] });
  t.equal(scanCalls, 0, 'no second scan started');
});

t.test('the timer re-arms after each round; stop() ends it', async (t) => {
  const { adapter, env } = await libraryGoneOffline(t);
  const { pings } = counting(adapter);
  const sut = new RootHealthService({ index: env.index, scanner: env.sut, getAdapter: env.getAdapter, logger: silentLogger(), intervalMs: 40 });
  sut.start();
  const until = Date.now() + 5000;
  while (pings() < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  t.ok(pings() >= 3, `pinged every round while offline (${pings()})`);
  adapter.setOffline(false);
  while (!env.lib().locations[0].online && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  t.equal(env.lib().locations[0].online, true, 'back online by itself');
  await sut.stop();
  adapter.setOffline(true);
  await env.sut.scanLibrary(env.library.id, { kind: 'incremental', trigger: 'manual' });
  const after = pings();
  await new Promise((r) => setTimeout(r, 200));
  t.equal(pings(), after, 'no ping after stop()');
});
