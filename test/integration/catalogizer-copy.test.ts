/**
 * CopyService between real roots: local, Samba, pure-ftpd and Apache WebDAV on 127.0.0.1.
 * A chain local -> smb -> ftp -> webdav -> local must end with the same sha256; an
 * existing destination is a conflict unless overwrite; an aborted copy leaves nothing
 * under the final name; progress events arrive as job.progress.
 */
import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openIndexStore } from '../../daemon/index/lmdb-store.js';
import { StorageRootService } from '../../daemon/services/storage/storage-root.service.js';
import { SecretBox } from '../../daemon/services/storage/secret-box.js';
import { createProductionRegistry } from '../../storage-adapters/registry.js';
import { InProcessEventBus } from '../../daemon/services/event-bus.js';
import { silentLogger } from '../../daemon/log/logger.js';
import { CopyService } from '../../daemon/services/catalogizer/copy/copy.service.js';
import { startSamba } from '../servers/samba.js';
import { startPureFtpd } from '../servers/pure-ftpd.js';
import { startApacheWebdav } from '../servers/apache-webdav.js';
import type { ServerEvent } from '../../daemon/domain/ports.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const dir = await mkdtemp(join(tmpdir(), 'alcove-copy-'));
const local = await mkdtemp(join(tmpdir(), 'alcove-copy-local-'));
const [smb, ftp, dav] = await Promise.all([startSamba(), startPureFtpd(), startApacheWebdav()]);
const index = await openIndexStore({ path: join(dir, 'index') });
const roots = new StorageRootService(index, createProductionRegistry(), new SecretBox(randomBytes(32)), silentLogger());
const events = new InProcessEventBus();
const seen: ServerEvent[] = [];
events.on((e) => seen.push(e));
t.teardown(async () => {
  await roots.close();
  await index.close();
  await Promise.all([smb.stop(), ftp.stop(), dav.stop()]);
  await rm(dir, { recursive: true, force: true });
  await rm(local, { recursive: true, force: true });
});

const L = await roots.ensure(local, { name: 'local' });
const S = await roots.ensure(`smb://127.0.0.1:${smb.port}/${smb.share}`, { name: 'smb', credentials: { username: smb.user, password: smb.password } });
const F = await roots.ensure(`ftp://127.0.0.1:${ftp.port}/`, { name: 'ftp', credentials: { username: ftp.user, password: ftp.password } });
const W = await roots.ensure(`webdav://127.0.0.1:${dav.port}${dav.prefix}`, { name: 'dav', credentials: { username: dav.user, password: dav.password } });
const sut = new CopyService(index, (id) => roots.getAdapter(id), events);
const payload = randomBytes(3 * 1024 * 1024 + 17);
await writeFile(join(local, 'src.bin'), payload);

t.test('local -> smb -> ftp -> webdav -> local keeps every byte', async (t) => {
  const hops = [
    [sut.targets.fromHost('local', 'src.bin', 's'), sut.targets.fromHost('smb', 'a/one.bin', 'd')],
    [sut.targets.fromHost('smb', 'a/one.bin', 's'), sut.targets.fromHost('ftp', 'b/two.bin', 'd')],
    [sut.targets.fromHost('ftp', 'b/two.bin', 's'), sut.targets.fromHost('dav', 'c/three.bin', 'd')],
    [sut.targets.fromHost('dav', 'c/three.bin', 's'), sut.targets.local(join(local, 'back/four.bin'), 'd')],
  ] as const;
  for (const [from, to] of hops) {
    const r = await sut.copy(from, to, false);
    t.equal(r.bytes, payload.length, `${from.display} -> ${to.display}: size`);
    t.equal(r.sha256, sha(payload), `${from.display} -> ${to.display}: sha256`);
  }
  t.equal(sha(await readFile(join(local, 'back/four.bin'))), sha(payload));
  t.equal(sha(await readFile(join(smb.root, 'a/one.bin'))), sha(payload), 'bytes on the Samba share');
  const progress = seen.filter((e) => e.type === 'job.progress' && e.job.startsWith('copy:'));
  t.ok(progress.some((e) => e.type === 'job.progress' && e.state === 'done' && e.done === payload.length));
  t.ok([L, S, F, W].every((r) => r.id > 0));
});

t.test('conflicts and overwrite on a remote root', async (t) => {
  const from = sut.targets.fromHost('local', 'src.bin', 's');
  const to = sut.targets.fromHost('ftp', 'b/two.bin', 'd');
  await t.rejects(sut.copy(from, to, false), { code: 'CONFLICT' });
  await writeFile(join(local, 'small.bin'), 'small');
  const r = await sut.copy(sut.targets.fromHost('local', 'small.bin', 's'), to, true);
  t.equal(r.bytes, 5);
  await t.rejects(sut.upload(Buffer.from('x'), sut.targets.fromHost('smb', 'a/one.bin', 'd'), false), { code: 'CONFLICT' });
});

t.test('traversal and outside-root destinations are refused before any I/O', async (t) => {
  t.throws(() => sut.targets.fromHost('smb', '../../etc/passwd', 'd'), { code: 'VALIDATION' });
  t.throws(() => sut.targets.local('/etc/passwd', 'd'), { code: 'FORBIDDEN' });
  t.throws(() => sut.targets.hostPath('nocolon', 'd', 'Invalid'), { code: 'VALIDATION' });
});

t.test('an aborted copy leaves no file under the final name', async (t) => {
  const ac = new AbortController();
  const big = randomBytes(64 * 1024 * 1024);
  await writeFile(join(local, 'big.bin'), big);
  const p = sut.copy(sut.targets.fromHost('local', 'big.bin', 's'), sut.targets.fromHost('dav', 'aborted.bin', 'd'), false, ac.signal);
  setTimeout(() => ac.abort(), 30);
  await t.rejects(p);
  const names = await readdir(dav.root);
  t.notOk(names.includes('aborted.bin'), `no aborted.bin among ${names.join(', ')}`);
});
