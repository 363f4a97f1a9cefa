import t from 'tap';
import { mkdtemp, rm, stat, writeFile, chmod, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenSigner, loadOrCreateSecretKey } from '../../daemon/services/auth/tokens.js';

function fakeClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
}

const KEY = new Uint8Array(64).fill(7);

t.test('sign/verify round trip carries sid, user, type, scope, exp', async (t) => {
  const clock = fakeClock();
  const sut = new TokenSigner(KEY, clock);
  const token = await sut.sign({ sid: 'abc', userId: 42, typ: 'access', ttlSec: 3600 });
  const claims = await sut.verify(token);
  t.same(claims, { sid: 'abc', userId: 42, typ: 'access', exp: clock.now() / 1000 + 3600, iat: clock.now() / 1000 });
  const share = await sut.sign({ sid: 's', userId: 1, typ: 'share', ttlSec: 60, scope: 'item:9' });
  t.equal((await sut.verify(share, 'share'))?.scope, 'item:9');
});

t.test('expected type is enforced', async (t) => {
  const sut = new TokenSigner(KEY);
  const refresh = await sut.sign({ sid: 'x', userId: 1, typ: 'refresh', ttlSec: 60 });
  t.equal(await sut.verify(refresh, 'access'), undefined);
  t.equal((await sut.verify(refresh, 'refresh'))?.typ, 'refresh');
});

t.test('expired tokens are refused', async (t) => {
  const clock = fakeClock();
  const sut = new TokenSigner(KEY, clock);
  const token = await sut.sign({ sid: 'x', userId: 1, typ: 'access', ttlSec: 60 });
  clock.advance(59_000);
  t.ok(await sut.verify(token));
  clock.advance(2_000);
  t.equal(await sut.verify(token), undefined);
});

t.test('tampered tokens and other keys are refused', async (t) => {
  const sut = new TokenSigner(KEY);
  const token = await sut.sign({ sid: 'x', userId: 1, typ: 'access', ttlSec: 60 });
  const [header, payload, sig] = token.split('.');
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: '2' })).toString('base64url');
  t.equal(await sut.verify(`${header}.${forged}.${sig}`), undefined, 'payload changed');
  const flipped = sig.slice(0, -2) + (sig.at(-2) === 'A' ? 'B' : 'A') + sig.at(-1);
  t.equal(await sut.verify(`${header}.${payload}.${flipped}`), undefined, 'signature changed');
  const other = new TokenSigner(new Uint8Array(64).fill(8));
  t.equal(await other.verify(token), undefined, 'signed with another key');
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
  t.equal(await sut.verify(none), undefined, 'alg none');
});

t.test('garbage never throws', async (t) => {
  const sut = new TokenSigner(KEY);
  for (const junk of ['', 'abc', 'a.b.c', '...', 'x'.repeat(10_000), undefined, '\u0000.\u0001.\u0002']) {
    t.equal(await sut.verify(junk), undefined, JSON.stringify(junk)?.slice(0, 20) ?? 'undefined');
  }
});

t.test('short keys are refused', async (t) => {
  t.throws(() => new TokenSigner(new Uint8Array(16)), RangeError);
});

t.test('secret key file: created 0600, reused, tightened, concurrent-safe', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-key-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'state', 'secret.key');
  const [a, b, c] = await Promise.all([loadOrCreateSecretKey(file), loadOrCreateSecretKey(file), loadOrCreateSecretKey(file)]);
  t.equal(a.length, 64);
  t.same(Buffer.from(b), Buffer.from(a), 'concurrent callers agree');
  t.same(Buffer.from(c), Buffer.from(a));
  t.equal((await stat(file)).mode & 0o777, 0o600);
  t.same(Buffer.from(await loadOrCreateSecretKey(file)), Buffer.from(a), 'reused on next start');
  await chmod(file, 0o644);
  await loadOrCreateSecretKey(file);
  t.equal((await stat(file)).mode & 0o777, 0o600, 'too-open mode tightened');
  t.equal((await readFile(file)).length, 64);

  const short = join(dir, 'short.key');
  await writeFile(short, 'tooshort');
  await t.rejects(loadOrCreateSecretKey(short), /too short/);

  // Tokens signed with a key from the file verify after "restart" (a new signer).
  const token = await new TokenSigner(a).sign({ sid: 's', userId: 1, typ: 'access', ttlSec: 60 });
  t.ok(await new TokenSigner(await loadOrCreateSecretKey(file)).verify(token));
});
