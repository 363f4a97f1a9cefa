/**
 * MdnsAnnouncer against a fake DNS-SD backend: what is registered, re-announcing on
 * update(), withdrawal, and every failure path turning into log lines instead of throws.
 */
import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger } from '../../daemon/log/logger.js';
import { MdnsAnnouncer, clampInstanceName, txtFor } from '../../daemon/discovery/mdns.js';
import type { Announcement, DnsSdBackend, DnsSdCallbacks, DnsSdService } from '../../daemon/discovery/announcer.port.js';

interface Reg { service: DnsSdService; callbacks: DnsSdCallbacks; stopped: boolean }

class FakeBackend implements DnsSdBackend {
  regs: Reg[] = [];
  failNext = 0;
  register(service: DnsSdService, callbacks: DnsSdCallbacks) {
    if (this.failNext > 0) { this.failNext -= 1; throw new Error('dns service error: unknown'); }
    const reg: Reg = { service, callbacks, stopped: false };
    this.regs.push(reg);
    return { stop: () => { reg.stopped = true; } };
  }
  live(): Reg[] { return this.regs.filter((r) => !r.stopped); }
  confirmAll(): void { for (const r of this.live()) r.callbacks.onRegistered(r.service.name); }
}

function logSink() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const destination = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(chunk.toString())); cb(); } });
  return { lines, logger: createLogger({ level: 'debug', destination }) };
}

const base: Announcement = { name: 'Living Room', port: 8080, serverId: 'id-1', version: '1.2.3', tls: false };
const tick = () => new Promise((r) => setImmediate(r));

t.test('start registers _alcove and _http with TXT records; confirmation marks it announced', async (t) => {
  const backend = new FakeBackend();
  const { lines, logger } = logSink();
  const sut = new MdnsAnnouncer({ loadBackend: () => backend, logger });
  sut.start(base);
  t.equal(sut.state, 'announcing');
  t.same(backend.regs.map((r) => [r.service.type, r.service.port, r.service.name]), [['alcove', 8080, 'Living Room'], ['http', 8080, 'Living Room']]);
  t.same(backend.regs[0].service.txt, { txtvers: '1', version: '1.2.3', id: 'id-1', api: '/api', tls: '0' });
  t.same(backend.regs[1].service.txt, { txtvers: '1', version: '1.2.3', id: 'id-1', api: '/api', tls: '0', path: '/api' });
  backend.confirmAll();
  t.equal(sut.state, 'announced');
  await tick();
  t.equal(lines.filter((l) => l.msg === 'mDNS announced').length, 2);
  sut.stop();
  t.equal(backend.live().length, 0, 'stop withdraws both');
  t.equal(sut.state, 'stopped');
  sut.stop();
  sut.start(base);
  t.equal(backend.regs.length, 2, 'nothing registers after stop');
});

t.test('update re-announces only on a change, and ignores events of replaced registrations', async (t) => {
  const backend = new FakeBackend();
  const { logger } = logSink();
  const sut = new MdnsAnnouncer({ loadBackend: () => backend, logger });
  sut.start(base);
  const old = backend.live();
  sut.update({ ...base });
  t.equal(backend.regs.length, 2, 'same announcement: no-op');
  sut.update({ ...base, port: 9090 });
  t.ok(old.every((r) => r.stopped), 'old port withdrawn');
  t.same(backend.live().map((r) => r.service.port), [9090, 9090]);
  old[0].callbacks.onError(new Error('late error of a withdrawn registration'));
  t.equal(sut.state, 'announcing', 'a stale error does not fail the new registrations');
  sut.update({ ...base, port: 9090, name: 'Den' });
  t.same(backend.live().map((r) => r.service.name), ['Den', 'Den']);
  sut.update({ ...base, port: 9090, name: 'Den', tls: true });
  t.same(backend.live().map((r) => r.service.txt.tls), ['1', '1'], 'TXT change re-announces');
  sut.stop();
});

t.test('responder unreachable: one warning, retry with backoff until it comes back', async (t) => {
  const backend = new FakeBackend();
  backend.failNext = 2;
  const { lines, logger } = logSink();
  const sut = new MdnsAnnouncer({ loadBackend: () => backend, logger, retryMs: 20, retryMaxMs: 40 });
  t.doesNotThrow(() => sut.start(base));
  t.equal(sut.state, 'unavailable');
  await tick();
  const warn = lines.filter((l) => l.msg === 'mDNS unavailable');
  t.equal(warn.length, 1);
  t.equal(warn[0].level, 40);
  t.match(warn[0].reason as string, /dns service error/);
  await new Promise((r) => setTimeout(r, 120));
  t.equal(backend.live().length, 2, 'registered once the responder answered');
  t.equal(lines.filter((l) => l.msg === 'mDNS unavailable' && l.level === 40).length, 1, 'repeats are debug only');
  backend.live()[1].callbacks.onError(new Error('avahi went away'));
  t.equal(sut.state, 'unavailable', 'an async error withdraws and waits to retry');
  t.equal(backend.live().length, 0);
  sut.stop();
  await new Promise((r) => setTimeout(r, 60));
  t.equal(backend.live().length, 0, 'stop cancels the pending retry');
});

t.test('addon missing: one warning, no retry, never throws', async (t) => {
  let loads = 0;
  const { lines, logger } = logSink();
  const sut = new MdnsAnnouncer({ loadBackend: () => { loads += 1; throw new Error('the optional mdns addon is not installed'); }, logger, retryMs: 5 });
  sut.start(base);
  await new Promise((r) => setTimeout(r, 30));
  t.equal(loads, 1);
  t.equal(sut.state, 'unavailable');
  await tick();
  const line = lines.find((l) => l.msg === 'mDNS unavailable');
  t.match(line?.hint as string, /mdns/);
  sut.stop();
});

t.test('instance names are clamped to one 63-byte DNS label', async (t) => {
  t.equal(clampInstanceName('  '), 'Alcove');
  const long = 'é'.repeat(40);
  t.ok(Buffer.byteLength(clampInstanceName(long)) <= 63);
  t.equal(clampInstanceName(long), 'é'.repeat(31));
  t.equal(txtFor('alcove', { ...base, tls: true }).tls, '1');
});
