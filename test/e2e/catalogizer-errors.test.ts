import t from 'tap';
import { rm } from 'node:fs/promises';
import { startCatalogizerDaemon } from './catalogizer-helpers.js';

const { daemon, configDir } = await startCatalogizerDaemon();
t.teardown(async () => { await daemon.stop(); await rm(configDir, { recursive: true, force: true }); });
await daemon.loginAdmin('admin-password');

t.test('error reports: submit, list with filters, get, status, statistics', async (t) => {
  const sut = await daemon.request('POST', '/api/v1/errors/report', {
    level: 'error', message: 'Failed to process media file', error_code: 'MEDIA_PROCESS_ERROR', component: 'media_processor',
    stack_trace: 'goroutine 1 [running]:...', context: { file_id: 123 }, user_agent: 'Mozilla/5.0', url: '/api/v1/media/123/thumbnail',
  });
  t.equal(sut.status, 200);
  t.match(sut.body, { id: Number, user_id: 1, level: 'error', component: 'media_processor', status: 'new', fingerprint: /^[0-9a-f]{16}$/, context: { file_id: 123 } });
  t.ok(sut.body.system_info.node_version);
  await daemon.request('POST', '/api/v1/errors/report', { level: 'warning', message: 'Slow storage', component: 'storage' });
  await daemon.request('POST', '/api/v1/errors/report', { level: 'fatal', message: 'Out of disk', component: 'storage' });
  const dup = await daemon.request('POST', '/api/v1/errors/report', { level: 'fatal', message: 'Out of disk', component: 'storage' });
  t.equal(dup.body.occurrences, 2, 'a repeated report within the window is counted, not duplicated');

  const invalid = await daemon.request('POST', '/api/v1/errors/report', { level: 'loud', message: 'x' });
  t.equal(invalid.status, 400);
  t.equal((await daemon.request('POST', '/api/v1/errors/report', { level: 'error' })).status, 400, 'message required');

  const storage = await daemon.request('GET', '/api/v1/errors/reports?component=storage');
  t.same(storage.body.reports.map((r: any) => r.level), ['fatal', 'warning'], 'newest first, filtered');
  t.same(storage.body.filters, { component: 'storage', limit: 50, offset: 0 });
  t.equal((await daemon.request('GET', '/api/v1/errors/reports?level=error')).body.reports.length, 1);
  const today = new Date().toISOString().slice(0, 10);
  t.equal((await daemon.request('GET', `/api/v1/errors/reports?start_date=${today}&end_date=${today}`)).body.reports.length, 3);
  t.equal((await daemon.request('GET', '/api/v1/errors/reports?end_date=2000-01-01')).body.reports.length, 0);
  t.equal((await daemon.request('GET', '/api/v1/errors/reports?start_date=yesterday')).status, 400);

  t.equal((await daemon.request('GET', `/api/v1/errors/reports/${sut.body.id}`)).body.message, 'Failed to process media file');
  t.equal((await daemon.request('GET', '/api/v1/errors/reports/9999')).status, 404);
  t.equal((await daemon.request('GET', '/api/v1/errors/reports/x')).status, 400);
  t.equal((await daemon.request('PUT', `/api/v1/errors/reports/${sut.body.id}/status`, { status: 'done' })).status, 400);
  const resolved = await daemon.request('PUT', `/api/v1/errors/reports/${sut.body.id}/status`, { status: 'resolved' });
  t.equal(resolved.status, 204);
  t.ok((await daemon.request('GET', `/api/v1/errors/reports/${sut.body.id}`)).body.resolved_at);

  const stats = await daemon.request('GET', '/api/v1/errors/statistics');
  t.match(stats.body, { total_errors: 3, errors_by_level: { error: 1, warning: 1, fatal: 1 }, errors_by_component: { storage: 2, media_processor: 1 }, recent_errors: 3, resolved_errors: 1 });
  t.type(stats.body.avg_resolution_time, 'number');
});

t.test('crash reports and health', async (t) => {
  const sut = await daemon.request('POST', '/api/v1/errors/crash', { signal: 'SIGSEGV', message: 'Segmentation fault in media decoder', stack_trace: '...', context: { media_id: 42 } });
  t.equal(sut.status, 200);
  t.match(sut.body, { signal: 'SIGSEGV', status: 'new', context: { media_id: 42 } });
  t.equal((await daemon.request('POST', '/api/v1/errors/crash', { message: 'no signal' })).status, 400);
  const list = await daemon.request('GET', '/api/v1/errors/crashes?signal=SIGSEGV');
  t.equal(list.body.reports.length, 1);
  t.equal((await daemon.request('PUT', `/api/v1/errors/crashes/${sut.body.id}/status`, { status: 'ignored' })).status, 204);
  t.equal((await daemon.request('GET', `/api/v1/errors/crashes/${sut.body.id}`)).body.status, 'ignored');
  const stats = await daemon.request('GET', '/api/v1/errors/crash-statistics');
  t.match(stats.body, { total_crashes: 1, crashes_by_signal: { SIGSEGV: 1 }, recent_crashes: 1, resolved_crashes: 0 });
  t.ok(stats.body.crash_rate > 0);
  const health = await daemon.request('GET', '/api/v1/errors/health');
  t.match(health.body, { score: 100 - 2 * 3 - 10, status: 'healthy', metrics: { recent_errors: 3, recent_crashes: 1 } });
});
