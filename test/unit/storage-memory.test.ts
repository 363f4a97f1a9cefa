import t from 'tap';
import { MemoryAdapter } from '../../storage-adapters/memory/memory.adapter.js';
import { AdapterRegistry, createDefaultRegistry, createProductionRegistry } from '../../storage-adapters/registry.js';
import { LocalAdapter } from '../../storage-adapters/local/local.adapter.js';
import { ValidationError } from '../../daemon/domain/errors.js';
import { expectCode, readAll } from '../../storage-adapters/contract/helpers.js';

t.test('memory adapter: offline, latency and mid-stream read failures', async (t) => {
  const sut = new MemoryAdapter({ displayUrl: 'memory://faults' });
  sut.seed('a/film.mkv', Buffer.alloc(300_000, 7));

  sut.setOffline(true);
  await expectCode(t, () => sut.ping(), 'OFFLINE', 'ping while offline');
  await expectCode(t, () => sut.list('a'), 'OFFLINE', 'list while offline');
  await expectCode(t, () => readAll(sut, 'a/film.mkv'), 'OFFLINE', 'read while offline');
  sut.setOffline(false);
  await sut.ping();
  t.equal((await sut.list('a')).length, 1, 'back online');

  sut.setLatency(60);
  const t0 = Date.now();
  await sut.stat('a/film.mkv');
  t.ok(Date.now() - t0 >= 55, `latency applied (${Date.now() - t0} ms)`);
  sut.setLatency(0);

  sut.failReadsAfter(100_000);
  const stream = await sut.createReadStream('a/film.mkv', { highWaterMark: 32 * 1024 });
  let got = 0;
  try {
    for await (const chunk of stream) got += (chunk as Buffer).length;
    t.fail('read should have failed');
  } catch (err) {
    t.equal((err as { code?: string }).code, 'IO', 'stream errors with IO');
    t.equal(got, 100_000, 'after exactly the configured number of bytes');
  }
  sut.failReadsAfter(undefined);
  t.equal((await readAll(sut, 'a/film.mkv')).length, 300_000, 'reads whole again once the fault is cleared');
});

t.test('memory adapter: a write committing while offline fails and leaves nothing', async (t) => {
  const sut = new MemoryAdapter();
  const ws = await sut.createWriteStream('x.bin');
  ws.write('abc');
  sut.setOffline(true);
  const err = await new Promise<Error>((resolve) => {
    ws.once('error', resolve);
    ws.end();
  });
  t.equal((err as { code?: string }).code, 'OFFLINE', 'write fails OFFLINE');
  sut.setOffline(false);
  await expectCode(t, () => sut.stat('x.bin'), 'NOT_FOUND', 'no file');
});

t.test('registry creates adapters by scheme', async (t) => {
  const sut = createDefaultRegistry();
  t.ok(sut.has('file') && sut.has('memory:') && sut.has('FILE'), 'built-ins registered');
  t.notOk(sut.has('smb'), 'smb not yet');
  const local = sut.create({ url: new URL('file:///srv/My%20Media') });
  t.ok(local instanceof LocalAdapter, 'file: -> LocalAdapter');
  t.equal((local as LocalAdapter).root, '/srv/My Media', 'root decoded from the URL');
  t.equal(local.displayUrl, 'file:///srv/My Media', 'display url');
  const mem = sut.create({ url: new URL('memory://lib1') });
  t.equal(mem.scheme, 'memory', 'memory: -> MemoryAdapter');
  t.equal(mem.displayUrl, 'memory://lib1', 'memory display url');
  t.throws(() => sut.create({ url: new URL('smb://nas/share') }), { code: 'VALIDATION', publicCode: 'UNSUPPORTED_STORAGE' }, 'unknown scheme -> ValidationError');
  t.ok(catchErr(() => sut.create({ url: new URL('smb://nas/share') })) instanceof ValidationError, 'instance of ValidationError');
  try {
    sut.create({ url: new URL('ftp://h/x') });
  } catch (err) {
    t.match((err as Error).message, /No storage adapter for 'ftp:' URLs \(available: file, memory\)/, 'message lists the schemes');
  }

  const custom = new AdapterRegistry();
  let seenUser: string | undefined;
  custom.register('smb', (o) => {
    seenUser = o.credentials?.username;
    return new MemoryAdapter({ displayUrl: o.url.href });
  });
  const smb = custom.create({ url: new URL('smb://nas/share'), credentials: { username: 'alice', password: 'pw' } });
  t.equal(smb.displayUrl, 'smb://nas/share', 'custom factory used');
  t.equal(seenUser, 'alice', 'credentials passed to the factory');
  t.same(custom.schemes(), ['smb'], 'schemes()');
});

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

t.test('registry: a lazily registered scheme imports its factory once, on first open', async (t) => {
  const sut = new AdapterRegistry();
  let loads = 0;
  sut.registerLazy('ftp', async () => {
    loads++;
    return (o) => new MemoryAdapter({ displayUrl: o.url.href });
  });
  t.ok(sut.has('ftp:'), 'has() sees it before it loads');
  t.notOk(sut.isLoaded('ftp'), 'not loaded yet');
  t.same(sut.schemes(), ['ftp'], 'schemes() lists it');
  t.equal(loads, 0, 'nothing imported at registration');
  t.throws(() => sut.create({ url: new URL('ftp://h/x') }), /not loaded yet/, 'create before loading says so');
  const [a, b] = await Promise.all([sut.open({ url: new URL('ftp://h/a') }), sut.open({ url: new URL('ftp://h/b') })]);
  t.equal(loads, 1, 'concurrent opens import once');
  t.equal(a.displayUrl, 'ftp://h/a');
  t.equal(b.displayUrl, 'ftp://h/b');
  t.ok(sut.isLoaded('ftp'), 'loaded');
  t.equal(sut.create({ url: new URL('ftp://h/c') }).displayUrl, 'ftp://h/c', 'create works once loaded');
  t.same(sut.schemes(), ['ftp'], 'listed once');
});

t.test('registry: a failed lazy import is retried on the next open', async (t) => {
  const sut = new AdapterRegistry();
  let attempt = 0;
  sut.registerLazy('webdav', async () => {
    if (attempt++ === 0) throw new Error('cannot import');
    return (o) => new MemoryAdapter({ displayUrl: o.url.href });
  });
  await t.rejects(sut.open({ url: new URL('webdav://h/') }), /cannot import/);
  t.equal((await sut.open({ url: new URL('webdav://h/') })).displayUrl, 'webdav://h/', 'second open loads');
});

t.test('production registry: smb, ftp and webdav are known but not imported until used', async (t) => {
  const sut = createProductionRegistry();
  for (const s of ['file', 'smb', 'ftp', 'ftps', 'webdav', 'webdavs']) t.ok(sut.has(s), `${s} registered`);
  t.ok(sut.isLoaded('file'), 'file eager');
  t.notOk(sut.isLoaded('smb') || sut.isLoaded('ftp') || sut.isLoaded('webdav'), 'smb, ftp and webdav lazy');
  const smb = await sut.open({ url: new URL('smb://127.0.0.1:9/share') });
  t.equal(smb.scheme, 'smb', 'smb adapter after open');
  await smb.close();
  const dav = await sut.open({ url: new URL('webdav://127.0.0.1:9/share') });
  t.equal(dav.scheme, 'webdav', 'webdav adapter after open');
  await dav.close();
  const ftp = await sut.open({ url: new URL('ftp://127.0.0.1:9/share') });
  t.equal(ftp.scheme, 'ftp', 'ftp adapter after open');
  await ftp.close();
});
