import t from 'tap';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemon } from '../helpers/daemon.js';
import { startCatalogizerDaemon } from './catalogizer-helpers.js';

const { daemon, configDir } = await startCatalogizerDaemon('', {}, true);
let restarted: Awaited<ReturnType<typeof startDaemon>> | undefined;
t.teardown(async () => {
  await daemon.stop();
  await restarted?.stop();
  await rm(daemon.stateDir, { recursive: true, force: true });
  await rm(configDir, { recursive: true, force: true });
});
await daemon.loginAdmin('admin-password');

t.test('read and change the real configuration; secrets masked; overlay persisted', async (t) => {
  const sut = await daemon.request('GET', '/api/v1/configuration');
  t.equal(sut.status, 200);
  t.equal(sut.body.configuration.rateLimits.authPerMinute, 10000, 'the running configuration (from the config file)');
  t.equal(sut.body.configuration.server.host, '127.0.0.1');
  t.ok(sut.body.live_settings.includes('log.level'));

  const invalid = await daemon.request('PUT', '/api/v1/configuration', { server: { port: 'eighty' } });
  t.equal(invalid.status, 400);
  t.equal(invalid.body.code, 'INVALID_CONFIGURATION');
  t.ok(invalid.body.errors.some((e: string) => e.startsWith('server.port')));
  t.equal((await daemon.request('PUT', '/api/v1/configuration', { stateDir: '/tmp/elsewhere' })).status, 400);
  t.equal((await daemon.request('PUT', '/api/v1/configuration', { nonsense: true })).status, 400, 'unknown keys refused (strict schema)');

  const changed = await daemon.request('PUT', '/api/v1/configuration', {
    log: { level: 'warn' }, metadata: { tmdbApiKey: 'sekrit-key-123' }, transcode: { maxSessions: 3 },
  });
  t.equal(changed.status, 200);
  t.equal(changed.body.configuration.metadata.tmdbApiKey, '********');
  t.notOk(JSON.stringify(changed.body).includes('sekrit-key-123'), 'the secret never comes back');
  t.same(changed.body.restart_required, ['metadata.tmdbApiKey', 'transcode.maxSessions'], 'log.level applied live; the rest at the next start');
  const again = await daemon.request('PUT', '/api/v1/configuration', { metadata: { tmdbApiKey: '********' } });
  t.equal(again.status, 200, 'a masked secret sent back keeps the stored one');

  const overlay = await readFile(join(daemon.stateDir, 'config.override.yaml'), 'utf8');
  t.match(overlay, /tmdbApiKey: sekrit-key-123/);
  t.match(overlay, /level: warn/);

  const tested = await daemon.request('POST', '/api/v1/configuration/test', { settings: { server: { port: 99999 } } });
  t.equal(tested.body.is_valid, false);
  t.ok(tested.body.errors.length > 0);
  const ok = await daemon.request('POST', '/api/v1/configuration/test', { settings: { auth: { registration: 'open' } } });
  t.equal(ok.body.is_valid, true);
  t.ok(ok.body.warnings.some((w: string) => /Registration is open/.test(w)));

  const status = await daemon.request('GET', '/api/v1/configuration/status');
  t.match(status.body, { status: /healthy|degraded/, version: String, uptime: String, components: { database: 'healthy', authentication: 'healthy' } });
  const discovery = await daemon.request('GET', '/api/v1/discovery');
  t.same(discovery.body, { host: '127.0.0.1', port: daemon.port });
});

t.test('live log level: debug lines appear after raising the level', async (t) => {
  await daemon.request('PUT', '/api/v1/configuration', { log: { level: 'error' } });
  const before = daemon.logs.length;
  await daemon.request('GET', '/api/v1/configuration/status');
  await new Promise((r) => setTimeout(r, 200));
  t.notOk(daemon.logs.slice(before).some((l) => l.level < 50), 'nothing below error is logged');
  await daemon.request('PUT', '/api/v1/configuration', { log: { level: 'debug' } });
  const mark = daemon.logs.length;
  await daemon.request('GET', '/api/v1/configuration/status');
  await new Promise((r) => setTimeout(r, 200));
  t.ok(daemon.logs.slice(mark).some((l) => l.level <= 30), 'info/debug lines flow again');
});

t.test('wizard: steps, validation, progress, completion applies', async (t) => {
  const step = await daemon.request('GET', '/api/v1/configuration/wizard/step/network');
  t.equal(step.status, 200);
  t.match(step.body, { id: 'network', type: 'form', order: 4 });
  t.ok(step.body.fields.some((f: any) => f.name === 'server.port' && f.default_value !== undefined));
  const ext = await daemon.request('GET', '/api/v1/configuration/wizard/step/external_services');
  t.equal(ext.body.fields.find((f: any) => f.name === 'metadata.tmdbApiKey').default_value, '********');
  const unknown = await daemon.request('GET', '/api/v1/configuration/wizard/step/nope');
  t.equal(unknown.status, 404);
  t.equal(unknown.body.error, 'wizard step not found: nope');

  const invalid = await daemon.request('POST', '/api/v1/configuration/wizard/step/network/validate', { 'server.port': -1 });
  t.equal(invalid.body.is_valid, false);
  const valid = await daemon.request('POST', '/api/v1/configuration/wizard/step/authentication/validate', { auth: { sessionTtlHours: 48 } });
  t.same(valid.body, { is_valid: true, errors: [], warnings: [] });

  t.equal((await daemon.request('GET', '/api/v1/configuration/wizard/progress')).status, 404, 'no progress yet');
  const saved = await daemon.request('POST', '/api/v1/configuration/wizard/step/authentication/save', { 'auth.sessionTtlHours': 48, 'rateLimits.apiPerMinute': 90000 });
  t.same(saved.body, { message: 'Progress saved successfully' });
  await daemon.request('POST', '/api/v1/configuration/wizard/step/network/save', { 'server.name': 'Wizard Box' });
  const progress = await daemon.request('GET', '/api/v1/configuration/wizard/progress');
  t.match(progress.body, { user_id: 1, current_step: 'network', all_data: { auth: { sessionTtlHours: 48 }, server: { name: 'Wizard Box' } } });

  const done = await daemon.request('POST', '/api/v1/configuration/wizard/complete', {});
  t.equal(done.status, 200);
  t.equal(done.body.message, 'Wizard completed successfully');
  t.equal(done.body.configuration.network.name, 'Wizard Box');
  const cfg = await daemon.request('GET', '/api/v1/configuration');
  t.equal(cfg.body.configuration.auth.sessionTtlHours, 48);
  t.equal(cfg.body.configuration.rateLimits.apiPerMinute, 90000);
  t.equal((await daemon.request('GET', '/api/v1/configuration/wizard/progress')).body.completed, true);
});

t.test('the overlay is loaded at the next start', async (t) => {
  const stateDir = daemon.stateDir;
  await daemon.stop();
  restarted = await startDaemon({ stateDir, env: { ALCOVE_LOG_LEVEL: '' } });
  await restarted.loginAdmin('admin-password');
  const cfg = await restarted.request('GET', '/api/v1/configuration');
  t.equal(cfg.body.configuration.server.name, 'Wizard Box');
  t.equal(cfg.body.configuration.transcode.maxSessions, 3);
  t.equal(cfg.body.configuration.rateLimits.apiPerMinute, 90000);
  t.equal(cfg.body.configuration.metadata.tmdbApiKey, '********');
  t.same(cfg.body.restart_required, [], 'nothing pending after a restart');
});
