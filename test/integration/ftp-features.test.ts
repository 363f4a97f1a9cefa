/**
 * FTP adapter behaviour against a real pure-ftpd, one test per basic-ftp gap we fixed:
 * - concurrent calls on one basic-ftp Client break it; the adapter's pool does not;
 * - ranged reads end early without reading to EOF (connection dropped and replaced);
 * - MLSD/MLST give second-precision mtimes, and the LIST fallback reaches them via MDTM;
 * - explicit FTPS (AUTH TLS, PROT P) with a self-signed certificate.
 */
import t from 'tap';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Client } from 'basic-ftp';
import { FtpAdapter, type FtpAdapterOptions } from '../../storage-adapters/ftp/ftp.adapter.js';
import { seedFile, startPureFtpd } from '../servers/pure-ftpd.js';
import { readAll, writeAll } from '../../storage-adapters/contract/helpers.js';

const MiB = 1024 * 1024;
const server = await startPureFtpd();
t.teardown(() => server.stop());
const make = (extra: Partial<FtpAdapterOptions> = {}): FtpAdapter => new FtpAdapter({
  url: new URL(`ftp://127.0.0.1:${server.port}/`),
  credentials: { username: server.user, password: server.password },
  timeoutMs: 3000,
  ...extra,
});

t.test('one basic-ftp Client cannot run two commands at once; the pooled adapter can', async (t) => {
  await seedFile(server, 'c/a.txt', 'aaa');
  const raw = new Client(3000);
  await raw.access({ host: '127.0.0.1', port: server.port, user: server.user, password: server.password });
  const both = await Promise.allSettled([raw.size('/c/a.txt'), raw.size('/c/a.txt')]);
  t.ok(both.some((r) => r.status === 'rejected'), `defect: overlapping calls on one Client fail (${both.map((r) => r.status).join(', ')})`);
  raw.close();

  for (const poolSize of [3, 1]) {
    const sut = make({ poolSize });
    const ops = Array.from({ length: 24 }, (_, i) => (i % 3 === 0
      ? sut.stat('c/a.txt').then((e) => e.size)
      : i % 3 === 1 ? sut.list('c').then((l) => l.length) : readAll(sut, 'c/a.txt').then((b) => b.length)));
    const results = await Promise.all(ops);
    t.same(results, Array.from({ length: 24 }, (_, i) => (i % 3 === 1 ? 1 : 3)), `24 concurrent calls succeed (poolSize ${poolSize})`);
    t.ok(sut.stats().opened <= poolSize, `no more than ${poolSize} connections opened (${sut.stats().opened})`);
    await sut.close();
  }
});

t.test('a range that ends early drops the transfer instead of reading to EOF', async (t) => {
  const size = 256 * MiB;
  const abs = path.join(server.root, 'r.bin');
  const block = Buffer.alloc(MiB);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
  const fh = await fs.open(abs, 'w');
  for (let off = 0; off < size; off += MiB) await fh.write(block, 0, MiB, off);
  await fh.close();
  await fs.chown(abs, server.uid, server.gid);
  const sut = make();
  t.teardown(() => sut.close());
  await sut.ping();

  const before = sut.stats();
  let t0 = performance.now();
  const got = await readAll(sut, 'r.bin', { start: 100 * MiB + 3, end: 101 * MiB + 2 });
  const rangeMs = performance.now() - t0;
  t.equal(createHash('sha256').update(got).digest('hex'),
    createHash('sha256').update(Buffer.concat([block.subarray(3), block.subarray(0, 3)])).digest('hex'), '1 MiB at 100 MiB: exact bytes');
  t.equal(sut.stats().replaced, before.replaced + 1, 'the connection was dropped and replaced');
  await new Promise((r) => setTimeout(r, 50));
  t.ok(sut.stats().idle >= 1, 'a successor connection is ready for the next read');

  t0 = performance.now();
  const tail = await readAll(sut, 'r.bin', { start: size - MiB });
  const tailMs = performance.now() - t0;
  t.equal(tail.length, MiB, 'a range to EOF reads normally');
  t0 = performance.now();
  let whole = 0;
  for await (const c of await sut.createReadStream('r.bin')) whole += (c as Buffer).length;
  const wholeMs = performance.now() - t0;
  t.equal(whole, size, 'whole read');
  t.comment(`1 MiB range in ${rangeMs.toFixed(1)} ms vs ${wholeMs.toFixed(0)} ms to read the rest (tail ${tailMs.toFixed(1)} ms)`);
});

t.test('mtimes to the second: MLSD/MLST, and LIST + MDTM in the fallback', async (t) => {
  const when = Date.UTC(2021, 2, 3, 4, 5, 7);
  await seedFile(server, 'm/odd.txt', 'x', when);
  for (const forceList of [false, true]) {
    const sut = make({ forceList });
    const listed = (await sut.list('m')).find((e) => e.name === 'odd.txt');
    t.equal(listed?.mtimeMs, when, `list mtime exact (forceList ${forceList})`);
    t.equal((await sut.stat('m/odd.txt')).mtimeMs, when, `stat mtime exact (forceList ${forceList})`);
    await sut.close();
  }
});

t.test('explicit FTPS: AUTH TLS with a self-signed certificate, TLS required on both channels', async (t) => {
  const tlsServer = await startPureFtpd({ tls: true, tlsLevel: 3 });
  t.teardown(() => tlsServer.stop());
  await seedFile(tlsServer, 's/hello.txt', 'hello over tls');
  const opts = {
    credentials: { username: tlsServer.user, password: tlsServer.password }, timeoutMs: 3000,
  };
  const sut = new FtpAdapter({ ...opts, url: new URL(`ftps://127.0.0.1:${tlsServer.port}/s`), tls: { ca: tlsServer.certPem as string } });
  t.teardown(() => sut.close());
  await sut.ping();
  t.equal((await readAll(sut, 'hello.txt')).toString(), 'hello over tls', 'read over TLS');
  t.equal((await readAll(sut, 'hello.txt', { start: 6, end: 9 })).toString(), 'over', 'ranged read over TLS');
  await writeAll(sut, 'up.bin', Buffer.alloc(3 * MiB, 9));
  t.equal((await sut.stat('up.bin')).size, 3 * MiB, 'write over TLS');
  t.same((await sut.list('')).map((e) => e.name).sort(), ['hello.txt', 'up.bin'], 'list over TLS');
  t.equal(sut.displayUrl, `ftps://127.0.0.1:${tlsServer.port}/s`, 'displayUrl');

  const plain = new FtpAdapter({ ...opts, url: new URL(`ftp://127.0.0.1:${tlsServer.port}/s`) });
  await t.rejects(plain.ping(), { name: 'StorageError', code: 'UNSUPPORTED', message: /ftps:/ }, 'cleartext session refused: UNSUPPORTED security settings, with a hint');
  await plain.close();
  const untrusted = new FtpAdapter({ ...opts, url: new URL(`ftps://127.0.0.1:${tlsServer.port}/s`) });
  await t.rejects(untrusted.ping(), { name: 'StorageError', code: 'UNSUPPORTED', message: /certificate/ }, 'unknown self-signed certificate refused');
  await untrusted.close();
});
