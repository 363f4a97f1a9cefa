/**
 * Servers whose security settings this client cannot meet (node-smb2 speaks SMB 2.0.2/2.1
 * only, never signs or encrypts) are reported as StorageError UNSUPPORTED with one clear
 * message, on ping and on every other call, instead of an opaque status later.
 */
import t from 'tap';
import { createSmbAdapter } from '../../storage-adapters/smb/smb.adapter.js';
import { SECURITY_MESSAGE } from '../../storage-adapters/smb/smb-errors.js';
import { startSamba } from '../servers/samba.js';

for (const security of ['signing', 'smb3'] as const) {
  t.test(`server with ${security === 'signing' ? 'server signing = mandatory' : 'server min protocol = SMB3'}`, async (t) => {
    const srv = await startSamba({ security });
    t.teardown(() => srv.stop());
    const sut = createSmbAdapter({
      url: new URL(`smb://127.0.0.1:${srv.port}/${srv.share}`),
      credentials: { username: srv.user, password: srv.password },
      timeoutMs: 3000,
    });
    t.teardown(() => sut.close());
    for (const [label, call] of [['ping', () => sut.ping()], ['list', () => sut.list('')]] as const) {
      try {
        await call();
        t.fail(`${label} should fail`);
      } catch (err) {
        const e = err as { name?: string; code?: string; message?: string };
        t.equal(`${e.name}:${e.code}`, 'StorageError:UNSUPPORTED', `${label}: UNSUPPORTED (${e.message})`);
        t.ok(e.message?.includes(SECURITY_MESSAGE), `${label}: message names the security settings`);
      }
    }
  });
}
