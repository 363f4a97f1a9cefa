/** daemon/http/status-lines.ts holds node:http's reason phrases; they must stay the same. */
import t from 'tap';
import { STATUS_CODES } from 'node:http';
import { REASON_PHRASES, statusLine } from '../../daemon/http/status-lines.js';

t.test('every phrase is node:http\'s, and none is missing', async (t) => {
  const ours = Object.fromEntries([...REASON_PHRASES].map(([k, v]) => [String(k), v]));
  t.same(ours, STATUS_CODES);
});

t.test('status lines', async (t) => {
  t.equal(statusLine(200), '200 OK');
  t.equal(statusLine(206), '206 Partial Content');
  t.equal(statusLine(416), '416 Range Not Satisfiable');
  t.equal(statusLine(299), '299 Unknown', 'unregistered code');
});
