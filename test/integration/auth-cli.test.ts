/**
 * The `alcove` CLI end to end: real child processes against a temp state dir whose index
 * this test process keeps open at the same time (as the daemon would).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { openIndexStore } from '../../daemon/index/lmdb-store.js';
import { derivePaths } from '../../daemon/config/paths.js';
import { createAuthServices } from '../../daemon/services/auth/create-auth.js';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const ENTRY = join(REPO, 'daemon/cli/alcove.ts');

/**
 * Transpile the CLI's import graph to plain JS in a temp dir (next to a node_modules link),
 * so each child starts in a fraction of a second instead of loading a TS compiler each time.
 * This runs the same source as the shipped dist/daemon/cli/alcove.js.
 */
async function buildCli(outDir: string): Promise<string> {
  const seen = new Set<string>();
  const pending = [ENTRY];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = await readFile(file, 'utf8');
    for (const m of source.matchAll(/(?:from\s+|import\()'(\.{1,2}\/[^']+)\.js'/g)) pending.push(resolve(dirname(file), `${m[1]}.ts`));
    const js = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    }).outputText;
    const target = join(outDir, relative(REPO, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, js);
  }
  await writeFile(join(outDir, 'package.json'), '{"type":"module"}');
  await symlink(join(REPO, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  return join(outDir, 'daemon/cli/alcove.js');
}

const buildDir = await mkdtemp(join(tmpdir(), 'alcove-cli-build-'));
t.teardown(() => rm(buildDir, { recursive: true, force: true }));
const CLI = await buildCli(buildDir);

interface Run { code: number | null; stdout: string; stderr: string }

function alcove(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ALCOVE_STATE_DIR: '', ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

t.test('user add, list, passwd, then login with the new password', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-cli-'));
  const paths = derivePaths(dir);
  t.teardown(() => rm(dir, { recursive: true, force: true }));

  const add = await alcove(['user', 'add', 'root', '--role', 'admin', '--password-stdin', '--state-dir', dir], { stdin: 'first-pass\n' });
  t.equal(add.code, 0, add.stderr);
  t.match(add.stdout, /created user root \(id \d+, role admin\)/);

  // From here the index is also open in this process, as it would be in the daemon.
  const store = await openIndexStore({ path: paths.indexDir });
  t.teardown(() => store.close());
  const { auth } = await createAuthServices({ store, secretKeyFile: paths.secretKeyFile, throttle: { ipAttempts: 100 } });
  t.equal(auth.setupRequired(), false, 'the CLI-made admin completes setup');
  t.equal((await auth.login({ password: 'first-pass' }, { ip: '127.0.0.1' })).user.username, 'root');
  const session = await auth.login({ username: 'root', password: 'first-pass' }, { ip: '127.0.0.1' });

  const addUser = await alcove(['user', 'add', 'alice', '--password-stdin'], { stdin: 'alice-pass\r\nignored\n', env: { ALCOVE_STATE_DIR: dir } });
  t.equal(addUser.code, 0, addUser.stderr);
  t.match(addUser.stdout, /role user/);

  const list = await alcove(['user', 'list', '--state-dir', dir]);
  t.equal(list.code, 0, list.stderr);
  const lines = list.stdout.trim().split('\n');
  t.match(lines[0], /^ID\s+USERNAME\s+ROLE\s+STATUS\s+LAST LOGIN$/);
  t.match(lines[1], /^1\s+root\s+admin\s+active\s+\d{4}-\d\d-\d\dT/);
  t.match(lines[2], /^2\s+alice\s+user\s+active\s+-$/);
  const json = await alcove(['user', 'list', '--json', '--state-dir', dir]);
  const users = JSON.parse(json.stdout) as { username: string; passwordHash?: string }[];
  t.same(users.map((u) => u.username), ['root', 'alice']);
  t.notOk(users.some((u) => 'passwordHash' in u), 'no hashes in the output');

  const passwd = await alcove(['user', 'passwd', 'ROOT', '--password-stdin', '--state-dir', dir], { stdin: 'second-pass\n' });
  t.equal(passwd.code, 0, passwd.stderr);
  t.match(passwd.stdout, /password changed for root/);
  t.equal(await auth.authenticate({ bearerToken: session.token }), undefined, 'the daemon-side session was revoked');
  await t.rejects(auth.login({ username: 'root', password: 'first-pass' }, { ip: '127.0.0.1' }), { code: 'UNAUTHORIZED' });
  const relogin = await auth.login({ username: 'root', password: 'second-pass' }, { ip: '127.0.0.1' });
  t.equal(relogin.user.isAdmin, true);
  t.ok(await auth.login({ username: 'alice', password: 'alice-pass' }, { ip: '127.0.0.1' }), 'only the first line of stdin is the password');

  const dup = await alcove(['user', 'add', 'Alice', '--password-stdin', '--state-dir', dir], { stdin: 'whatever1\n' });
  t.equal(dup.code, 1);
  t.equal(dup.stderr, 'alcove: Username already exists\n', 'one-line error');
  const weak = await alcove(['user', 'passwd', 'alice', '--password-stdin', '--state-dir', dir], { stdin: 'abc\n' });
  t.equal(weak.code, 1);
  t.match(weak.stderr, /at least 6 characters/);
  const missing = await alcove(['user', 'passwd', 'nobody', '--password-stdin', '--state-dir', dir], { stdin: 'whatever1\n' });
  t.equal(missing.code, 1);
  t.match(missing.stderr, /no user named 'nobody'/);
  const badRole = await alcove(['user', 'add', 'erin', '--role', 'wizard', '--password-stdin', '--state-dir', dir], { stdin: 'whatever1\n' });
  t.equal(badRole.code, 1);
  t.match(badRole.stderr, /Unknown role: wizard/);
});

t.test('usage errors exit 2; help exits 0; missing index exits 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const cases: [string[], number, RegExp][] = [
    [['--help'], 0, /Usage: alcove/],
    [[], 0, /Usage: alcove/],
    [['frobnicate'], 2, /unknown command 'frobnicate'/],
    [['user'], 2, /needs a subcommand/],
    [['user', 'add'], 2, /needs a username/],
    [['user', 'list', '--role', 'x'], 2, /--role does not apply/],
    [['user', 'list', '--bogus'], 2, /bogus/],
    [['tui', '--state-dir', dir], 1, /no daemon is running on .* \(no daemon\.json\)/],
    [['user', 'add', 'bob', '--state-dir', dir], 2, /--password-stdin/],
    [['user', 'list', '--state-dir', join(dir, 'nope')], 1, /no index at/],
  ];
  const runs = await Promise.all(cases.map(([args]) => alcove(args)));
  runs.forEach((run, i) => {
    const [args, code, message] = cases[i];
    t.equal(run.code, code, `alcove ${args.join(' ')} -> ${code}`);
    t.match(run.stdout + run.stderr, message);
  });
});
