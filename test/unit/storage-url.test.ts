import t from 'tap';
import { parseStorageUrl, redactUrl } from '../../storage-adapters/url.js';
import { ValidationError } from '../../daemon/domain/errors.js';
import type { StorageCredentials } from '../../storage-adapters/types.js';

interface Good {
  input: string;
  extra?: StorageCredentials;
  href: string;
  display: string;
  scheme: string;
  credentials?: StorageCredentials;
}

const good: Good[] = [
  { input: '/srv/media', href: 'file:///srv/media', display: 'file:///srv/media', scheme: 'file' },
  { input: '/srv/My Media/', href: 'file:///srv/My%20Media', display: 'file:///srv/My Media', scheme: 'file' },
  { input: '  /srv/a/../b  ', href: 'file:///srv/b', display: 'file:///srv/b', scheme: 'file' },
  { input: 'file:///mnt/disk1/', href: 'file:///mnt/disk1', display: 'file:///mnt/disk1', scheme: 'file' },
  { input: 'file://localhost/mnt/x', href: 'file:///mnt/x', display: 'file:///mnt/x', scheme: 'file' },
  { input: 'FILE:///Films', href: 'file:///Films', display: 'file:///Films', scheme: 'file' },
  {
    input: 'smb://WORKGROUP;alice:s3cr%40t@nas.local:4455/media/Films/',
    href: 'smb://nas.local:4455/media/Films', display: 'smb://nas.local:4455/media/Films', scheme: 'smb',
    credentials: { username: 'alice', password: 's3cr@t', domain: 'WORKGROUP' },
  },
  {
    input: 'smb://CORP%5Cbob:pw@nas/share',
    href: 'smb://nas/share', display: 'smb://nas/share', scheme: 'smb',
    credentials: { username: 'bob', password: 'pw', domain: 'CORP' },
  },
  { input: 'smb://nas/share', href: 'smb://nas/share', display: 'smb://nas/share', scheme: 'smb' },
  {
    input: 'smb://guest@nas/My%20Share/sub dir',
    href: 'smb://nas/My%20Share/sub%20dir', display: 'smb://nas/My Share/sub dir', scheme: 'smb',
    credentials: { username: 'guest' },
  },
  {
    input: 'ftp://u%3Ax:p%3Aa%2Fss@10.0.0.5:2121/pub',
    href: 'ftp://10.0.0.5:2121/pub', display: 'ftp://10.0.0.5:2121/pub', scheme: 'ftp',
    credentials: { username: 'u:x', password: 'p:a/ss' },
  },
  { input: 'ftps://host/', href: 'ftps://host/', display: 'ftps://host/', scheme: 'ftps' },
  {
    input: 'webdav://me:pw@dav.example:8080/remote.php/dav/files/me',
    href: 'webdav://dav.example:8080/remote.php/dav/files/me', display: 'webdav://dav.example:8080/remote.php/dav/files/me',
    scheme: 'webdav', credentials: { username: 'me', password: 'pw' },
  },
  {
    input: 'webdavs://dav.example/d', extra: { username: 'form-user', password: 'form-pw' },
    href: 'webdavs://dav.example/d', display: 'webdavs://dav.example/d', scheme: 'webdavs',
    credentials: { username: 'form-user', password: 'form-pw' },
  },
  {
    input: 'smb://url-user:url-pw@nas/s', extra: { password: 'override' },
    href: 'smb://nas/s', display: 'smb://nas/s', scheme: 'smb',
    credentials: { username: 'url-user', password: 'override' },
  },
  { input: 'memory://lib1', href: 'memory://lib1', display: 'memory://lib1', scheme: 'memory' },
];

for (const c of good) {
  t.test(`parse ${c.input}`, async (t) => {
    const sut = parseStorageUrl(c.input, c.extra);
    t.equal(sut.url.href, c.href, 'credential-free href');
    t.equal(sut.display, c.display, 'display');
    t.equal(sut.scheme, c.scheme, 'scheme');
    t.same(sut.credentials, c.credentials, 'credentials');
    t.equal(sut.url.username + sut.url.password, '', 'no userinfo left on the URL');
    if (c.credentials?.password) t.notMatch(sut.display, c.credentials.password, 'password not in display');
  });
}

const bad: Array<[string, RegExp]> = [
  ['', /empty/],
  ['   ', /empty/],
  ['media/films', /absolute path or a URL/],
  ['./films', /absolute path or a URL/],
  ['http://host/x', /Unsupported storage scheme 'http:'/],
  ['nfs://host/export', /Unsupported storage scheme 'nfs:'/],
  ['smb://', /not a valid URL|needs a host/],
  ['smb://nas', /must name a share/],
  ['smb://nas/', /must name a share/],
  ['ftp://host:99999/x', /not a valid URL/],
  ['ftp://[::1/x', /not a valid URL/],
  ['file://otherhost/x', /must be local/],
  ['file://user:pw@/x', /cannot carry credentials|must be local|not a valid URL/],
  ['smb://nas/share?x=1', /query or fragment/],
  ['webdav://h/x#frag', /query or fragment/],
  ['/srv/a\0b', /NUL/],
  ['smb://a%E0%A4%A:pw@nas/s', /malformed %-escape/],
];

t.test('invalid locations are ValidationErrors with clear messages', async (t) => {
  for (const [input, message] of bad) {
    try {
      parseStorageUrl(input);
      t.fail(`accepted ${JSON.stringify(input)}`);
    } catch (err) {
      t.ok(err instanceof ValidationError, `${JSON.stringify(input)} -> ValidationError`);
      t.match((err as Error).message, message, `${JSON.stringify(input)} message: ${(err as Error).message}`);
      t.notMatch((err as Error).message, /:pw@/, 'message does not echo the password');
    }
  }
});

const redactions: Array<[string, string]> = [
  ['smb://alice:s3cret@nas/media', 'smb://alice:***@nas/media'],
  ['failed to open ftp://u:p%40ss@h:21/x: refused', 'failed to open ftp://u:***@h:21/x: refused'],
  ['smb://D;u:p@ss@nas/s', 'smb://D;u:***@nas/s'],
  ['webdav://:onlypass@h/', 'webdav://:***@h/'],
  ['smb://user@nas/s', 'smb://user@nas/s'],
  ['file:///srv/a:b@c', 'file:///srv/a:b@c'],
  ['two: ftp://a:b@h1/ and webdavs://c:d@h2/p', 'two: ftp://a:***@h1/ and webdavs://c:***@h2/p'],
  ['no url here: pass:word@x', 'no url here: pass:word@x'],
];

t.test('redactUrl removes passwords', async (t) => {
  for (const [input, want] of redactions) t.equal(redactUrl(input), want, input);
});
