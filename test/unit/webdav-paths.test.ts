/**
 * WebDAV URL building and href decoding: every name the contract cares about must reach
 * the server as data (percent-encoded), never as URL syntax, and come back unchanged.
 */
import t from 'tap';
import { davBaseUrl, davUrl, decodedPath, encodeRelPath, hrefPath } from '../../storage-adapters/webdav/dav-paths.js';

t.test('encodeRelPath percent-encodes each segment', async (t) => {
  const cases: Array<[string, string]> = [
    ['', ''],
    ['a b.txt', 'a%20b.txt'],
    ['dir/a b/c', 'dir/a%20b/c'],
    ['#hash;semi.txt', '%23hash%3Bsemi.txt'],
    ['percent%20.txt', 'percent%2520.txt'],
    ['what?.mkv', 'what%3F.mkv'],
    ['plus+sign.txt', 'plus%2Bsign.txt'],
    ['Ünïcødé ñ.txt', '%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%C3%B1.txt'],
    ['emoji 🎬.mkv', 'emoji%20%F0%9F%8E%AC.mkv'],
    ['back\\\\slash', 'back%5C%5Cslash'],
    ["quote's & (1).mp4", "quote's%20%26%20(1).mp4"],
  ];
  for (const [input, want] of cases) t.equal(encodeRelPath(input), want, JSON.stringify(input));
});

t.test('davBaseUrl maps schemes and ends with a slash', async (t) => {
  t.equal(davBaseUrl(new URL('webdav://nas:8080/share')).href, 'http://nas:8080/share/');
  t.equal(davBaseUrl(new URL('webdavs://nas/share/')).href, 'https://nas/share/');
  t.equal(davBaseUrl(new URL('webdav://nas')).href, 'http://nas/');
  t.equal(davBaseUrl(new URL('webdav://nas/my%20share')).href, 'http://nas/my%20share/', 'an encoded base path is kept as is');
  t.throws(() => davBaseUrl(new URL('ftp://nas/x')), { code: 'UNSUPPORTED' });
});

t.test('davUrl joins base and encoded path', async (t) => {
  const base = davBaseUrl(new URL('webdav://h:1/dav/fx%201%20%C3%BC%23'));
  t.equal(davUrl(base, ''), 'http://h:1/dav/fx%201%20%C3%BC%23/');
  t.equal(davUrl(base, 'a?b/c#d'), 'http://h:1/dav/fx%201%20%C3%BC%23/a%3Fb/c%23d');
  t.equal(davUrl(base, 'new dir', true), 'http://h:1/dav/fx%201%20%C3%BC%23/new%20dir/');
  // Node's URL parser must not reinterpret anything we built.
  const u = new URL(davUrl(base, 'x?y#z'));
  t.same([u.search, u.hash], ['', ''], 'no query or fragment appears');
});

t.test('hrefPath decodes hrefs for comparison with decodedPath', async (t) => {
  const base = davBaseUrl(new URL('webdav://h/dav/fx%201%20%C3%BC%23'));
  t.equal(hrefPath('/dav/fx%201%20%C3%BC%23/'), decodedPath(base, ''), 'self href, trailing slash');
  t.equal(hrefPath('http://h:80/dav/fx%201%20%c3%bc%23/a%20b.txt'), decodedPath(base, 'a b.txt'), 'absolute href, lower-case escapes');
  t.equal(hrefPath('/dav/x/percent%2520.txt'), '/dav/x/percent%20.txt', 'decoded exactly once');
  t.equal(hrefPath('/dav/x/raw%zz'), '/dav/x/raw%zz', 'malformed escape kept literally');
  t.equal(hrefPath('/dav/x/%F0%9F%8E%AC/'), '/dav/x/🎬');
});
