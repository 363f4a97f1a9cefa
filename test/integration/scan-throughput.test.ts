/**
 * Scanner throughput on a generated 20,000-file local tree (1,000 folders x 20 empty
 * files), real LMDB, no probing. Figures are reported as comments, not asserted (they
 * depend on the machine); the counts are asserted.
 */
import t from 'tap';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalAdapter } from '../../storage-adapters/local/local.adapter.js';
import { makeScanEnv } from './scan-harness.js';

const FOLDERS = 1000;
const FILES = 20;

t.test('initial scan and unchanged rescan of 20,000 files', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'alcove-scan-bench-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  for (let d = 0; d < FOLDERS; d += 50) {
    await Promise.all(Array.from({ length: 50 }, async (_, i) => {
      const dir = join(root, `group${Math.floor((d + i) / 100)}`, `folder${d + i}`);
      await mkdir(dir, { recursive: true });
      await Promise.all(Array.from({ length: FILES }, (_, f) => writeFile(join(dir, `clip${f}.mp4`), '')));
    }));
  }
  const env = await makeScanEnv(t, { adapter: new LocalAdapter(root), url: `file://${root}` });
  const files = FOLDERS * FILES;
  const groups = FOLDERS / 100;

  let t0 = performance.now();
  const first = await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  const initialMs = performance.now() - t0;
  t.equal(first.added, files + FOLDERS + groups, 'every file and folder added');

  t0 = performance.now();
  const calls = env.applyBatchCalls();
  const second = await env.sut.scanLibrary(env.library.id, { kind: 'incremental', trigger: 'manual' });
  const rescanMs = performance.now() - t0;
  t.equal(second.added + second.changed + second.removed, 0);
  t.equal(env.applyBatchCalls(), calls, 'unchanged rescan writes nothing');

  t0 = performance.now();
  await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  const fullRescanMs = performance.now() - t0;

  const rate = (ms: number): string => `${Math.round(files / (ms / 1000)).toLocaleString('en-US')} files/s`;
  t.comment(`initial scan: ${files} files in ${initialMs.toFixed(0)} ms = ${rate(initialMs)} (${first.added} items, batches: ${calls})`);
  t.comment(`unchanged incremental rescan: ${rescanMs.toFixed(0)} ms = ${rate(rescanMs)}`);
  t.comment(`unchanged full rescan: ${fullRescanMs.toFixed(0)} ms = ${rate(fullRescanMs)}`);
});
