/**
 * kill -9 in the middle of a scan, then a rescan converges: every batch is one LMDB
 * transaction, so the index is consistent at the kill, and the next scan completes it.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openIndexStore } from '../../daemon/index/lmdb-store.js';
import { verifyIndexConsistency } from '../../daemon/index/verify.js';
import { InProcessEventBus } from '../../daemon/services/event-bus.js';
import { silentLogger } from '../../daemon/log/logger.js';
import { ScanService } from '../../daemon/scanner/scan.service.js';
import { LocalAdapter } from '../../storage-adapters/local/local.adapter.js';

const DIRS = 60;
const FILES_PER_DIR = 50;

t.test('kill -9 during a scan, then a rescan converges', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'alcove-scan-crash-'));
  t.teardown(() => rm(base, { recursive: true, force: true }));
  const tree = join(base, 'tree');
  for (let d = 0; d < DIRS; d++) {
    await mkdir(join(tree, `d${d}`, 'sub'), { recursive: true });
    await Promise.all(Array.from({ length: FILES_PER_DIR }, (_, f) => writeFile(join(tree, `d${d}`, f % 2 ? 'sub' : '', `f${f}.mp4`), `${d}-${f}`)));
  }
  const indexPath = join(base, 'index');
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(new URL('./scan-crash-child.ts', import.meta.url)), indexPath, tree], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let killedMidScan = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let batches = 0;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    if (chunk.includes('done')) return;
    batches += chunk.split('\n').filter((l) => l === 'added').length;
    if (batches >= 3 && !killedMidScan) { killedMidScan = true; child.kill('SIGKILL'); }
  });
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  const { signal } = await exit;
  t.equal(signal, 'SIGKILL', 'the child was killed mid-scan');
  t.ok(killedMidScan);

  const store = await openIndexStore({ path: indexPath });
  t.teardown(() => store.close());
  t.same(verifyIndexConsistency(store), [], 'index consistent right after the crash');
  const library = store.libraries.getByName('Crash');
  t.ok(library, 'library created by the child');
  if (!library) return;
  const partial = [...store.items.iterateLibrary(library.id)].length - 1;
  const total = DIRS * 2 + DIRS * FILES_PER_DIR;
  t.ok(partial > 0 && partial < total, `partial index after the kill (${partial} of ${total})`);

  const adapter = new LocalAdapter(tree);
  const sut = new ScanService({ index: store, getAdapter: async () => adapter, events: new InProcessEventBus(), logger: silentLogger() });
  t.equal(await sut.closeInterrupted(), 1, 'the killed scan is closed as interrupted');
  const rec = await sut.scanLibrary(library.id, { kind: 'full', trigger: 'startup' });
  t.equal(rec.status, 'done');
  t.equal(rec.added, total - partial, 'the rescan adds exactly what was missing');
  t.equal(rec.removed, 0);
  const items = [...store.items.iterateLibrary(library.id)].filter((i) => i.relPath !== '');
  t.equal(items.length, total, 'every dir and file indexed once');
  t.equal(new Set(items.map((i) => i.relPath)).size, total, 'no duplicate paths');
  t.same(verifyIndexConsistency(store), [], 'index consistent after the rescan');
  const again = await sut.scanLibrary(library.id, { kind: 'incremental', trigger: 'manual' });
  t.equal(again.added + again.changed + again.removed, 0, 'converged: the next scan finds nothing to do');
});
