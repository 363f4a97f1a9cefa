/**
 * sendFile with a positioned-read file (FileToSend.file, the local adapter's openFile):
 * bytes and headers like the stream path, the file released exactly once on every outcome
 * (body, HEAD, 304, 416, abort, read failure) and never while a read is in flight, and
 * backpressure: a paused client does not make the server read the whole file.
 */
import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { silentLogger } from '../../daemon/log/logger.js';
import { HttpServer } from '../../daemon/http/server.js';
import { FILE_CHUNK_BYTES } from '../../daemon/http/file-chunks.js';
import type { FileToSend, PositionedFile } from '../../daemon/http/send-file.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const pub = { access: { kind: 'public' as const } };

async function start(t: { teardown(fn: () => unknown): void }, setup: (sut: HttpServer) => void) {
  const sut = new HttpServer({ logger: silentLogger(), authenticate: async () => undefined });
  setup(sut);
  const port = await sut.listen('127.0.0.1', 0);
  t.teardown(() => sut.close(500));
  return { port, base: `http://127.0.0.1:${port}` };
}

/** A PositionedFile over `data` that counts reads and releases; `failAt`: the read number that fails. */
function fakeFile(data: Buffer, failAt?: number) {
  const s = { reads: 0, bytesRead: 0, inFlight: 0, releases: 0, releasedDuringRead: false };
  const file: PositionedFile = {
    async read(buffer, offset, length, position) {
      s.reads++;
      s.inFlight++;
      await new Promise((r) => setImmediate(r));
      s.inFlight--;
      if (s.reads === failAt) throw new Error('disk went away');
      const n = data.copy(buffer, offset, position, Math.min(data.length, position + length));
      s.bytesRead += n;
      return n;
    },
    release() {
      s.releases++;
      if (s.inFlight > 0) s.releasedDuringRead = true;
    },
  };
  return { file, s };
}

t.test('positioned file: full, range, HEAD, 304, 416 each release the file once', async (t) => {
  const data = randomBytes(3 * 1024 * 1024 + 77);
  const mtimeMs = Date.now();
  const made: Array<ReturnType<typeof fakeFile>['s']> = [];
  const { base } = await start(t, (sut) => {
    sut.router.get('/f', (ctx) => {
      const f = fakeFile(data);
      made.push(f.s);
      const send: FileToSend = {
        size: data.length, mtimeMs, contentType: 'video/mp4', file: f.file,
        open: () => Promise.reject(new Error('open() must not be used when a file is given')),
      };
      return ctx.sendFile(send);
    }, pub);
  });

  const full = await fetch(`${base}/f`);
  t.equal(full.status, 200);
  t.equal(full.headers.get('content-length'), String(data.length));
  t.equal(sha(Buffer.from(await full.arrayBuffer())), sha(data), 'full body intact');
  const etag = full.headers.get('etag')!;

  for (const [range, s, e] of [['bytes=0-0', 0, 0], ['bytes=1048000-2097151', 1048000, 2097151], ['bytes=-500', data.length - 500, data.length - 1]] as const) {
    const r = await fetch(`${base}/f`, { headers: { range } });
    t.equal(r.status, 206, range);
    t.equal(r.headers.get('content-range'), `bytes ${s}-${e}/${data.length}`);
    t.equal(sha(Buffer.from(await r.arrayBuffer())), sha(data.subarray(s, e + 1)), `${range} bytes`);
  }
  const head = await fetch(`${base}/f`, { method: 'HEAD' });
  t.equal(head.status, 200);
  t.equal(head.headers.get('content-length'), String(data.length));
  t.equal((await fetch(`${base}/f`, { headers: { 'if-none-match': etag } })).status, 304);
  const beyond = await fetch(`${base}/f`, { headers: { range: `bytes=${data.length}-` } });
  t.equal(beyond.status, 416);
  await beyond.arrayBuffer();

  t.equal(made.length, 7);
  t.same(made.map((m) => m.releases), Array(7).fill(1), 'every answer released its file exactly once');
  t.same(made.slice(4).map((m) => m.reads), [0, 0, 0], 'HEAD, 304 and 416 read nothing');
  t.notOk(made.some((m) => m.releasedDuringRead), 'never released while a read was in flight');
});

t.test('positioned file: a paused client holds reads back; an abort releases once, after the last read', async (t) => {
  const data = Buffer.alloc(256 * 1024 * 1024, 97); // never read whole: backpressure
  let f: ReturnType<typeof fakeFile> | undefined;
  let handlerDone!: () => void;
  const done = new Promise<void>((r) => { handlerDone = r; });
  const { port, base } = await start(t, (sut) => {
    sut.router.get('/big', async (ctx) => {
      f = fakeFile(data);
      await ctx.sendFile({ size: data.length, mtimeMs: 1, contentType: 'application/octet-stream', file: f.file, open: () => Promise.reject(new Error('unused')) });
      handlerDone();
    }, pub);
    sut.router.get('/ok', () => ({ ok: true }), pub);
  });
  await new Promise<void>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/big' }, (res) => {
      res.pause();
      setTimeout(() => {
        t.ok(f!.s.bytesRead < 64 * 1024 * 1024, `paused client: ${(f!.s.bytesRead / 1048576).toFixed(1)} MiB of 256 MiB read`);
        let got = 0;
        res.on('data', (c: Buffer) => { got += c.length; if (got > 8 * 1024 * 1024) { req.destroy(); resolve(); } });
        res.resume();
      }, 300);
    });
    req.on('error', (err) => { if (!req.destroyed) reject(err); });
  });
  await done;
  t.equal(f!.s.releases, 1, 'released exactly once');
  t.notOk(f!.s.releasedDuringRead, 'not while a read was in flight');
  t.same(await (await fetch(`${base}/ok`)).json(), { ok: true }, 'server still answers');
});

t.test('positioned file: a failing first read is an error answer, a later one cuts the body', async (t) => {
  const data = randomBytes(4 * 1024 * 1024);
  const made: Array<ReturnType<typeof fakeFile>['s']> = [];
  const { port, base } = await start(t, (sut) => {
    sut.router.get('/fail/:n', (ctx) => {
      const f = fakeFile(data, Number(ctx.params.n));
      made.push(f.s);
      return ctx.sendFile({ size: data.length, mtimeMs: 1, contentType: 'application/octet-stream', file: f.file, open: () => Promise.reject(new Error('unused')) });
    }, pub);
    sut.router.get('/ok', () => ({ ok: true }), pub);
  });
  const first = await fetch(`${base}/fail/1`);
  t.equal(first.status, 500, 'nothing was sent yet: a JSON error answer');
  t.match(await first.json(), { code: 'INTERNAL' });
  const cut = await new Promise<string>((resolve) => {
    http.get({ host: '127.0.0.1', port, path: '/fail/3' }, (res) => {
      let got = 0;
      res.on('data', (c: Buffer) => { got += c.length; });
      res.on('end', () => resolve(got === data.length ? 'complete' : 'short'));
      res.on('error', () => resolve('cut'));
      res.on('aborted', () => resolve('cut'));
    }).on('error', () => resolve('cut'));
  });
  t.not(cut, 'complete', 'the body is cut after the failed read');
  t.same(made.map((m) => m.releases), [1, 1], 'both files released once');
  t.same(await (await fetch(`${base}/ok`)).json(), { ok: true }, 'server still answers');
});

t.test('early file: the first read overlaps the check; a stale file is swapped, a deleted one is 404', async (t) => {
  const oldData = randomBytes(2 * 1024 * 1024);
  const newData = randomBytes(3 * 1024 * 1024 + 5);
  const made: Array<ReturnType<typeof fakeFile>['s']> = [];
  const { StorageError } = await import('../../storage-adapters/types.js');
  const { base } = await start(t, (sut) => {
    sut.router.get('/early/:what', (ctx) => {
      const stale = fakeFile(oldData);
      const fresh = fakeFile(newData);
      made.push(stale.s, fresh.s);
      const what = ctx.params.what;
      const current = what === 'same' ? Promise.resolve(undefined)
        : what === 'gone' ? Promise.reject(new StorageError('NOT_FOUND', 'read x: not found'))
          : Promise.resolve({ ...fresh.file, size: newData.length, mtimeMs: 2 });
      current.catch(() => undefined);
      return ctx.sendFile({
        size: oldData.length, mtimeMs: 1, contentType: 'application/octet-stream',
        file: { ...stale.file, current }, open: () => Promise.reject(new Error('unused')),
      });
    }, pub);
  });
  const same = await fetch(`${base}/early/same`, { headers: { range: 'bytes=1000-1048575' } });
  t.equal(same.status, 206);
  t.equal(sha(Buffer.from(await same.arrayBuffer())), sha(oldData.subarray(1000, 1048576)), 'still current: the prefetched bytes are served');
  t.equal(made[0]!.reads, Math.ceil((1048576 - 1000) / FILE_CHUNK_BYTES), 'the prefetch was the first read (no chunk read twice)');

  const swapped = await fetch(`${base}/early/swapped`, { headers: { range: 'bytes=1000-1048575' } });
  t.equal(swapped.status, 206);
  t.equal(swapped.headers.get('content-range'), `bytes 1000-1048575/${newData.length}`);
  t.equal(sha(Buffer.from(await swapped.arrayBuffer())), sha(newData.subarray(1000, 1048576)), 'replaced: the current file is served');
  const full = await fetch(`${base}/early/swapped`);
  t.equal(full.headers.get('content-length'), String(newData.length));
  t.equal(sha(Buffer.from(await full.arrayBuffer())), sha(newData), 'full answer of the current file');

  const gone = await fetch(`${base}/early/gone`, { headers: { range: 'bytes=0-99' } });
  t.equal(gone.status, 404, 'deleted: 404');
  t.match(await gone.json(), { code: 'NOT_FOUND' });

  t.same(made.map((m) => m.releases), [1, 0, 1, 1, 1, 1, 1, 0], 'every file that was handed out released once (unused fresh ones never were)');
  t.notOk(made.some((m) => m.releasedDuringRead), 'never released while a read (the prefetch) was in flight');
});
