/**
 * Crash consistency: a child process mutates the index as fast as it can and is killed
 * with SIGKILL at a random moment, several times over the same index. After every kill
 * the index must open and pass verifyIndexConsistency (every index entry matches an item
 * and vice versa, childCounts and counters equal a recount).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openIndexStore } from '../../daemon/index/lmdb-store.js';
import { verifyIndexConsistency } from '../../daemon/index/verify.js';

const CHILD = fileURLToPath(new URL('./fixtures/index-crash-child.ts', import.meta.url));
// The test process runs under tap's TypeScript loader; the child needs the same to import .ts.
const loaderArgs = process.execArgv.filter((a) => a.includes('@tapjs/typescript') || a === '--enable-source-maps');

function runAndKill(path: string, seed: number, killAfterMs: number): Promise<{ ticks: number; signal: NodeJS.Signals | null; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...loaderArgs, CHILD, path, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`child never became ready: ${err}`)); }, 60_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!timer && out.includes('ready')) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`child exited by itself (code ${code}): ${err}`));
      else resolve({ ticks: (out.match(/tick/g) ?? []).length, signal, code });
    });
  });
}

t.test('the index survives SIGKILL at random moments', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-crash-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'index');
  let lastItems = -1;
  for (let round = 1; round <= 6; round++) {
    const killAfterMs = 150 + Math.floor(Math.random() * 900);
    const res = await runAndKill(path, round, killAfterMs);
    t.equal(res.signal, 'SIGKILL', `round ${round}: killed after ${killAfterMs} ms (${res.ticks} operations)`);
    const store = await openIndexStore({ path });
    try {
      const problems = verifyIndexConsistency(store);
      t.same(problems, [], `round ${round}: consistent with ${store.items.counters().items} items`);
      t.ok(store.libraries.getByName('crash'), 'the library survived');
      lastItems = store.items.counters().items;
    } finally {
      await store.close();
    }
  }
  t.ok(lastItems > 1, 'the child really wrote');
});
