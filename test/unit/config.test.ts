import t from 'tap';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseLibraryFlag, ConfigError } from '../../daemon/config/load.js';
import { LIBRARY_TYPES } from '../../daemon/domain/types.js';

t.test('defaults with no file, env or flags', async (t) => {
  const { config, file } = await loadConfig({ argv: [], env: {} });
  t.equal(file, undefined);
  t.equal(config.server.host, '0.0.0.0');
  t.equal(config.server.port, 8080);
  t.equal(config.stateDir, './alcove-data');
  t.same(config.libraries, []);
  t.ok(Object.isFrozen(config) && Object.isFrozen(config.server), 'deep frozen');
});

t.test('precedence: file < env < flags', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-cfg-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'alcove.yaml');
  await writeFile(file, 'server:\n  host: 10.0.0.1\n  port: 9000\n  name: FromFile\nlog:\n  level: debug\n');
  const { config } = await loadConfig({
    argv: ['--config', file, '--port', '0', '--library', 'Photos=/srv/photos:photo', '--library', 'Misc=/srv/m'],
    env: { ALCOVE_HOST: '127.0.0.1', ALCOVE_PORT: '7000' },
  });
  t.equal(config.server.host, '127.0.0.1', 'env beats file');
  t.equal(config.server.port, 0, 'flag beats env');
  t.equal(config.server.name, 'FromFile');
  t.equal(config.log.level, 'debug');
  t.same(config.libraries, [
    { name: 'Photos', path: '/srv/photos', type: 'photo' },
    { name: 'Misc', path: '/srv/m', type: 'mixed' },
  ]);
});

t.test('errors name the bad key and source', async (t) => {
  await t.rejects(loadConfig({ argv: [], env: { ALCOVE_PORT: 'abc' } }), /ALCOVE_PORT: expected an integer/);
  await t.rejects(loadConfig({ argv: ['--port', '99999'], env: {} }), /server\.port/);
  await t.rejects(loadConfig({ argv: ['--bogus'], env: {} }), ConfigError);
  const dir = await mkdtemp(join(tmpdir(), 'alcove-cfg-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'bad.yaml');
  await writeFile(file, 'server:\n  port: "x"\n  colour: red\n');
  await t.rejects(loadConfig({ argv: ['--config', file], env: {} }), /server\.port.*|server/);
  await writeFile(file, 'nope: [\n');
  await t.rejects(loadConfig({ argv: ['--config', file], env: {} }), /invalid YAML/);
  await t.rejects(loadConfig({ argv: ['--config', join(dir, 'missing.yaml')], env: {} }), /ENOENT/);
});

t.test('validation: defaults fill absent sections; every problem is named by its key', async (t) => {
  const { validateConfig } = await import('../../daemon/config/schema.js');
  const ok = validateConfig({ scan: { watch: false } });
  t.ok(ok.ok, 'valid');
  if (ok.ok) {
    t.equal(ok.config.scan.watch, false, 'given value kept');
    t.equal(ok.config.scan.watchDebounceMs, 2000, 'sibling default filled in');
    t.equal(ok.config.transcode.preset, 'veryfast', 'absent section gets its defaults');
    t.same(ok.config.libraries, [], 'absent list is empty');
  }
  const bad = validateConfig({ bogus: 1, server: { port: 70000, colour: 'red' }, libraries: [{ name: 'A', path: '/a', type: 'nope' }] });
  t.notOk(bad.ok, 'invalid');
  const errors = bad.ok ? [] : bad.errors;
  t.ok(errors.includes('bogus: unknown setting'), 'unknown top-level key');
  t.ok(errors.includes('server.colour: unknown setting'), 'unknown key in a section');
  t.ok(errors.some((e) => e.startsWith('server.port: ') && e.includes('65535')), 'port range');
  t.ok(errors.some((e) => e.startsWith('libraries.0.type: ')), 'library type');
  t.equal(errors.length, 4, errors.join(' | '));
});

t.test('--library parsing table', async (t) => {
  const cases: [string, unknown][] = [
    ['Movies=/srv/movies:movie', { name: 'Movies', path: '/srv/movies', type: 'movie' }],
    ['Movies=/srv/movies', { name: 'Movies', path: '/srv/movies', type: 'mixed' }],
    ['Odd=/srv/a:b', { name: 'Odd', path: '/srv/a:b', type: 'mixed' }],
    ['Odd=/srv/a:b:tv', { name: 'Odd', path: '/srv/a:b', type: 'tv' }],
  ];
  for (const [input, expected] of cases) t.same(parseLibraryFlag(input, LIBRARY_TYPES), expected, input);
  t.throws(() => parseLibraryFlag('/srv/x', LIBRARY_TYPES), /NAME=PATH/);
  t.throws(() => parseLibraryFlag('X=', LIBRARY_TYPES), /PATH is empty/);
});
