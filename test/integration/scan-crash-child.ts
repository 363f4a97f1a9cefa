/**
 * Child process for scan-crash.test.ts: opens the index, creates the library on first use,
 * and scans the tree in small batches, printing "added" after each committed batch so the
 * parent can kill -9 it mid-scan.
 */
import { openIndexStore } from '../../daemon/index/lmdb-store.js';
import { InProcessEventBus } from '../../daemon/services/event-bus.js';
import { silentLogger } from '../../daemon/log/logger.js';
import { ScanService } from '../../daemon/scanner/scan.service.js';
import { LocalAdapter } from '../../storage-adapters/local/local.adapter.js';

const [indexPath, treePath] = process.argv.slice(2);
const store = await openIndexStore({ path: indexPath });
let library = store.libraries.getByName('Crash');
if (!library) {
  const root = await store.roots.create({ url: `file://${treePath}`, scheme: 'file', name: 'crash', status: 'online' });
  library = await store.libraries.create({ name: 'Crash', type: 'mixed', locations: [{ rootId: root.id, path: '' }] });
}
const adapter = new LocalAdapter(treePath);
const events = new InProcessEventBus();
events.on((e) => { if (e.type === 'items.added') process.stdout.write('added\n'); });
const sut = new ScanService({ index: store, getAdapter: async () => adapter, events, logger: silentLogger(), options: { batchSize: 50 } });
const record = await sut.scanLibrary(library.id, { kind: 'full', trigger: 'manual' });
process.stdout.write(`done ${record.added}\n`);
await store.close();
