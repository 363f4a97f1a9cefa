/**
 * WebDAV operations against real Apache where the contract suite cannot look: what ends
 * up on the server's disk and in its access log.
 *   - names with ' ', '?', '%', '#', ';', '+', unicode and emoji are stored on disk exactly
 *     (no double encoding, '?' and '#' never cut the URL), listed, read, renamed, deleted;
 *   - PROPFIND asks for three properties only (Apache's answer is less than half of
 *     allprop's, read from its access log) and lists 2,000 entries completely;
 *   - writes are atomic: a name taken while the PUT runs makes MOVE (Overwrite: F) answer
 *     412 -> EXISTS, the other file stays intact and no temporary file remains;
 *   - setMtime: Apache keeps getlastmodified read-only -> UNSUPPORTED; writes asking for
 *     an mtime still succeed;
 *   - a keep-alive connection closed by the server between calls is not an error.
 */
import t from 'tap';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createClient } from 'webdav';
import { createWebdavAdapter } from '../../storage-adapters/webdav/webdav.adapter.js';
import { readAll, writeAll } from '../../storage-adapters/contract/helpers.js';
import { startApacheWebdav } from '../servers/apache-webdav.js';

const server = await startApacheWebdav({ keepAliveTimeout: 2 });
t.teardown(() => server.stop());
const sut = createWebdavAdapter({ url: new URL(server.url), credentials: { username: server.user, password: server.password }, timeoutMs: 5000 });
t.teardown(() => sut.close());

const NAMES = [
  'a b.txt', 'what?.mkv', '100%.txt', '%41 not A.txt', '#1 hash.txt', 'semi;colon=eq&amp.txt', 'plus+sign.txt',
  'Ünïcødé ñ.txt', 'emoji 🎬🍿.mkv', '日本語.srt', "quote's (1).mp4", 'a%2Fb.txt',
];

t.test('tricky names round-trip and are stored on disk exactly', async (t) => {
  const dir = 'names ü #?';
  await sut.mkdir(dir);
  for (const [i, name] of NAMES.entries()) await writeAll(sut, `${dir}/${name}`, `content ${i}`);
  const onDisk = (await fs.readdir(path.join(server.root, dir))).sort();
  t.same(onDisk, [...NAMES].sort(), 'disk names equal the names written (no encoding artefacts, no temp files)');
  const listed = await sut.list(dir);
  t.same(listed.map((e) => e.name).sort(), [...NAMES].sort(), 'list gives the names back');
  for (const [i, name] of NAMES.entries()) {
    t.equal((await readAll(sut, `${dir}/${name}`)).toString(), `content ${i}`, `read ${name}`);
    t.equal((await sut.stat(`${dir}/${name}`)).size, `content ${i}`.length, `stat ${name}`);
  }
  for (const name of NAMES) await sut.rename(`${dir}/${name}`, `${dir}/${name} (2)`);
  t.same((await fs.readdir(path.join(server.root, dir))).sort(), NAMES.map((n) => `${n} (2)`).sort(), 'renamed on disk exactly');
  for (const name of NAMES) await sut.delete(`${dir}/${name} (2)`);
  t.same(await fs.readdir(path.join(server.root, dir)), [], 'all deleted');
  const log = await server.readAccessLog();
  t.match(log, /"GET \/dav\/names%20%C3%BC%20%23%3F\/what%3F\.mkv HTTP\/1\.1" 200/, "'?' and '#' travel percent-encoded");
  t.match(log, /"GET \/dav\/names%20%C3%BC%20%23%3F\/100%25\.txt HTTP\/1\.1" 200/, "'%' travels as %25");
});

t.test('PROPFIND asks only for what list needs; 2,000 entries complete', async (t) => {
  const names = Array.from({ length: 2000 }, (_, i) => `img ${String(i).padStart(4, '0')}.jpg`);
  await server.mkdir('many');
  for (let i = 0; i < names.length; i += 100) {
    await Promise.all(names.slice(i, i + 100).map((n) => server.seed(`many/${n}`, n)));
  }
  const entries = await sut.list('many');
  t.same(entries.map((e) => e.name).sort(), names, 'every entry, once');
  t.ok(entries.every((e) => e.type === 'file' && e.size === e.name.length && e.mtimeMs > 0), 'types, sizes, mtimes');
  // The client library's allprop listing, for the size comparison below (timing belongs to
  // bench/remote-webdav.bench.ts). Apache may close an idle keep-alive socket just as the
  // client reuses it under load: one retry.
  const client = createClient(`http://127.0.0.1:${server.port}/dav/`, { username: server.user, password: server.password });
  await client.getDirectoryContents('many').catch(() => client.getDirectoryContents('many'));
  const sizes = [...(await server.readAccessLog()).matchAll(/"PROPFIND \/dav\/many\/? HTTP\/1\.1" 207 (\d+)/g)].map((m) => Number(m[1]));
  const ours = Math.min(...sizes);
  const theirs = Math.max(...sizes);
  t.ok(ours * 2 < theirs, `Apache's answer to our PROPFIND is ${ours} bytes vs ${theirs} for allprop`);
});

t.test('atomic write: a name taken during the PUT gives EXISTS via MOVE 412', async (t) => {
  await sut.mkdir('race');
  const ws = await sut.createWriteStream('race/r.bin');
  await new Promise<void>((r) => ws.write(Buffer.alloc(100_000, 1), () => r()));
  await server.seed('race/r.bin', 'theirs'); // someone else wins the name
  const err = await new Promise<unknown>((resolve) => {
    ws.once('error', resolve);
    ws.once('finish', () => resolve(undefined));
    ws.end(Buffer.alloc(10, 2));
  });
  t.equal((err as { code?: string })?.code, 'EXISTS', `EXISTS (${(err as Error)?.message})`);
  t.equal(await fs.readFile(path.join(server.root, 'race/r.bin'), 'utf8'), 'theirs', 'their file is intact');
  t.match(await server.readAccessLog(), /"MOVE \/dav\/race\/\.alcove-tmp-[0-9a-f]+ HTTP\/1\.1" 412/, 'Apache answered MOVE with 412');
  await new Promise((r) => setTimeout(r, 300));
  t.same(await fs.readdir(path.join(server.root, 'race')), ['r.bin'], 'no temporary file left');

  await writeAll(sut, 'race/r.bin', 'ours', { overwrite: true });
  t.equal(await fs.readFile(path.join(server.root, 'race/r.bin'), 'utf8'), 'ours', 'overwrite: MOVE with Overwrite: T');
});

t.test('mtimes: PROPPATCH getlastmodified is refused by Apache', async (t) => {
  await writeAll(sut, 'mt.txt', 'x', { mtimeMs: Date.UTC(2020, 0, 1) }); // best effort: no error
  const st = await sut.stat('mt.txt');
  t.ok(Math.abs(st.mtimeMs - Date.now()) < 60_000, 'the server kept its own mtime');
  await t.rejects(sut.setMtime!('mt.txt', Date.UTC(2020, 0, 1)), { code: 'UNSUPPORTED' }, 'setMtime: UNSUPPORTED');
  await t.rejects(sut.setMtime!('missing.txt', Date.UTC(2020, 0, 1)), { code: 'NOT_FOUND' }, 'setMtime on a missing file: NOT_FOUND');
  t.match(await server.readAccessLog(), /"PROPPATCH \/dav\/mt\.txt HTTP\/1\.1" 207/, 'a real PROPPATCH was sent');
});

t.test('kept-alive connection closed by the server between calls', async (t) => {
  await sut.stat('mt.txt');
  await new Promise((r) => setTimeout(r, 2300)); // past Apache's KeepAliveTimeout (2 s)
  t.equal((await sut.stat('mt.txt')).size, 1, 'stat after the server closed the idle connection');
  t.equal((await readAll(sut, 'mt.txt', { start: 0, end: 0 })).toString(), 'x', 'ranged read too');
});
