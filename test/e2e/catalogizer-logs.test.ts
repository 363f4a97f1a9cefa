import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCatalogizerDaemon } from './catalogizer-helpers.js';

const { daemon, configDir } = await startCatalogizerDaemon();
const work = await mkdtemp(join(tmpdir(), 'alcove-cat-logs-'));
t.teardown(async () => { await daemon.stop(); await rm(configDir, { recursive: true, force: true }); await rm(work, { recursive: true, force: true }); });
await daemon.loginAdmin('admin-password');
// Failed logins produce real warn/info lines from the auth component.
for (let i = 0; i < 3; i++) await daemon.request('POST', '/api/v1/auth/login', { username: 'admin', password: `wrong-${i}` }, null);

let collectionId = 0;
t.test('collect from the daemon log, list, entries with filters', async (t) => {
  t.equal((await daemon.request('POST', '/api/v1/logs/collect', { components: [] })).status, 400, 'name required');
  t.equal((await daemon.request('POST', '/api/v1/logs/collect', { name: 'x', log_level: 'loud' })).status, 400);
  const sut = await daemon.request('POST', '/api/v1/logs/collect', { name: 'Debug Session', description: 'auth check', components: ['auth', 'http'], log_level: 'debug' });
  t.equal(sut.status, 201);
  t.match(sut.body, { id: Number, name: 'Debug Session', status: 'completed', components: ['auth', 'http'] });
  t.ok(sut.body.entry_count > 0, `collected ${sut.body.entry_count} entries`);
  collectionId = sut.body.id;

  const list = await daemon.request('GET', '/api/v1/logs/collections');
  t.match(list.body, { limit: 20, offset: 0 });
  t.equal(list.body.collections[0].id, collectionId);
  t.equal((await daemon.request('GET', '/api/v1/logs/collections/999')).status, 404);

  const entries = await daemon.request('GET', `/api/v1/logs/collections/${collectionId}/entries?component=auth`);
  t.ok(entries.body.entries.length >= 3);
  t.ok(entries.body.entries.every((e: any) => e.component === 'auth' && e.collection_id === collectionId));
  const failed = await daemon.request('GET', `/api/v1/logs/collections/${collectionId}/entries?search=login%20failed`);
  t.equal(failed.body.entries.length, 3, 'full-text search finds the three failed logins');
  t.same(failed.body.filters, { search: 'login failed' });
  t.equal((await daemon.request('GET', `/api/v1/logs/collections/${collectionId}/entries?level=loud`)).status, 400);
});

t.test('export json, csv, txt, zip; analysis', async (t) => {
  const json = await daemon.fetch(`/api/v1/logs/collections/${collectionId}/export?format=json`, { method: 'POST' });
  t.equal(json.headers.get('content-type'), 'application/json');
  t.match(json.headers.get('content-disposition'), /attachment; filename="logs-\d+\.json"/);
  const parsed = await json.json() as any[];
  const collection = (await daemon.request('GET', `/api/v1/logs/collections/${collectionId}`)).body;
  t.equal(parsed.length, collection.entry_count);
  const csv = await (await daemon.fetch(`/api/v1/logs/collections/${collectionId}/export?format=csv`, { method: 'POST' })).text();
  t.equal(csv.split('\r\n')[0], 'id,timestamp,level,component,message,context');
  t.equal(csv.trimEnd().split('\r\n').length, parsed.length + 1);
  const txt = await (await daemon.fetch(`/api/v1/logs/collections/${collectionId}/export?format=txt`, { method: 'POST' })).text();
  t.match(txt, /\[auth\] login failed/);
  const zip = Buffer.from(await (await daemon.fetch(`/api/v1/logs/collections/${collectionId}/export?format=zip`, { method: 'POST' })).arrayBuffer());
  const file = join(work, 'logs.zip');
  await writeFile(file, zip);
  const listing = execFileSync('python3', ['-c', 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(" ".join(sorted(z.namelist())))', file]).toString().trim();
  t.equal(listing, `logs-${collectionId}.csv logs-${collectionId}.json logs-${collectionId}.txt`, 'a valid zip with the three exports (CRCs checked)');
  t.equal((await daemon.fetch(`/api/v1/logs/collections/${collectionId}/export?format=rar`, { method: 'POST' })).status, 400);

  const analysis = await daemon.request('GET', `/api/v1/logs/collections/${collectionId}/analyze`);
  t.equal(analysis.body.collection_id, collectionId);
  t.equal(analysis.body.total_entries, parsed.length);
  t.equal(analysis.body.entries_by_component.auth, parsed.filter((e) => e.component === 'auth').length);
  t.ok(analysis.body.time_range.start <= analysis.body.time_range.end);
  t.ok(Array.isArray(analysis.body.insights) && analysis.body.insights.length > 0);
});

t.test('share links: public read, revocation, validation', async (t) => {
  t.equal((await daemon.request('POST', '/api/v1/logs/share', { collection_id: collectionId, expires_at: '2000-01-01T00:00:00Z' })).status, 400, 'past expiry');
  t.equal((await daemon.request('POST', '/api/v1/logs/share', { collection_id: 999 })).status, 404);
  const sut = await daemon.request('POST', '/api/v1/logs/share', { collection_id: collectionId, share_type: 'private', permissions: ['read'], recipients: ['dev@example.com'] });
  t.equal(sut.status, 201);
  t.match(sut.body, { id: Number, collection_id: collectionId, is_active: true, share_token: String });
  const open = await daemon.request('GET', `/api/v1/logs/share/${sut.body.share_token}`, undefined, null);
  t.equal(open.status, 200, 'no credentials needed');
  t.equal(open.body.collection.id, collectionId);
  t.ok(open.body.share.accessed_at);
  t.equal(open.body.entries.length, open.body.collection.entry_count);
  const noRead = await daemon.request('POST', '/api/v1/logs/share', { collection_id: collectionId, share_type: 'internal', permissions: ['export'] });
  t.equal((await daemon.request('GET', `/api/v1/logs/share/${noRead.body.share_token}`, undefined, null)).status, 403);
  const stats = await daemon.request('GET', '/api/v1/logs/statistics');
  t.match(stats.body, { total_collections: 1, active_shares: 2, collections_by_status: { completed: 1 }, recent_collections: 1 });
  t.equal((await daemon.request('DELETE', `/api/v1/logs/share/${sut.body.id}`)).status, 204);
  t.equal((await daemon.request('GET', `/api/v1/logs/share/${sut.body.share_token}`, undefined, null)).status, 404, 'revoked');
  t.equal((await daemon.request('GET', '/api/v1/logs/share/not-a-real-token-at-all-xx', undefined, null)).status, 404);
});

t.test('live stream (SSE) delivers filtered entries as they are logged', async (t) => {
  const controller = new AbortController();
  const res = await daemon.fetch('/api/v1/logs/stream?component=auth&level=info', { signal: controller.signal });
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  await daemon.request('POST', '/api/v1/auth/login', { username: 'admin', password: 'wrong-sse' }, null);
  await daemon.request('POST', '/api/v1/auth/login', { username: 'admin', password: 'admin-password' }, null);
  const deadline = Date.now() + 5000;
  while (!/"message":"login"/.test(text) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  controller.abort();
  const events = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
  t.ok(events.length >= 1, `${events.length} events`);
  t.ok(events.every((e) => e.component === 'auth' && e.level === 'info'), 'filter applied');
  t.ok(events.some((e) => e.message === 'login failed'));
  t.ok(events.some((e) => e.message === 'login'));
});
