/**
 * Zip and tar writers, checked by real readers: unzip -t / -l, python3 zipfile (members
 * hashed against the sources), GNU tar -tvf and extraction. Table-driven over member sets.
 */
import t from 'tap';
import { Readable } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipStream, dosDateTime } from '../../daemon/services/catalogizer/archive/zip-writer.js';
import { tarStream, tarGzStream, paxRecord, memberHeader } from '../../daemon/services/catalogizer/archive/tar-writer.js';
import { crc32, crc32Table } from '../../daemon/services/catalogizer/archive/crc32.js';
import { coalesce } from '../../daemon/services/catalogizer/archive/archive-stream.js';
import type { ArchiveEntry } from '../../daemon/services/catalogizer/archive/archive-entry.js';

const run = promisify(execFile);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function memEntry(name: string, data: Buffer, declared = data.length, chunk = 7919): ArchiveEntry {
  return {
    name, size: declared, mtimeMs: Date.UTC(2024, 0, 15, 10, 30, 0),
    open: async () => Readable.from((function* () { for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk); })()),
  };
}

async function collect(gen: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of gen) parts.push(c);
  return Buffer.concat(parts);
}

const text = Buffer.from('Line of subtitles\n'.repeat(5000));
const members: { name: string; data: Buffer }[] = [
  { name: 'movies/The Matrix (1999)/The.Matrix.mkv', data: randomBytes(300_000) },
  { name: 'movies/The Matrix (1999)/The.Matrix.en.srt', data: text },
  { name: 'empty.bin', data: Buffer.alloc(0) },
  { name: 'музыка/Été — 日本語.flac', data: randomBytes(70_001) },
  { name: `${'deep/'.repeat(30)}${'n'.repeat(120)}.txt`, data: Buffer.from('long name') },
  { name: 'exactly512.bin', data: randomBytes(512) },
];

const pyCheck = `
import sys, zipfile, hashlib, json
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps({i.filename: [hashlib.sha256(z.read(i)).hexdigest(), i.compress_type, i.file_size] for i in z.infolist()}))
`;

t.test('crc32: native and table agree; known value', async (t) => {
  const data = randomBytes(100_003);
  t.equal(crc32(data), crc32Table(data));
  t.equal(crc32(Buffer.from('123456789')), 0xCBF43926);
  t.equal(crc32(data.subarray(5000), crc32(data.subarray(0, 5000))), crc32(data), 'incremental');
});

t.test('pax records count their own length', async (t) => {
  for (const [k, v] of [['path', 'a'], ['path', 'x'.repeat(95)], ['path', 'é'.repeat(300)]]) {
    const r = paxRecord(k, v);
    t.equal(Number(r.split(' ')[0]), Buffer.byteLength(r), `${k}=${v.length} chars`);
  }
  t.throws(() => memberHeader('../etc/passwd', 1, 0), /unsafe/);
  t.throws(() => memberHeader('a/../../b', 1, 0), /unsafe/);
});

t.test('dos date/time', async (t) => {
  const { date, time } = dosDateTime(new Date(2024, 0, 15, 10, 30, 4).getTime());
  t.equal(date, ((2024 - 1980) << 9) | (1 << 5) | 15);
  t.equal(time, (10 << 11) | (30 << 5) | 2);
  t.same(dosDateTime(0), { date: 33, time: 0 }, 'before 1980 clamps');
});

t.test('zip: unzip -t, unzip -l and python zipfile read every member', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-zip-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'a.zip');
  await writeFile(file, await collect(coalesce(zipStream(members.map((m) => memEntry(m.name, m.data)), { signal: new AbortController().signal }))));
  const test = await run('unzip', ['-t', file]);
  t.match(test.stdout, /No errors detected/);
  const list = await run('unzip', ['-Z1', file]);
  t.same(list.stdout.trim().split('\n').sort(), members.map((m) => m.name).sort());
  const py = await run('python3', ['-c', pyCheck, file]);
  const got = JSON.parse(py.stdout) as Record<string, [string, number, number]>;
  for (const m of members) {
    t.equal(got[m.name]?.[0], sha(m.data), `sha256 of ${m.name.slice(0, 40)}`);
    t.equal(got[m.name]?.[2], m.data.length);
  }
  t.equal(got['movies/The Matrix (1999)/The.Matrix.mkv'][1], 0, 'media stored');
  t.equal(got['movies/The Matrix (1999)/The.Matrix.en.srt'][1], 8, 'text deflated');
});

t.test('zip64: a member declared >= 4 GiB gets zip64 headers; > 65,535 members get a zip64 end record', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-zip64-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const big = join(dir, 'big.zip');
  const payload = randomBytes(1000);
  // The declared size drives the header choice; the real bytes are what the descriptor records.
  await writeFile(big, await collect(zipStream([memEntry('huge.mkv', payload, 5 * 1024 ** 3)], { signal: new AbortController().signal })));
  const raw = await readFile(big);
  t.equal(raw.readUInt16LE(4), 45, 'local header needs version 4.5');
  t.equal(raw.readUInt16LE(30 + 8), 0x0001, 'local zip64 extra');
  const py = JSON.parse((await run('python3', ['-c', pyCheck, big])).stdout) as Record<string, [string]>;
  t.equal(py['huge.mkv'][0], sha(payload));

  const many = join(dir, 'many.zip');
  const count = 70_000;
  const entries = (function* () { for (let i = 0; i < count; i++) yield memEntry(`f/${i}.bin`, Buffer.from(String(i))); })();
  await writeFile(many, await collect(coalesce(zipStream(entries, { signal: new AbortController().signal }))));
  const out = await run('python3', ['-c', 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); print(len(z.infolist()), z.read("f/69999.bin").decode())', many]);
  t.equal(out.stdout.trim(), `${count} 69999`);
  const m = await readFile(many);
  t.equal(m.readUInt32LE(m.length - 22 - 20 - 56), 0x06064b50, 'zip64 end of central directory record');
});

t.test('tar and tar.gz: GNU tar lists and extracts identical bytes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-tar-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const [fmt, gen] of [['tar', tarStream], ['tar.gz', tarGzStream]] as const) {
    const file = join(dir, `a.${fmt}`);
    await writeFile(file, await collect(gen(members.map((m) => memEntry(m.name, m.data)), { signal: new AbortController().signal })));
    const listed = await run('tar', ['-tvf', file]);
    t.equal(listed.stdout.trim().split('\n').length, members.length, `${fmt}: every member listed`);
    const out = join(dir, `x-${fmt.replace('.', '')}`);
    await mkdir(out);
    await run('tar', ['-xf', file, '-C', out]);
    for (const m of members) t.equal(sha(await readFile(join(out, m.name))), sha(m.data), `${fmt}: ${m.name.slice(0, 30)}`);
  }
});

t.test('tar refuses a member that shrank; zip records what was read', async (t) => {
  await t.rejects(collect(tarStream([memEntry('a.bin', Buffer.alloc(10), 20)], { signal: new AbortController().signal })), /shrank/);
  const zip = await collect(zipStream([memEntry('a.bin', Buffer.alloc(10), 20)], { signal: new AbortController().signal }));
  t.ok(zip.length > 10);
});

t.test('stopping the consumer destroys the member stream (no further reads)', async (t) => {
  let reads = 0;
  let destroyed = false;
  const entry: ArchiveEntry = {
    name: 'endless.bin', size: 1e12, mtimeMs: 0,
    open: async () => {
      const s = new Readable({ read() { reads++; this.push(Buffer.alloc(65536)); } });
      s.on('close', () => { destroyed = true; });
      return s;
    },
  };
  const gen = zipStream([entry], { signal: new AbortController().signal });
  let n = 0;
  for await (const _ of gen) { if (++n === 20) break; }
  await new Promise((r) => setImmediate(r));
  t.ok(destroyed, 'source destroyed');
  const after = reads;
  await new Promise((r) => setTimeout(r, 50));
  t.equal(reads, after, 'no reads after stop');
});
