/** basic-ftp errors to StorageError codes, and secrets scrubbed from messages and causes. */
import t from 'tap';
import { FTPError } from 'basic-ftp';
import { mapFtpError } from '../../storage-adapters/ftp/ftp-errors.js';
import { StorageError } from '../../storage-adapters/types.js';

const errno = (code: string, message = code): Error => Object.assign(new Error(message), { code });

t.test('mapping table', async (t) => {
  const cases: Array<[string, unknown, string]> = [
    ['530 login', new FTPError({ code: 530, message: '530 Login authentication failed' }), 'AUTH'],
    ['550 missing', new FTPError({ code: 550, message: "550 Can't open a b.txt: No such file" }), 'NOT_FOUND'],
    ['553 name', new FTPError({ code: 553, message: '553 Prohibited file name' }), 'PERMISSION'],
    ['421 closing', new FTPError({ code: 421, message: '421 Too many connections' }), 'OFFLINE'],
    ['502 not implemented', new FTPError({ code: 502, message: '502 Command not implemented' }), 'UNSUPPORTED'],
    ['TLS required', new FTPError({ code: 421, message: '421-Sorry, cleartext sessions and weak ciphers are not accepted on this server.' }), 'UNSUPPORTED'],
    ['451 local error', new FTPError({ code: 451, message: '451 Local error' }), 'IO'],
    ['control timeout', new Error('Timeout (control socket)'), 'TIMEOUT'],
    ['data timeout', new Error('Timeout (data socket)'), 'TIMEOUT'],
    ['closed after timeout', new Error('Client is closed because Timeout (control socket)'), 'TIMEOUT'],
    ['refused', errno('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), 'OFFLINE'],
    ['no host', errno('ENOTFOUND'), 'OFFLINE'],
    ['self-signed', errno('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'UNSUPPORTED'],
    ['FIN', new Error('Server sent FIN packet unexpectedly, closing connection.'), 'IO'],
    ['reset', errno('ECONNRESET', 'read ECONNRESET'), 'IO'],
  ];
  for (const [label, err, code] of cases) {
    const sut = mapFtpError(err, 'read', 'dir/a b.txt');
    t.same([sut.name, (sut as StorageError).code], ['StorageError', code], label);
    t.match(sut.message, /^read dir\/a b\.txt: /, `${label}: message names op and path`);
  }
  const already = new StorageError('EXISTS', 'x');
  t.equal(mapFtpError(already, 'write', 'x'), already, 'StorageErrors pass through');
  const abort = new DOMException('aborted', 'AbortError');
  t.equal(mapFtpError(abort, 'read', 'x'), abort, 'AbortErrors pass through');
});

t.test('secrets never reach message or cause', async (t) => {
  const secret = 'hunter2-S3cret';
  const raw = new Error(`Invalid command: Contains control characters. (PASS ${secret})`);
  const sut = mapFtpError(raw, 'connect', '', (s) => s.split(secret).join('***'));
  const cause = (sut as Error & { cause?: Error }).cause;
  t.notMatch(sut.message, secret, 'message scrubbed');
  t.notMatch(String(cause?.message), secret, 'cause message scrubbed');
  t.notMatch(String(cause?.stack), secret, 'cause stack scrubbed');
  t.not(cause, raw, 'the raw error is not kept as cause');
});
