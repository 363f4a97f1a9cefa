import t from 'tap';
import {
  DEFAULT_SCRYPT, dummyVerify, hashPassword, needsRehash, verifyPassword,
} from '../../daemon/services/auth/password.js';
import { assertPasswordPolicy, resolvePasswordPolicy } from '../../daemon/services/auth/password-policy.js';

const FAST = { N: 2 ** 12, r: 8, p: 1, keyLen: 32 };

t.test('hash has the documented format and verifies', async (t) => {
  const sut = await hashPassword('correct horse', FAST);
  const parts = sut.split('$');
  t.equal(parts.length, 6);
  t.same(parts.slice(0, 4), ['scrypt', String(2 ** 12), '8', '1']);
  t.equal(Buffer.from(parts[4], 'base64').length, 16, '16-byte salt');
  t.equal(Buffer.from(parts[5], 'base64').length, 32, '32-byte key');
  t.equal(await verifyPassword('correct horse', sut), true);
  t.equal(await verifyPassword('correct horsE', sut), false);
  t.equal(await verifyPassword('', sut), false);
});

t.test('same password hashes differently (random salt)', async (t) => {
  const a = await hashPassword('secret1', FAST);
  const b = await hashPassword('secret1', FAST);
  t.not(a, b);
  t.ok(await verifyPassword('secret1', a));
  t.ok(await verifyPassword('secret1', b));
});

t.test('default parameters: N=2^15 works (maxmem is raised)', async (t) => {
  const sut = await hashPassword('pässwörd', DEFAULT_SCRYPT);
  t.match(sut, /^scrypt\$32768\$8\$1\$/);
  t.ok(await verifyPassword('pässwörd', sut));
  // NFC normalisation: the decomposed spelling of the same text verifies too.
  t.ok(await verifyPassword('pa\u0308sswo\u0308rd', sut));
});

t.test('malformed hashes verify false, never throw', async (t) => {
  for (const bad of ['', 'plain', 'scrypt$1$8$1$AAAA$BBBB', 'bcrypt$x$y$z$a$b', 'scrypt$3$8$1$AAAAAAAAAAAAAAAA$AAAA']) {
    t.equal(await verifyPassword('whatever', bad), false, bad);
  }
});

t.test('dummyVerify is always false', async (t) => {
  t.equal(await dummyVerify('anything', FAST), false);
});

t.test('needsRehash flags weaker parameters', async (t) => {
  const weak = await hashPassword('secret1', FAST);
  t.equal(needsRehash(weak, DEFAULT_SCRYPT), true);
  t.equal(needsRehash(weak, FAST), false);
  t.equal(needsRehash('garbage', FAST), true);
});

t.test('bad parameters are refused', async (t) => {
  await t.rejects(hashPassword('x', { N: 1000, r: 8, p: 1, keyLen: 32 }), RangeError);
  await t.rejects(hashPassword('x', { N: 1024, r: 8, p: 1, keyLen: 16 }), RangeError);
});

t.test('password policy: 6..72 characters by default, clear messages', async (t) => {
  const policy = resolvePasswordPolicy();
  t.same(policy, { minLength: 6, maxLength: 72 });
  t.doesNotThrow(() => assertPasswordPolicy('123456', policy));
  t.doesNotThrow(() => assertPasswordPolicy('x'.repeat(72), policy));
  t.doesNotThrow(() => assertPasswordPolicy('ééééééé', policy), 'counted in characters, not bytes');
  const cases: [unknown, RegExp][] = [
    ['12345', /at least 6 characters/],
    ['x'.repeat(73), /must not exceed 72 characters/],
    ['', /required/],
    [undefined, /required/],
    [42, /required/],
  ];
  for (const [input, message] of cases) {
    t.throws(() => assertPasswordPolicy(input, policy), { code: 'VALIDATION', publicCode: 'VALIDATION_FAILED', message }, String(message));
  }
  const strict = resolvePasswordPolicy({ minLength: 12 });
  t.throws(() => assertPasswordPolicy('elevenchars', strict), /at least 12 characters/);
  t.throws(() => resolvePasswordPolicy({ minLength: 0 }), RangeError);
  t.throws(() => resolvePasswordPolicy({ minLength: 10, maxLength: 5 }), RangeError);
});
