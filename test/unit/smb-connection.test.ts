/**
 * The SMB2 message layer against a scripted in-process server (127.0.0.1, port 0) that
 * answers every READ with an interim STATUS_PENDING reply first and the data a little
 * later: exactly the case node-smb2 took as an empty final answer. Also: a server that
 * drops the connection with READs in flight fails them at once (no request timeout wait).
 * And: a server that hangs up on NEGOTIATE every time is UNSUPPORTED (SMB3 only), one that
 * hangs up and is then gone (a killed smbd) is OFFLINE.
 */
import t from 'tap';
import net from 'node:net';
import { createHash } from 'node:crypto';
import { SmbAdapter } from '../../storage-adapters/smb/smb.adapter.js';
import { SECURITY_MESSAGE } from '../../storage-adapters/smb/smb-errors.js';
import { Command, HeaderFlags, Status, parseHeader, FrameSplitter } from '../../storage-adapters/smb/smb2-wire.js';

const FILE = Buffer.from(Array.from({ length: 700_000 }, (_, i) => (i * 7919) % 251));

interface Fake {
  port: number;
  reads: number;
  close(): Promise<void>;
}

function reply(req: Buffer, status: number, body: Buffer, extra: { flags?: number; treeId?: number; asyncId?: bigint } = {}): Buffer {
  const h = Buffer.alloc(64);
  req.copy(h, 0, 0, 64);
  h.writeUInt32LE(status, 8);
  h.writeUInt16LE(64, 14); // credits granted
  h.writeUInt32LE(HeaderFlags.RESPONSE | (extra.flags ?? 0), 16);
  if (extra.asyncId !== undefined) h.writeBigUInt64LE(extra.asyncId, 32);
  else if (extra.treeId !== undefined) h.writeUInt32LE(extra.treeId, 36);
  h.writeBigUInt64LE(0x55n, 40);
  const msg = Buffer.concat([h, body]);
  const frame = Buffer.alloc(4);
  frame.writeUInt32BE(msg.length, 0);
  return Buffer.concat([frame, msg]);
}

function challengeToken(): Buffer {
  const b = Buffer.alloc(56);
  b.write('NTLMSSP\0', 0, 'latin1');
  b.writeUInt32LE(2, 8);
  b.writeUInt32LE(0x00088205, 20);
  b.fill(0x11, 24, 32);
  b.writeUInt16LE(4, 40);
  b.writeUInt32LE(48, 44);
  return b; // target info: one MsvAvEOL (4 zero bytes at 48)
}

async function startFake(mode: 'interim' | 'drop'): Promise<Fake> {
  const fake = { reads: 0 } as Fake;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    let asyncId = 1n;
    const splitter = new FrameSplitter((req) => {
      const h = parseHeader(req);
      const body = req.subarray(64);
      switch (h.command) {
        case Command.NEGOTIATE: {
          const b = Buffer.alloc(65);
          b.writeUInt16LE(65, 0);
          b.writeUInt16LE(1, 2); // signing enabled, not required
          b.writeUInt16LE(0x0210, 4);
          for (const off of [28, 32, 36]) b.writeUInt32LE(65536, off);
          return void sock.write(reply(req, 0, b));
        }
        case Command.SESSION_SETUP: {
          const first = body.readUInt16LE(14) < 100; // NTLM NEGOTIATE is 32 bytes
          const token = first ? challengeToken() : Buffer.alloc(0);
          const b = Buffer.alloc(8);
          b.writeUInt16LE(9, 0);
          b.writeUInt16LE(72, 4);
          b.writeUInt16LE(token.length, 6);
          return void sock.write(reply(req, first ? Status.MORE_PROCESSING_REQUIRED : 0, Buffer.concat([b, token])));
        }
        case Command.TREE_CONNECT:
          return void sock.write(reply(req, 0, Buffer.alloc(16), { treeId: 9 }));
        case Command.CREATE: {
          const b = Buffer.alloc(88);
          b.writeUInt16LE(89, 0);
          b.writeBigUInt64LE(BigInt(FILE.length), 48);
          b.writeUInt32LE(0x80, 56);
          b.fill(0xab, 64, 80);
          return void sock.write(reply(req, 0, b));
        }
        case Command.READ: {
          fake.reads++;
          if (mode === 'drop' && fake.reads > 3) return void sock.destroy();
          const len = body.readUInt32LE(4);
          const off = Number(body.readBigUInt64LE(8));
          const id = asyncId++;
          sock.write(reply(req, Status.PENDING, Buffer.from([9, 0, 0, 0, 0, 0, 0, 0, 0]), { flags: HeaderFlags.ASYNC, asyncId: id }));
          const data = FILE.subarray(off, off + len);
          const b = Buffer.alloc(16);
          b.writeUInt16LE(17, 0);
          b.writeUInt8(80, 2);
          b.writeUInt32LE(data.length, 4);
          setTimeout(() => sock.write(reply(req, 0, Buffer.concat([b, data]), { flags: HeaderFlags.ASYNC, asyncId: id })), 2);
          return;
        }
        default:
          return void sock.write(reply(req, 0, Buffer.from([60, 0])));
      }
    });
    sock.on('data', (d: Buffer) => splitter.push(d));
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.port = (server.address() as net.AddressInfo).port;
  fake.close = () => new Promise<void>((r) => {
    server.close(() => r());
    for (const s of sockets) s.destroy();
  });
  return fake;
}

function adapterFor(port: number): SmbAdapter {
  return new SmbAdapter({ url: new URL(`smb://127.0.0.1:${port}/share`), credentials: { username: 'u', password: 'p' }, timeoutMs: 5000 });
}

t.test('interim STATUS_PENDING replies are dropped; the final data is delivered', async (t) => {
  const fake = await startFake('interim');
  const sut = adapterFor(fake.port);
  t.teardown(async () => {
    await sut.close();
    await fake.close();
  });
  const h = createHash('sha256');
  let n = 0;
  for await (const c of await sut.createReadStream('f.bin', { start: 1000, end: 650_000 })) {
    h.update(c as Buffer);
    n += (c as Buffer).length;
  }
  const want = FILE.subarray(1000, 650_001);
  t.same({ n, hash: h.digest('hex') }, { n: want.length, hash: createHash('sha256').update(want).digest('hex') }, 'exact range, every byte');
  const stats = await sut.connectionStats();
  t.equal(stats.interim, fake.reads, `one interim reply per READ dropped (${stats.interim})`);
});

t.test('connection dropped with READs in flight: the stream fails at once', async (t) => {
  const fake = await startFake('drop');
  const sut = adapterFor(fake.port);
  t.teardown(async () => {
    await sut.close();
    await fake.close();
  });
  const unhandled: unknown[] = [];
  const onUnhandled = (r: unknown): void => void unhandled.push(r);
  process.on('unhandledRejection', onUnhandled);
  t.teardown(() => void process.off('unhandledRejection', onUnhandled));
  const stream = await sut.createReadStream('f.bin');
  const t0 = Date.now();
  const err = await new Promise<Error | undefined>((resolve) => {
    stream.once('error', resolve);
    stream.once('end', () => resolve(undefined));
    stream.resume();
  });
  t.equal((err as { code?: string } | undefined)?.code, 'OFFLINE', `stream error OFFLINE: ${err?.message}`);
  t.ok(Date.now() - t0 < 1000, `within ${Date.now() - t0} ms (request timeout is 5000)`);
  await new Promise((r) => setTimeout(r, 50));
  t.same(unhandled, [], 'no unhandled rejection');
});

/** A TCP server that reads the NEGOTIATE and hangs up; after `stopAfter` connections it stops listening. */
async function startHangUp(stopAfter: number): Promise<{ port: number; accepted: number; close(): Promise<void> }> {
  const state = { port: 0, accepted: 0, close: async () => undefined as void };
  const server = net.createServer((sock) => {
    state.accepted++;
    if (state.accepted >= stopAfter) server.close();
    sock.once('data', () => sock.destroy());
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.port = (server.address() as net.AddressInfo).port;
  state.close = () => new Promise<void>((r) => (server.listening ? server.close(() => r()) : r()));
  return state;
}

async function pingError(port: number): Promise<{ code?: string; message?: string }> {
  const sut = adapterFor(port);
  try {
    await sut.ping();
    return { code: 'none' };
  } catch (err) {
    return err as { code?: string; message?: string };
  } finally {
    await sut.close();
  }
}

t.test('a server that hangs up on NEGOTIATE every time is UNSUPPORTED', async (t) => {
  const fake = await startHangUp(Infinity);
  t.teardown(() => fake.close());
  const err = await pingError(fake.port);
  t.equal(err.code, 'UNSUPPORTED', `UNSUPPORTED (${err.message})`);
  t.ok(err.message?.includes(SECURITY_MESSAGE), 'message names the security settings');
  t.equal(fake.accepted, 2, 'decided after a second connection');
});

t.test('a server that hangs up on NEGOTIATE and is then gone is OFFLINE', async (t) => {
  const fake = await startHangUp(1);
  t.teardown(() => fake.close());
  const err = await pingError(fake.port);
  t.equal(err.code, 'OFFLINE', `OFFLINE, not a security message (${err.message})`);
  t.notOk(err.message?.includes(SECURITY_MESSAGE), 'no security message');
});
