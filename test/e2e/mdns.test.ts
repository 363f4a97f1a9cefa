/**
 * LAN discovery end to end: the built daemon registers with a private Avahi (its own D-Bus,
 * avahi-daemon inside a network namespace on that namespace's loopback), and a real client,
 * avahi-browse, resolves the services with their TXT records. Needs root and the Debian
 * packages dbus, avahi-daemon, avahi-utils (test/servers/install-deps.sh installs them).
 */
import t from 'tap';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startAvahi, type AvahiServer, type BrowsedService } from '../servers/avahi.js';
import { startDaemon, eventually } from '../helpers/daemon.js';
import { freePort } from '../helpers/ports.js';

let avahi: AvahiServer;
t.before(async () => { avahi = await startAvahi(); });
t.teardown(async () => { await avahi?.stop(); });

const uniqueName = (): string => `Alcove Test ${randomBytes(3).toString('hex')}`;
const mdnsEnv = (name: string): Record<string, string> => ({ ...avahi.env, ALCOVE_NAME: name, ALCOVE_MDNS: 'true' });

async function find(type: string, name: string): Promise<BrowsedService | undefined> {
  return (await avahi.browse(type)).find((s) => s.name === name);
}


t.test('announces _alcove._tcp and _http._tcp with TXT; re-announces a new port; SIGTERM withdraws', async (t) => {
  const name = uniqueName();
  const stateDir = await mkdtemp(join(tmpdir(), 'alcove-mdns-'));
  t.teardown(() => rm(stateDir, { recursive: true, force: true }));

  const first = await startDaemon({ stateDir, env: mdnsEnv(name) });
  t.teardown(() => first.stop());
  const serverId = (await readFile(join(stateDir, 'server-id'), 'utf8')).trim();
  const health = await first.request('GET', '/health');

  const alcove = await eventually(() => find('_alcove._tcp', name), 10_000, 200);
  t.equal(alcove.port, first.port, '_alcove._tcp on the HTTP port');
  t.equal(alcove.address, '127.0.0.1', 'resolved on the namespace loopback');
  t.same(alcove.txt, { txtvers: '1', version: health.body.version, id: serverId, api: '/api', tls: '0' }, 'TXT: version, server id, API path, tls');
  const http = await eventually(() => find('_http._tcp', name), 10_000, 200);
  t.equal(http.port, first.port, '_http._tcp on the HTTP port');
  t.same(http.txt, { ...alcove.txt, path: '/api' }, '_http._tcp carries path=/api as well');
  const announced = first.logs.filter((l) => l.msg === 'mDNS announced').map((l) => l.type).sort();
  t.same(announced, ['_alcove._tcp', '_http._tcp'], 'one log line per service type');

  t.equal(await first.stop('SIGTERM'), 0, 'clean exit');
  const withdrawn = await eventually(async () => !(await find('_alcove._tcp', name)) && !(await find('_http._tcp', name)), 10_000, 200);
  t.equal(withdrawn, true, 'SIGTERM withdrew both services (avahi-browse no longer lists them)');
  t.ok(first.logs.some((l) => l.msg === 'mDNS withdrawn'), 'withdrawal logged');

  const port = await freePort();
  const second = await startDaemon({ stateDir, env: mdnsEnv(name), args: ['--port', String(port)] });
  t.teardown(() => second.stop());
  t.equal(second.port, port, 'second start listens on the new --port');
  const again = await eventually(async () => {
    const found = await find('_alcove._tcp', name);
    return found?.port === port ? found : undefined;
  }, 10_000, 200);
  t.equal(again.txt.id, serverId, 'same server id after the restart');
  const all = (await avahi.browse('_alcove._tcp')).filter((s) => s.name === name);
  t.same(all.map((s) => s.port), [port], 'only the new port is announced');
  t.equal((await find('_http._tcp', name))?.port, port, '_http._tcp moved too');
  t.equal(await second.stop('SIGTERM'), 0);
});

t.test('no reachable Avahi: the daemon starts and logs a clear mDNS unavailable line', async (t) => {
  const d = await startDaemon({ env: { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent/alcove-no-bus', ALCOVE_MDNS: 'true' } });
  t.teardown(() => d.stop());
  const line = await d.waitForLog((l) => l.msg === 'mDNS unavailable', 10_000);
  t.equal(line.level, 40, 'a warning, not an error or a crash');
  t.type(line.reason, 'string');
  t.match(line.hint, /avahi-daemon/, 'the line says what to check');
  const ready = await d.request('GET', '/readyz');
  t.equal(ready.status, 200, 'the daemon serves regardless');
  t.equal(d.process.exitCode, null, 'still running');
});

t.test('mdns.enabled: false announces nothing', async (t) => {
  const name = uniqueName();
  const dir = await mkdtemp(join(tmpdir(), 'alcove-mdns-off-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'alcove.yaml');
  await writeFile(config, `server:\n  name: "${name}"\nmdns:\n  enabled: false\n`);
  // ALCOVE_MDNS empty counts as unset: the config file decides.
  const d = await startDaemon({ env: { ...avahi.env, ALCOVE_MDNS: '' }, args: ['--config', config] });
  t.teardown(() => d.stop());
  await d.waitForLog((l) => l.msg === 'mDNS disabled by configuration');
  // A control daemon with mDNS on proves the bus works while the first one stays silent.
  const controlName = uniqueName();
  const control = await startDaemon({ env: mdnsEnv(controlName) });
  t.teardown(() => control.stop());
  await eventually(() => find('_alcove._tcp', controlName), 10_000, 200);
  t.equal(await find('_alcove._tcp', name), undefined, 'no _alcove._tcp for the disabled daemon');
  t.equal(await find('_http._tcp', name), undefined, 'no _http._tcp for the disabled daemon');
  t.notOk(d.logs.some((l) => l.msg === 'mDNS announced'), 'nothing announced');
});
