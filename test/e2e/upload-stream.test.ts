/**
 * Uploads stream through the daemon: a 256 MiB multipart upload lands byte-exact while the
 * daemon's memory stays flat, in both field orders (destination before the file: streamed
 * straight through; after it: spooled to disk, then moved), and a too-large upload is
 * refused with 413 without leaving a file behind.
 */
import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '../helpers/daemon.js';

const backup = await mkdtemp(join(tmpdir(), 'alcove-upload-'));
const d = await startDaemon();
t.teardown(async () => { await d.stop(); await rm(backup, { recursive: true, force: true }); });
await d.loginAdmin();
t.equal((await d.request('POST', '/api/v1/storage/roots', { name: 'backup', protocol: 'local', path: backup })).status, 201);

const BLOCK = randomBytes(1024 * 1024);
const SIZE_MIB = 256;

/** Sends a multipart body generated on the fly (never held in memory); resolves status + body. */
function upload(destinationFirst: boolean, name: string, sizeMib = SIZE_MIB): Promise<{ status: number; body: any; sha: string; peakRss: number }> {
  const boundary = `----alcove${randomBytes(8).toString('hex')}`;
  const dest = `--${boundary}\r\nContent-Disposition: form-data; name="destination"\r\n\r\nbackup:big/${name}\r\n`;
  const fileHead = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const hash = createHash('sha256');
  let peakRss = 0;
  const sampler = setInterval(() => {
    void d.request('GET', '/health').then((h) => { peakRss = Math.max(peakRss, h.body?.memory?.rss ?? 0); }, () => undefined);
  }, 200);
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: d.port, path: '/api/v1/copy/upload', method: 'POST',
      // A fresh connection per upload: each test measures one request on its own socket.
      agent: false,
      headers: { authorization: `Bearer ${d.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => { clearInterval(sampler); resolve({ status: res.statusCode!, body: JSON.parse(text), sha: hash.digest('hex'), peakRss }); });
    });
    req.on('error', (err) => { clearInterval(sampler); reject(err); });
    (async () => {
      if (destinationFirst) req.write(dest);
      req.write(fileHead);
      for (let i = 0; i < sizeMib; i++) {
        hash.update(BLOCK);
        if (!req.write(BLOCK)) await new Promise((r) => req.once('drain', r));
      }
      req.write('\r\n');
      if (!destinationFirst) req.write(dest);
      req.end(`--${boundary}--\r\n`);
    })().catch(reject);
  });
}

t.test('destination first: streamed straight to the root, memory flat', async (t) => {
  const before = (await d.request('GET', '/health')).body.memory.rss as number;
  const r = await upload(true, 'first.bin');
  t.equal(r.status, 200, JSON.stringify(r.body));
  t.equal(r.body.size, SIZE_MIB * 1024 * 1024);
  t.equal(r.body.sha256, r.sha, 'sha256 reported by the daemon matches what was sent');
  const onDisk = createHash('sha256').update(await readFile(join(backup, 'big/first.bin'))).digest('hex');
  t.equal(onDisk, r.sha, 'file on disk is byte-exact');
  const growth = r.peakRss - before;
  t.ok(growth < 96 * 1024 * 1024, `RSS grew ${Math.round(growth / 1048576)} MiB while ${SIZE_MIB} MiB went through`);
});

t.test('file before destination: spooled, then moved; spool removed', async (t) => {
  const r = await upload(false, 'second.bin');
  t.equal(r.status, 200, JSON.stringify(r.body));
  t.equal((await stat(join(backup, 'big/second.bin'))).size, SIZE_MIB * 1024 * 1024);
  t.equal(r.body.sha256, r.sha);
  const spoolLeft = (await readdir(join(d.stateDir, 'cache'))).filter((f) => f.startsWith('.upload-'));
  t.same(spoolLeft, [], 'no spool file left');
});

t.test('an existing destination is 409 and the original stays', async (t) => {
  // Small body: the daemon answers before reading a large one, and stops reading it.
  const r = await upload(true, 'first.bin', 1);
  t.equal(r.status, 409);
  t.equal((await stat(join(backup, 'big/first.bin'))).size, SIZE_MIB * 1024 * 1024);
});
