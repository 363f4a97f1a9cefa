/**
 * SessionService's per-generation memo (session, user, permissions of a token): with the
 * index write generation wired in, as in the daemon, every write that can change a
 * request's identity is seen by the very next authentication: logout/revocation, lock,
 * role change, custom role permissions, user removal; the sliding-expiry touch still
 * happens; expiry is still checked against the clock.
 */
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openIndexStore } from '../../daemon/index/lmdb-store.js';
import { withWriteGeneration } from '../../daemon/index/write-generation.js';
import { derivePaths } from '../../daemon/config/paths.js';
import { createAuthServices } from '../../daemon/services/auth/create-auth.js';

const FAST = { N: 2 ** 12, r: 8, p: 1, keyLen: 32 };

async function setup(t: { teardown(fn: () => unknown): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-memo-'));
  const paths = derivePaths(dir);
  let now = Date.UTC(2026, 0, 1);
  const clock = { now: () => now };
  const store = withWriteGeneration(await openIndexStore({ path: paths.indexDir, clock }));
  const services = await createAuthServices({
    store, secretKeyFile: paths.secretKeyFile, localAdminTokenFile: paths.localAdminTokenFile,
    clock, scrypt: FAST, throttle: { ipAttempts: 1000, maxFailures: 1000 },
  });
  t.teardown(async () => { await store.close(); await rm(dir, { recursive: true, force: true }); });
  await services.auth.setup({ username: 'boss', password: 'secret1' });
  const alice = await services.users.create({ username: 'alice', password: 'alice-pw', role: 'user' });
  const login = await services.auth.login({ username: 'alice', password: 'alice-pw' }, {});
  return { ...services, store, alice, token: login.token, session: login.session, advance: (ms: number) => { now += ms; } };
}

const reads = (store: { sessions: { get: unknown }; users: { get: unknown } }) => {
  let n = 0;
  for (const repo of [store.sessions, store.users] as { get: (...a: unknown[]) => unknown }[]) {
    const original = repo.get.bind(repo);
    repo.get = (...a: unknown[]) => { n++; return original(...a); };
  }
  return () => n;
};

t.test('repeated requests skip the index reads; the answer is the same', async (t) => {
  const s = await setup(t);
  const first = await s.auth.authenticate({ bearerToken: s.token });
  const count = reads(s.store);
  const second = await s.auth.authenticate({ bearerToken: s.token });
  t.equal(count(), 0, 'no session/user reads while nothing was written');
  t.same(second, first);
  t.not(second, first, 'a copy: one request cannot change what the next one sees');
});

t.test('logout and revocation take effect at once', async (t) => {
  const s = await setup(t);
  t.ok(await s.auth.authenticate({ bearerToken: s.token }));
  t.ok(await s.auth.authenticate({ bearerToken: s.token }));
  await s.auth.logout(s.session.id);
  t.equal(await s.auth.authenticate({ bearerToken: s.token }), undefined, 'logged out');

  const again = await s.auth.login({ username: 'alice', password: 'alice-pw' }, {});
  t.ok(await s.auth.authenticate({ bearerToken: again.token }));
  await s.sessions.revokeUser(s.alice.id);
  t.equal(await s.auth.authenticate({ bearerToken: again.token }), undefined, 'revoked');
});

t.test('lock, role change, custom role permissions and removal take effect at once', async (t) => {
  const s = await setup(t);
  const role = await s.roles.create({ name: 'viewers', permissions: ['media.view'] });
  await s.users.update(s.alice.id, { role: role.name });
  let info = await s.auth.authenticate({ bearerToken: s.token });
  info = await s.auth.authenticate({ bearerToken: s.token });
  t.same([...info!.permissions], ['media.view']);
  t.equal(info!.user.role, 'viewers');

  await s.roles.update(role.id, { permissions: ['media.view', 'media.edit'] });
  info = await s.auth.authenticate({ bearerToken: s.token });
  t.ok(info!.permissions.has('media.edit'), 'new role permissions');

  await s.users.update(s.alice.id, { role: 'admin' });
  info = await s.auth.authenticate({ bearerToken: s.token });
  t.equal(info!.isAdmin, true, 'promoted');

  await s.users.update(s.alice.id, { role: 'user', locked: true });
  t.equal(await s.auth.authenticate({ bearerToken: s.token }), undefined, 'locked');
  await s.users.update(s.alice.id, { locked: false });
  const fresh = await s.auth.login({ username: 'alice', password: 'alice-pw' }, {});
  t.ok(await s.auth.authenticate({ bearerToken: fresh.token }));
  t.ok(await s.auth.authenticate({ bearerToken: fresh.token }));
  await s.users.remove(s.alice.id);
  t.equal(await s.auth.authenticate({ bearerToken: fresh.token }), undefined, 'removed');
});

t.test('the sliding-expiry touch still happens, and expiry is checked on every request', async (t) => {
  const s = await setup(t);
  const first = await s.auth.authenticate({ bearerToken: s.token });
  s.advance(61_000);
  const touched = await s.auth.authenticate({ bearerToken: s.token });
  t.ok(touched!.session.lastSeenAt > first!.session.lastSeenAt, 'touched after the interval');
  t.equal(s.store.sessions.get(s.session.id)!.lastSeenAt, touched!.session.lastSeenAt, 'and written');
  await s.auth.authenticate({ bearerToken: s.token });
  s.advance(8 * 24 * 3600 * 1000);
  t.equal(await s.auth.authenticate({ bearerToken: s.token }), undefined, 'expired (sliding lifetime passed)');
});
