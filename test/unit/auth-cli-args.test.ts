import t from 'tap';
import { UsageError, parseCli } from '../../daemon/cli/args.js';

t.test('parses the user commands', async (t) => {
  const env = { ALCOVE_STATE_DIR: '/var/lib/alcove' };
  t.same(parseCli(['user', 'add', 'bob', '--role', 'admin', '--password-stdin'], env),
    { kind: 'user-add', username: 'bob', role: 'admin', passwordStdin: true, stateDir: '/var/lib/alcove' });
  t.same(parseCli(['user', 'add', 'bob', '--email', 'b@x.org', '--state-dir', '/s'], env),
    { kind: 'user-add', username: 'bob', role: 'user', passwordStdin: false, stateDir: '/s', email: 'b@x.org' });
  t.same(parseCli(['user', 'passwd', 'bob'], env), { kind: 'user-passwd', username: 'bob', passwordStdin: false, stateDir: '/var/lib/alcove' });
  t.same(parseCli(['--state-dir=/x', 'user', 'list', '--json'], env), { kind: 'user-list', json: true, stateDir: '/x' });
  t.same(parseCli(['user', 'list'], {}), { kind: 'user-list', json: false, stateDir: './alcove-data' }, 'default state dir');
  t.same(parseCli(['tui'], env), { kind: 'tui', stateDir: '/var/lib/alcove' });
  t.same(parseCli(['tui', '--url', 'http://nas:8080'], env), { kind: 'tui', stateDir: '/var/lib/alcove', url: 'http://nas:8080' });
  for (const help of [[], ['--help'], ['-h'], ['help'], ['user', 'add', '--help']]) t.same(parseCli(help, env), { kind: 'help' }, help.join(' '));
});

t.test('usage errors', async (t) => {
  const bad: [string[], RegExp][] = [
    [['nope'], /unknown command 'nope'/],
    [['user'], /needs a subcommand/],
    [['user', 'rm', 'x'], /unknown user subcommand 'rm'/],
    [['user', 'add'], /needs a username/],
    [['user', 'add', 'a', 'b'], /unexpected argument 'b'/],
    [['user', 'passwd', 'a', '--role', 'admin'], /--role does not apply/],
    [['user', 'list', 'extra'], /unexpected argument 'extra'/],
    [['user', 'list', '--unknown'], /unknown/i],
    [['user', 'add', 'bob', '--role'], /argument missing|role/i],
    [['tui', 'now'], /unexpected argument 'now'/],
    [['tui', '--role', 'admin'], /--role does not apply/],
    [['user', 'list', '--url', 'http://x'], /--url does not apply/],
  ];
  for (const [args, message] of bad) t.throws(() => parseCli(args, {}), { name: 'UsageError', message }, args.join(' '));
  t.ok(new UsageError('x') instanceof Error);
});
