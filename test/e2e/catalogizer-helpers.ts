/**
 * Shared setup of the Catalogizer e2e tests of auth, users, roles, configuration, errors and
 * logs: a daemon with generous rate limits (so tests are not throttled; the limit itself
 * is tested by lowering it live) and open registration, plus small request helpers.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type RunningDaemon } from '../helpers/daemon.js';

export async function startCatalogizerDaemon(extraYaml = '', env: Record<string, string> = {}, keepState = false): Promise<{ daemon: RunningDaemon; configDir: string }> {
  const configDir = await mkdtemp(join(tmpdir(), 'alcove-cat-cfg-'));
  const file = join(configDir, 'alcove.yaml');
  await writeFile(file, `rateLimits:\n  authPerMinute: 10000\n  apiPerMinute: 100000\nscan:\n  onStartup: false\n  watch: false\n${extraYaml}`);
  const daemon = await startDaemon({ args: ['--config', file], env: { ALCOVE_REGISTRATION: 'open', ...env }, keepState });
  return { daemon, configDir };
}

/** Log in through /api/v1/auth/login; returns the Catalogizer login answer. */
export async function v1Login(daemon: RunningDaemon, username: string, password: string): Promise<{ session_token: string; refresh_token: string; user: any }> {
  const res = await daemon.request('POST', '/api/v1/auth/login', { username, password }, null);
  if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Create a user with the admin token (role by name via role_id lookup). */
export async function createUser(daemon: RunningDaemon, username: string, password: string, roleId = 2): Promise<number> {
  const res = await daemon.request('POST', '/api/v1/users', {
    username, email: `${username}@example.test`, password, role_id: roleId, first_name: 'F', last_name: 'L',
  });
  if (res.status !== 201) throw new Error(`create ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as number;
}
