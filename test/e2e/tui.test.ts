/**
 * `alcove tui --state-dir` against the built daemon, inside a private tmux server at
 * 80x24: it connects with no URL and no password (daemon.json + admin.token), and every
 * screen is driven with keys and read back with capture-pane: dashboard figures, the
 * library list, a rescan whose progress moves and ends done, adding a user (who can then
 * log in over the API), live logs with the level filter, hardware, help and resizes.
 */
import t from 'tap';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT, eventually, startDaemon, type RunningDaemon } from '../helpers/daemon.js';
import { TmuxSession, shq } from '../helpers/tmux.js';

const DIRS = 200;
const PER_DIR = 30;
const media = await mkdtemp(join(tmpdir(), 'alcove-tui-media-'));
await writeFile(join(media, 'first.mkv'), '');
const configFile = join(await mkdtemp(join(tmpdir(), 'alcove-tui-conf-')), 'alcove.yaml');

/** Many folders, so the walk reports progress several times (one report per 250 ms at most). */
async function addClips(): Promise<void> {
  for (let n = 0; n < DIRS; n++) {
    const dir = join(media, `d${String(n).padStart(3, '0')}`);
    await mkdir(dir);
    await Promise.all(Array.from({ length: PER_DIR }, (_, i) => writeFile(join(dir, `clip${i}.mkv`), '')));
  }
}

let d: RunningDaemon;
let tui: TmuxSession;
t.before(async () => {
  // No watcher or periodic rescans: the rescan below must be the TUI's own.
  await writeFile(configFile, 'scan:\n  watch: false\n  localIntervalMinutes: 0\n  remoteIntervalMinutes: 0\n');
  d = await startDaemon({ args: ['--config', configFile, '--library', `Clips=${media}:movie`] });
  await d.loginAdmin('tui-admin-pass');
  // The daemon writes admin.token once the first admin exists.
  await eventually(() => readFile(join(d.stateDir, 'admin.token'), 'utf8').catch(() => ''));
  await eventually(async () => (await d.request('GET', '/api/scan-status')).body?.libraries?.[0]?.state === 'done', 30_000);
  tui = await TmuxSession.start({
    cwd: REPO_ROOT,
    command: `node dist/daemon/cli/alcove.js tui --state-dir ${shq(d.stateDir)}; echo TUI-EXIT=$?; sleep 60`,
  });
});
t.teardown(async () => {
  await tui?.kill();
  await d?.stop();
  await rm(media, { recursive: true, force: true });
  await rm(dirname(configFile), { recursive: true, force: true });
});

t.test('dashboard: version, uptime, memory and library counts, without a URL or password', async (t) => {
  const screen = await tui.waitFor(/Libraries 1: 1 online, 0 offline/, 15_000);
  t.match(screen, /\[1 Dashboard\]/);
  t.match(screen, /Version\s+0\.1\.0/);
  t.match(screen, /Uptime\s+\d+s/);
  t.match(screen, /Memory\s+[\d.]+ MiB rss/);
  t.match(screen, /Files\s+1\s/);
  t.match(screen, /\[live\]/, 'the WebSocket is connected');
  t.match(screen, /Connected to http:\/\/127\.0\.0\.1:\d+ as admin/);
  t.notMatch(screen, /lqq|qqk|x {3}/, 'borders are drawn as lines, not letters');
});

t.test('libraries: lists the library; a rescan shows moving progress then done', async (t) => {
  await tui.keys('2');
  const screen = await tui.waitFor('[2 Libraries]');
  t.match(screen, /Clips\s+movie\s+\d+\s+online\s+done/);
  t.match(screen, new RegExp(`file://${media.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  await addClips();
  await tui.keys('S');
  const counts = new Set<string>();
  const done = await tui.waitFor((s) => {
    const m = /Scan: walk \[[#.]+\] (\d+)/.exec(s);
    if (m) counts.add(m[1]);
    return counts.size > 0 && new RegExp(`Last scan: done, \\+${DIRS * (PER_DIR + 1)} `).test(s);
  }, 30_000);
  // The bar was seen mid-walk (a count short of the total), then the scan ended done.
  const seen = [...counts].map(Number);
  t.ok(seen.some((n) => n < DIRS * (PER_DIR + 1)), `live progress seen mid-scan: ${seen.join(' -> ')} of ${DIRS * (PER_DIR + 1)}`);
  t.match(done, /Full scan of Clips started|Clips/);
  const history = await d.request('GET', '/api/scan-status');
  t.equal(history.body.history[0].kind, 'full', 'the TUI started a full scan');
});

t.test('users: add a user who can then log in', async (t) => {
  await tui.keys('3');
  await tui.waitFor(/admin\s+admin\s+active/);
  await tui.keys('a');
  await tui.waitFor('Add user');
  await tui.type('carol');
  await tui.keys('Enter');
  await tui.waitFor('< user >');
  await tui.keys('Enter');
  await tui.type('carol-password-1');
  await tui.keys('Enter');
  await tui.type('carol-password-1');
  await tui.keys('Enter');
  await tui.type('carol@example.org');
  await tui.keys('Enter');
  const screen = await tui.waitFor(/carol\s+user\s+active/);
  t.match(screen, /User added/);
  const login = await d.request('POST', '/api/auth/login', { username: 'carol', password: 'carol-password-1' }, null);
  t.equal(login.status, 200, 'carol logs in with the password typed in the TUI');
  t.equal(login.body.user.isAdmin, false);
});

t.test('users: a bad form is refused in the dialog and can be cancelled', async (t) => {
  await tui.keys('a');
  await tui.waitFor('Add user');
  await tui.type('dave');
  await tui.keys('Enter', 'Enter');
  await tui.type('one-password');
  await tui.keys('Enter');
  await tui.type('another-password');
  await tui.keys('Enter', 'Enter');
  await tui.waitFor('The passwords differ');
  await tui.keys('Escape');
  const screen = await tui.waitFor((s) => !s.includes('Add user'));
  t.notMatch(screen, /dave/);
  const login = await d.request('POST', '/api/auth/login', { username: 'dave', password: 'one-password' }, null);
  t.equal(login.status, 401, 'no user was created');
});

t.test('logs: live lines, filtered by level', async (t) => {
  await tui.keys('5');
  await tui.waitFor('Live log: info and above');
  await d.request('GET', '/api/tui-marker-one', undefined, null);
  let screen = await tui.waitFor('/api/tui-marker-one 404');
  t.notMatch(screen, /DEBUG/, 'debug lines hidden at info');
  await tui.keys('l');
  screen = await tui.waitFor('Live log: warn and above');
  t.notMatch(screen, / INFO /, 'info lines hidden at warn');
  // A location that disappears is logged as a warning.
  const gone = await mkdtemp(join(tmpdir(), 'alcove-tui-gone-'));
  const created = await d.request('POST', '/api/libraries', { name: 'Gone', type: 'movie', path: gone });
  t.equal(created.status, 201);
  await eventually(async () => (await d.request('GET', '/api/scan-status')).body.libraries.find((s: { libraryId: number }) => s.libraryId === created.body.numericId)?.state === 'done', 15_000);
  await rm(gone, { recursive: true, force: true });
  await d.request('POST', `/api/libraries/${created.body.id}/scan`);
  screen = await tui.waitFor(/WARN\s+\[\w+\] .*(offline|unreachable)/, 15_000);
  t.notMatch(screen, / INFO /);
  await tui.keys('l', 'l');
  await tui.waitFor('Live log: debug and above');
  await d.request('GET', '/health', undefined, null);
  screen = await tui.waitFor(/DEBUG\s+\[http\] GET \/health 200/);
  t.match(screen, /DEBUG\s+\[http\] GET \/health 200/, 'debug lines shown at debug');
  await tui.keys('l');
  await tui.waitFor('Live log: info and above');
});

t.test('hardware screen shows the detection report (or says it is not available)', async (t) => {
  await tui.keys('4');
  const screen = await tui.waitFor(/ffmpeg\s+\S+ \(|not available/, 30_000);
  t.match(screen, /\[4 Hardware\]/);
  if (!/not available/.test(screen)) t.match(screen, /In use\s+\w+/);
});

t.test('help on every screen, and resizes re-render cleanly', async (t) => {
  for (const [key, title] of [['1', 'Dashboard'], ['2', 'Libraries'], ['3', 'Users'], ['4', 'Hardware'], ['5', 'Logs']]) {
    await tui.keys(key);
    await tui.waitFor(`[${key} ${title}]`);
    await tui.keys('?');
    const help = await tui.waitFor(`${title}: keys`);
    t.match(help, /q\s+quit/, `${title} has key help`);
    await tui.keys('x');
    await tui.waitFor((s) => !s.includes(`${title}: keys`));
  }
  await tui.keys('2');
  await tui.resize(120, 40);
  let screen = await tui.waitFor((s) => s.split('\n').some((l) => l.length > 100) && /└─{100,}┘/.test(s));
  const lines = screen.split('\n');
  t.ok(lines.some((l) => /^Clips\s+movie/.test(l)), 'library row at 120 columns');
  t.ok(lines.every((l) => l.length <= 120), 'nothing wider than the window');
  await tui.resize(60, 20);
  screen = await tui.waitFor((s) => /^\S*┌─ Details ─+┐$/m.test(s) && s.split('\n').every((l) => l.length <= 60));
  t.match(screen, /^\s*1 Dashboard \[2 Libraries\] 3 Users/m, 'tabs fit a narrow window');
  await tui.resize(80, 24);
  screen = await tui.waitFor((s) => /┌─ Details ─{60,}┐/.test(s));
  t.equal(screen.split('\n').filter((l) => l.includes('┌─ Details')).length, 1, 'no stale frame left behind');
});

t.test('q quits with status 0', async (t) => {
  await tui.keys('q');
  const screen = await tui.waitFor('TUI-EXIT=');
  t.match(screen, /TUI-EXIT=0/);
});
