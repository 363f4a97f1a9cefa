import t from 'tap';
import { parseRange, contentRange, unsatisfiedRange } from '../../daemon/http/range.js';
import { ifNoneMatchHits, ifRangeMatches, notModifiedSince, normalizeEtag, fileEtag } from '../../daemon/http/conditional.js';

const SIZE = 1000;

t.test('parseRange table', async (t) => {
  const cases: Array<[string | undefined, number, ReturnType<typeof parseRange>]> = [
    [undefined, SIZE, { kind: 'none' }],
    ['', SIZE, { kind: 'none' }],
    ['bytes=0-0', SIZE, { kind: 'range', start: 0, end: 0 }],                  // first byte
    ['bytes=999-999', SIZE, { kind: 'range', start: 999, end: 999 }],          // last byte
    ['bytes=0-499', SIZE, { kind: 'range', start: 0, end: 499 }],
    ['bytes=-500', SIZE, { kind: 'range', start: 500, end: 999 }],             // suffix
    ['bytes=-1', SIZE, { kind: 'range', start: 999, end: 999 }],
    ['bytes=-5000', SIZE, { kind: 'range', start: 0, end: 999 }],              // suffix longer than file
    ['bytes=500-', SIZE, { kind: 'range', start: 500, end: 999 }],             // open-ended
    ['bytes=900-5000', SIZE, { kind: 'range', start: 900, end: 999 }],         // end clamped
    ['BYTES = 10-20', SIZE, { kind: 'range', start: 10, end: 20 }],            // unit is case-insensitive
    ['bytes=1000-', SIZE, { kind: 'unsatisfiable' }],                          // start == size
    ['bytes=5000-6000', SIZE, { kind: 'unsatisfiable' }],
    ['bytes=-0', SIZE, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],                                // empty file
    ['bytes=-10', 0, { kind: 'unsatisfiable' }],
    ['bytes=20-10', SIZE, { kind: 'none' }],                                   // last < first: invalid, ignored
    ['bytes=abc', SIZE, { kind: 'none' }],
    ['bytes=-', SIZE, { kind: 'none' }],
    ['bytes=1-2-3', SIZE, { kind: 'none' }],
    ['items=0-10', SIZE, { kind: 'none' }],                                    // other unit
    ['0-10', SIZE, { kind: 'none' }],
    ['bytes=0-10,abc', SIZE, { kind: 'none' }],                                // one bad spec spoils the header
    ['bytes=0-9, 20-29', SIZE, { kind: 'multi', ranges: [{ start: 0, end: 9 }, { start: 20, end: 29 }] }],
    ['bytes=0-9,5000-6000', SIZE, { kind: 'range', start: 0, end: 9 }],        // unsatisfiable member dropped
    ['bytes=5000-,6000-', SIZE, { kind: 'unsatisfiable' }],
    [`bytes=${Array.from({ length: 100 }, (_, i) => `${i}-${i}`).join(',')}`, SIZE, { kind: 'none' }], // abuse
  ];
  for (const [header, size, want] of cases) {
    t.same(parseRange(header, size), want, `${JSON.stringify(header)} of ${size}`);
  }
});

t.test('content-range values', async (t) => {
  t.equal(contentRange(0, 9, 100), 'bytes 0-9/100');
  t.equal(unsatisfiedRange(100), 'bytes */100');
});

t.test('conditional helpers', async (t) => {
  t.equal(normalizeEtag('abc'), '"abc"');
  t.equal(normalizeEtag('W/"abc"'), 'W/"abc"');
  t.equal(fileEtag(255, 4096.7), '"1000-ff"');
  t.ok(ifNoneMatchHits('"a", W/"b"', '"b"'), 'weak comparison matches W/ tags');
  t.ok(ifNoneMatchHits('*', '"x"'));
  t.notOk(ifNoneMatchHits('"a"', '"b"'));
  t.notOk(ifNoneMatchHits(undefined, '"b"'));
  const mtime = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
  t.ok(notModifiedSince(new Date(mtime).toUTCString(), mtime), 'same second counts as not modified');
  t.notOk(notModifiedSince(new Date(mtime - 2000).toUTCString(), mtime));
  t.notOk(notModifiedSince('garbage', mtime));
  t.ok(ifRangeMatches(undefined, '"e"', mtime));
  t.ok(ifRangeMatches('"e"', '"e"', mtime));
  t.notOk(ifRangeMatches('W/"e"', '"e"', mtime), 'weak tags never match If-Range');
  t.notOk(ifRangeMatches('"other"', '"e"', mtime));
  t.ok(ifRangeMatches(new Date(mtime).toUTCString(), '"e"', mtime));
  t.notOk(ifRangeMatches(new Date(mtime - 5000).toUTCString(), '"e"', mtime));
});
