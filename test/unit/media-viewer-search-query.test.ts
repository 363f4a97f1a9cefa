/** Table tests for Media Viewer's search syntax (upstream parseTagFilters semantics). */
import t from 'tap';
import { parseSearchQuery } from '../../daemon/services/media-viewer/search-query.js';
import { highlight } from '../../daemon/services/media-viewer/search.service.js';

const cases: [string, { text: string; include: string[]; exclude: string[] }][] = [
  ['', { text: '', include: [], exclude: [] }],
  ['beach', { text: 'beach', include: [], exclude: [] }],
  ['  sunny beach  ', { text: 'sunny beach', include: [], exclude: [] }],
  ['tag:summer', { text: '', include: ['summer'], exclude: [] }],
  ['TAG:Summer', { text: '', include: ['Summer'], exclude: [] }],
  ['tag:summer beach', { text: '', include: ['summer beach'], exclude: [] }],
  ['photos tag:summer', { text: 'photos', include: ['summer'], exclude: [] }],
  ['photos tag:a tag:b', { text: 'photos', include: ['a', 'b'], exclude: [] }],
  ['-tag:work', { text: '', include: [], exclude: ['work'] }],
  ['x -tag:work tag:fun', { text: 'x', include: ['fun'], exclude: ['work'] }],
  ['NOT tag:work', { text: '', include: [], exclude: ['work'] }],
  ['not tag:work stuff', { text: '', include: [], exclude: ['work stuff'] }],
  ['cats NOT tag:dogs -tag:birds', { text: 'cats', include: [], exclude: ['dogs', 'birds'] }],
  ['tag:', { text: '', include: [], exclude: [] }],
  ['tag:   ', { text: '', include: [], exclude: [] }],
  ['hashtag:x', { text: 'hashtag:x', include: [], exclude: [] }],
  ['a-tag:x', { text: 'a-tag:x', include: [], exclude: [] }],
  ['NOTtag:x', { text: 'NOTtag:x', include: [], exclude: [] }],
  ['not  tag:x', { text: 'not', include: ['x'], exclude: [] }],
  ['tag:a-tag:b', { text: '', include: ['a-tag:b'], exclude: [] }],
  ['tag:éte tag:Été', { text: '', include: ['éte', 'Été'], exclude: [] }],
];

for (const [input, want] of cases) {
  t.same(parseSearchQuery(input), want, JSON.stringify(input));
}

t.test('highlight marks the first match and escapes HTML', async (t) => {
  t.equal(highlight('Beach Day', 'bea'), '<mark>Bea</mark>ch Day');
  t.equal(highlight('a<b>.jpg', 'b'), 'a&#60;<mark>b</mark>&#62;.jpg');
  t.equal(highlight('none', 'zz'), 'none');
  t.equal(highlight('x', ''), 'x');
});
