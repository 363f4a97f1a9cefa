/**
 * Permission matrix over the guarded Catalogizer routes of auth/users/roles/configuration/
 * errors/logs: for every route, a plain user ('user' role) is refused with 403 JSON unless
 * that role grants the permission, and a user whose custom role grants exactly that
 * permission is let through (any answer but 401/403).
 */
import t from 'tap';
import { rm } from 'node:fs/promises';
import { createUser, startCatalogizerDaemon, v1Login } from './catalogizer-helpers.js';

const { daemon, configDir } = await startCatalogizerDaemon();
t.teardown(async () => { await daemon.stop(); await rm(configDir, { recursive: true, force: true }); });
await daemon.loginAdmin('admin-password');

const victim = await createUser(daemon, 'victim', 'victim-password');
const future = new Date(Date.now() + 3_600_000).toISOString();
const targetRole = (await daemon.request('POST', '/api/v1/roles', { name: 'matrix-target', permissions: ['media.view'] })).body.id as number;

interface Row { method: string; path: string; permission: string; body?: unknown }
const ROWS: Row[] = [
  { method: 'POST', path: '/api/v1/users', permission: 'user.create', body: { username: 'made-by-matrix', email: 'm@example.test', password: 'matrix-password', role_id: 2 } },
  { method: 'GET', path: '/api/v1/users', permission: 'user.view' },
  { method: 'GET', path: `/api/v1/users/${victim}`, permission: 'user.view' },
  { method: 'PUT', path: `/api/v1/users/${victim}`, permission: 'user.update', body: { first_name: 'Matrix' } },
  { method: 'DELETE', path: '/api/v1/users/99999', permission: 'user.delete' },
  { method: 'POST', path: `/api/v1/users/${victim}/reset-password`, permission: 'user.manage', body: { new_password: 'victim-password' } },
  { method: 'POST', path: `/api/v1/users/${victim}/lock`, permission: 'user.manage', body: { lock_until: future } },
  { method: 'POST', path: `/api/v1/users/${victim}/unlock`, permission: 'user.manage' },
  { method: 'GET', path: '/api/v1/roles', permission: 'system.admin' },
  { method: 'POST', path: '/api/v1/roles', permission: 'system.admin', body: { name: 'matrix-made', permissions: [] } },
  { method: 'GET', path: '/api/v1/roles/permissions', permission: 'system.admin' },
  { method: 'GET', path: '/api/v1/roles/1', permission: 'system.admin' },
  { method: 'PUT', path: `/api/v1/roles/${targetRole}`, permission: 'system.admin', body: { description: 'x' } },
  { method: 'DELETE', path: '/api/v1/roles/99999', permission: 'system.admin' },
  { method: 'GET', path: '/api/v1/configuration', permission: 'system.configure' },
  { method: 'PUT', path: '/api/v1/configuration', permission: 'system.admin', body: { log: { level: 'debug' } } },
  { method: 'POST', path: '/api/v1/configuration/test', permission: 'system.admin', body: { settings: {} } },
  { method: 'GET', path: '/api/v1/configuration/status', permission: 'system.configure' },
  { method: 'GET', path: '/api/v1/configuration/wizard/step/network', permission: 'system.configure' },
  { method: 'POST', path: '/api/v1/configuration/wizard/step/network/validate', permission: 'system.configure', body: {} },
  { method: 'POST', path: '/api/v1/configuration/wizard/step/network/save', permission: 'system.configure', body: {} },
  { method: 'GET', path: '/api/v1/configuration/wizard/progress', permission: 'system.configure' },
  { method: 'POST', path: '/api/v1/configuration/wizard/complete', permission: 'system.admin', body: {} },
  { method: 'POST', path: '/api/v1/errors/report', permission: 'report.create', body: { level: 'error', message: 'matrix' } },
  { method: 'POST', path: '/api/v1/errors/crash', permission: 'report.create', body: { signal: 'SIGSEGV', message: 'matrix' } },
  { method: 'GET', path: '/api/v1/errors/reports', permission: 'report.view' },
  { method: 'GET', path: '/api/v1/errors/reports/1', permission: 'report.view' },
  { method: 'PUT', path: '/api/v1/errors/reports/1/status', permission: 'report.create', body: { status: 'in_progress' } },
  { method: 'GET', path: '/api/v1/errors/crashes', permission: 'report.view' },
  { method: 'GET', path: '/api/v1/errors/crashes/1', permission: 'report.view' },
  { method: 'PUT', path: '/api/v1/errors/crashes/1/status', permission: 'report.create', body: { status: 'resolved' } },
  { method: 'GET', path: '/api/v1/errors/statistics', permission: 'report.view' },
  { method: 'GET', path: '/api/v1/errors/crash-statistics', permission: 'report.view' },
  { method: 'GET', path: '/api/v1/errors/health', permission: 'system.admin' },
  { method: 'POST', path: '/api/v1/logs/collect', permission: 'system.admin', body: { name: 'matrix', components: [] } },
  { method: 'GET', path: '/api/v1/logs/collections', permission: 'system.admin' },
  { method: 'GET', path: '/api/v1/logs/collections/1', permission: 'system.admin' },
  { method: 'GET', path: '/api/v1/logs/collections/1/entries', permission: 'system.admin' },
  { method: 'POST', path: '/api/v1/logs/collections/1/export?format=csv', permission: 'system.admin' },
  { method: 'GET', path: '/api/v1/logs/collections/1/analyze', permission: 'system.admin' },
  { method: 'POST', path: '/api/v1/logs/share', permission: 'system.admin', body: { collection_id: 1, share_type: 'private', permissions: ['read'] } },
  { method: 'DELETE', path: '/api/v1/logs/share/99999', permission: 'system.admin' },
  { method: 'GET', path: '/api/v1/logs/statistics', permission: 'system.admin' },
];

const userRole = (await daemon.request('GET', '/api/v1/roles/2')).body;
const plainGrants = new Set<string>(userRole.permissions);
const plain = await v1Login(daemon, (await createUser(daemon, 'plain-user', 'plain-password'), 'plain-user'), 'plain-password');

const tokens = new Map<string, string>();
for (const permission of new Set(ROWS.map((r) => r.permission))) {
  const role = await daemon.request('POST', '/api/v1/roles', { name: `only-${permission}`, permissions: [permission] });
  const name = `has-${permission.replace('.', '-')}`;
  await createUser(daemon, name, `${name}-password`, role.body.id);
  tokens.set(permission, (await v1Login(daemon, name, `${name}-password`)).session_token);
}

// Matrix cells that create state run in order: the collection and report ids 1 exist once
// the granted rows that create them ran, so later rows see real records.
t.test('plain user: 403 JSON unless the user role grants the permission', async (t) => {
  for (const row of ROWS) {
    const res = await daemon.request(row.method, row.path, row.body, plain.session_token);
    if (plainGrants.has(row.permission)) {
      t.notOk([401, 403].includes(res.status), `${row.method} ${row.path} allowed (user role has ${row.permission}): ${res.status}`);
    } else {
      t.equal(res.status, 403, `${row.method} ${row.path} refused without ${row.permission}`);
      t.match(res.body, { success: false, code: 'PERMISSION_DENIED' }, 'common error body');
    }
  }
});

t.test('custom role with exactly the permission: allowed', async (t) => {
  for (const row of ROWS) {
    const res = await daemon.request(row.method, row.path, row.body, tokens.get(row.permission)!);
    t.notOk([401, 403].includes(res.status), `${row.method} ${row.path} with ${row.permission}: ${res.status} ${res.status >= 400 ? JSON.stringify(res.body) : ''}`);
    t.not(res.status, 500);
  }
});

t.test('no credentials: 401 everywhere', async (t) => {
  for (const row of ROWS) {
    const res = await daemon.request(row.method, row.path, row.body, null);
    t.equal(res.status, 401, `${row.method} ${row.path}`);
  }
});
