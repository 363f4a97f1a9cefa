import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger } from '../../daemon/log/logger.js';

t.test('secrets are redacted wherever they appear', async (t) => {
  const lines: string[] = [];
  const sut = createLogger({
    level: 'info',
    destination: new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } }) as never,
  });
  sut.child({ component: 'auth' }).info({
    password: 'hunter2', token: 'jwt-abc', credentials: { password: 'smb-pass' },
    req: { headers: { authorization: 'Bearer xyz', cookie: 'alcove_session=abc' } },
    body: { newPassword: 'n3w', currentPassword: 'old' }, user: 'alice',
  }, 'login');
  await new Promise((r) => setImmediate(r));
  const text = lines.join('');
  for (const secret of ['hunter2', 'jwt-abc', 'smb-pass', 'Bearer xyz', 'alcove_session=abc', 'n3w', '"old"']) {
    t.notOk(text.includes(secret), `${secret} not logged`);
  }
  const line = JSON.parse(lines[0]) as Record<string, unknown>;
  t.equal(line.component, 'auth', 'child logger carries its component');
  t.equal(line.user, 'alice', 'non-secret fields stay');
  t.equal(line.msg, 'login');
});
