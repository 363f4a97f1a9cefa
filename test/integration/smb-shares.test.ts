/**
 * Share discovery against a real Samba: SRVSVC NetrShareEnum over DCE/RPC on IPC$ lists
 * the share the test defined (with its comment), the smbclient fallback agrees, and
 * wrong credentials are AUTH on both paths.
 */
import t from 'tap';
import { listSmbShares, listViaRpc, listViaSmbclient } from '../../storage-adapters/smb/shares.js';
import { startSamba, type SambaServer } from '../servers/samba.js';

let srv: SambaServer;
t.before(async () => {
  srv = await startSamba({ share: 'Movies and TV', comment: 'Family films ünï' });
});
t.teardown(() => srv?.stop());

const opts = () => ({ host: '127.0.0.1', port: srv.port, credentials: { username: srv.user, password: srv.password }, timeoutMs: 5000 });

t.test('NetrShareEnum over IPC$ lists the defined share', async (t) => {
  const sut = await listSmbShares(opts());
  t.same(sut, [{ name: 'Movies and TV', type: 'disk', comment: 'Family films ünï' }], 'only the disk share (IPC$ hidden)');
  const all = await listViaRpc({ ...opts(), includeSpecial: true });
  t.same(all.map((s) => `${s.type}:${s.name}`).sort(), ['disk:Movies and TV', 'ipc:IPC$'], 'with includeSpecial, IPC$ too');
});

t.test('smbclient -g fallback agrees', async (t) => {
  const viaTool = await listViaSmbclient(opts());
  t.same(viaTool, await listViaRpc(opts()), 'same shares, types and comments');
});

t.test('wrong credentials are AUTH on both paths', async (t) => {
  const bad = { ...opts(), credentials: { username: srv.user, password: 'nope-nope' } };
  for (const [label, fn] of [['rpc', listSmbShares], ['smbclient', listViaSmbclient]] as const) {
    try {
      await fn(bad);
      t.fail(`${label}: should fail`);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      t.equal(e.code, 'AUTH', `${label}: AUTH (${e.message})`);
      t.notOk(e.message?.includes('nope-nope'), `${label}: password not in the message`);
    }
  }
});
