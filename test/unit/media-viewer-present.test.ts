/**
 * Media Viewer presenter helpers (services/media-viewer/media-file.ts): table-driven
 * against their straightforward definitions (per-segment encoding; RFC 3339 at second
 * precision).
 */
import t from 'tap';
import { rfc3339, thumbnailUrlOf } from '../../daemon/services/media-viewer/media-file.js';

t.test('thumbnailUrlOf encodes every segment, slashes kept', async (t) => {
  const reference = (p: string) => '/api/thumbnail/' + p.split('/').map(encodeURIComponent).join('/');
  for (const p of ['Photos/Trip/a.jpg', 'a/b c/d#e', 'x%2Fy/z', '%2f/Ä ö/ü?&=+', '', '/', 'a//b', '\u{1F600}/x', 'weird name #1+x.jpg']) {
    t.equal(thumbnailUrlOf(p), reference(p), JSON.stringify(p));
  }
  t.equal(thumbnailUrlOf('Photos/a b.jpg'), '/api/thumbnail/Photos/a%20b.jpg');
});

t.test('rfc3339: second precision, no fraction', async (t) => {
  const reference = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  for (const ms of [0, 999, 1000, 1e12, 1764000000123, -1e12, -1, 4e14, -7e13]) t.equal(rfc3339(ms), reference(ms), String(ms));
  t.equal(rfc3339(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05Z');
});
