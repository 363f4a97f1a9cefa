/**
 * `alcove tui --url` against a fresh built daemon with no admin: the first-run setup
 * screen creates the administrator (who can then log in over the API, and whose creation
 * makes the daemon write admin.token); a second run gets the login prompt, refuses a wrong
 * password in the dialog and enters with the right one. Without a running daemon the
 * local mode exits 1 with a one-line reason.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, eventually, startDaemon, type RunningDaemon } from '../helpers/daemon.js';
import { TmuxSession } from '../helpers/tmux.js';

let d: RunningDaemon;
const sessions: TmuxSession[] = [];
t.before(async () => {
  d = await startDaemon();
});
t.teardown(async () => {
  for (const s of sessions) await s.kill();
  await d?.stop();
});

async function tuiAt(url: string): Promise<TmuxSession> {
  const s = await TmuxSession.start({ cwd: REPO_ROOT, command: `node dist/daemon/cli/alcove.js tui --url ${url}; echo TUI-EXIT=$?; sleep 60` });
  sessions.push(s);
  return s;
}

t.test('first-run setup creates the administrator', async (t) => {
  t.equal((await d.request('GET', '/api/auth/check', undefined, null)).body.setupRequired, true);
  const tui = await tuiAt(d.baseUrl);
  let screen = await tui.waitFor('Create the administrator', 15_000);
  t.match(screen, /first-run setup/);
  t.match(screen, /Username:\s+admin_/, 'username defaults to admin');
  await tui.keys('C-u');
  await tui.type('root-admin');
  await tui.keys('Enter');
  await tui.type('setup-password-1');
  await tui.keys('Enter');
  await tui.type('setup-password-1');
  await tui.keys('Enter');
  screen = await tui.waitFor(/Libraries 0: 0 online, 0 offline/, 15_000);
  t.match(screen, /Connected to http:\/\/127\.0\.0\.1:\d+ as root-admin/);
  const login = await d.request('POST', '/api/auth/login', { username: 'root-admin', password: 'setup-password-1' }, null);
  t.equal(login.status, 200);
  t.equal(login.body.user.isAdmin, true);
  const token = await eventually(() => readFile(join(d.stateDir, 'admin.token'), 'utf8').catch(() => ''));
  t.ok(token.trim().length > 20, 'the daemon wrote admin.token once the admin existed');
  await tui.keys('q');
  t.match(await tui.waitFor('TUI-EXIT='), /TUI-EXIT=0/);
});

t.test('login prompt: a wrong password is refused in the dialog, the right one enters', async (t) => {
  const tui = await tuiAt(d.baseUrl);
  await tui.waitFor('Log in to http://127.0.0.1', 15_000);
  await tui.type('root-admin');
  await tui.keys('Enter');
  await tui.type('wrong-password');
  await tui.keys('Enter');
  const refused = await tui.waitFor('Invalid username or password');
  t.match(refused, /Username: root-admin\s/, 'the username is kept');
  t.match(refused, /Password: _/, 'the password is asked again');
  await tui.type('setup-password-1');
  await tui.keys('Enter');
  const screen = await tui.waitFor(/\[1 Dashboard\]/, 15_000);
  t.match(screen, /as root-admin/);
  await tui.keys('q');
  t.match(await tui.waitFor('TUI-EXIT='), /TUI-EXIT=0/);
});

t.test('local mode without a running daemon exits 1 with the reason', async (t) => {
  const empty = await mkdtemp(join(tmpdir(), 'alcove-tui-empty-'));
  try {
    const run = promisify(execFile);
    const err = await run(process.execPath, [join(REPO_ROOT, 'dist/daemon/cli/alcove.js'), 'tui', '--state-dir', empty]).then(() => undefined, (e: { code: number; stderr: string }) => e);
    t.equal(err?.code, 1);
    t.match(err?.stderr, /no daemon is running on .* \(no daemon\.json\)/);
    const bad = await run(process.execPath, [join(REPO_ROOT, 'dist/daemon/cli/alcove.js'), 'tui', '--url', 'http://127.0.0.1:1']).then(() => undefined, (e: { code: number; stderr: string }) => e);
    t.equal(bad?.code, 1);
    t.match(bad?.stderr, /cannot reach http:\/\/127\.0\.0\.1:1/);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});
