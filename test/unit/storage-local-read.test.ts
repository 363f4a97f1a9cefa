/**
 * LocalAdapter reads: a signal that aborts while the file is being opened rejects the
 * read (and leaves no stream failing with nobody listening, which would be an uncaught
 * exception in the daemon).
 */
import t from 'tap';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalAdapter } from '../../storage-adapters/local/local.adapter.js';

t.test('an abort while opening rejects createReadStream instead of handing out a failing stream', async (t) => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'alcove-local-read-'));
  t.teardown(() => fs.rm(root, { recursive: true, force: true }));
  await fs.writeFile(path.join(root, 'a.bin'), Buffer.alloc(4096, 7));
  const sut = new LocalAdapter(root);
  t.teardown(() => sut.close());
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown): void => { uncaught.push(err); };
  process.on('uncaughtException', onUncaught);
  t.teardown(() => { process.off('uncaughtException', onUncaught); });

  const ac = new AbortController();
  const pending = sut.createReadStream('a.bin', { start: 0, end: 1023, signal: ac.signal });
  ac.abort(); // lands during the realpath/open awaits
  await t.rejects(pending, { name: 'AbortError' });
  await new Promise((r) => setImmediate(r));
  t.same(uncaught, [], 'no uncaught exception');
});
