/**
 * Media Reviewer services in process: real LMDB index, real local adapter (wrapped to slow
 * or count calls where a test needs to see inside), real sharp and ffmpeg.
 * Covers what the e2e test cannot observe directly: the walk stops on abort, empty-trash
 * stops between files and leaves none half-deleted, the stream cursor, thumbnail chunks and
 * mtimes, the YAML mirror, and index meta.review after actions.
 */
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { openIndexStore } from '../../daemon/index/lmdb-store.js';
import { silentLogger } from '../../daemon/log/logger.js';
import { SecretBox } from '../../daemon/services/storage/secret-box.js';
import { StorageRootService } from '../../daemon/services/storage/storage-root.service.js';
import { LibraryService } from '../../daemon/services/libraries/library.service.js';
import { ReviewService } from '../../daemon/services/review/review.service.js';
import { fileUri, readPngText, thumbName, addPngText } from '../../daemon/services/review/freedesktop.js';
import type { MediaItemView } from '../../daemon/services/review/review-media.js';
import type { TrashEvent } from '../../daemon/services/review/review-trash.service.js';
import { AdapterRegistry } from '../../storage-adapters/registry.js';
import { createLocalAdapter } from '../../storage-adapters/local/local.adapter.js';
import type { StorageAdapter } from '../../storage-adapters/types.js';

interface Env { dir: string; tree: string; sut: ReviewService; counts: { list: number; delete: number }; configFile: string }

async function makeEnv(t: Test, opts: { deleteDelayMs?: number; listDelayMs?: number; failDelete?: (path: string) => boolean } = {}): Promise<Env> {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-review-'));
  const tree = join(dir, 'tree');
  await mkdir(tree);
  const store = await openIndexStore({ path: join(dir, 'index') });
  const counts = { list: 0, delete: 0 };
  const registry = new AdapterRegistry();
  registry.register('file', (o) => {
    const inner = createLocalAdapter(o);
    return new Proxy(inner, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (prop === 'list') {
          return async (...args: Parameters<StorageAdapter['list']>) => {
            counts.list++;
            if (opts.listDelayMs) await new Promise((r) => setTimeout(r, opts.listDelayMs));
            return target.list(...args);
          };
        }
        if (prop === 'delete') {
          return async (...args: Parameters<StorageAdapter['delete']>) => {
            counts.delete++;
            if (opts.deleteDelayMs) await new Promise((r) => setTimeout(r, opts.deleteDelayMs));
            if (opts.failDelete?.(args[0])) throw Object.assign(new Error(`EBUSY: ${args[0]} is busy`), { code: 'IO' });
            return target.delete(...args);
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  });
  const roots = new StorageRootService(store, registry, new SecretBox(randomBytes(32)), silentLogger());
  const libraries = new LibraryService(store, roots);
  const configFile = join(dir, 'review-paths.yaml');
  const sut = await ReviewService.create({
    index: store, libraries, getAdapter: (id) => roots.getAdapter(id), stateDir: join(dir, 'state'), configFile,
    ffmpegPath: '/usr/bin/ffmpeg', logger: silentLogger(), overrides: { autoThumbnail: false },
  });
  t.teardown(async () => {
    await sut.stop();
    await roots.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { dir, tree, sut, counts, configFile };
}

async function jpeg(path: string, color = '#3a6'): Promise<void> {
  await sharp({ create: { width: 64, height: 48, channels: 3, background: color } }).jpeg().toFile(path);
}

async function collect<T>(gen: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

t.test('stream order, cursor, and an abort that stops the walk', async (t) => {
  const env = await makeEnv(t, { listDelayMs: 5 });
  // 30 folders x 3 files; plus files at the top and a hidden folder.
  for (let d = 0; d < 30; d++) {
    const sub = join(env.tree, `d${String(d).padStart(2, '0')}`);
    await mkdir(sub);
    for (const f of ['b.jpg', 'a.jpg', 'c.txt']) await writeFile(join(sub, f), 'x');
  }
  await writeFile(join(env.tree, 'z.jpg'), 'x');
  await mkdir(join(env.tree, '.hidden'));
  await writeFile(join(env.tree, '.hidden', 'h.jpg'), 'x');
  await env.sut.paths.add(env.tree);
  const req = await env.sut.listing.streamRequest(new URLSearchParams({ path: env.tree, limit: '10000' }));
  const all = await collect(env.sut.listing.stream(req));
  t.equal(all.length, 61, '60 images in folders + z.jpg; .txt and the hidden folder left out');
  t.equal(all[0].name, 'z.jpg', "a folder's own files come before its subfolders");
  t.same(all.slice(1, 3).map((i) => i.path.slice(env.tree.length)), ['/d00/a.jpg', '/d00/b.jpg']);

  // `after` resumes exactly after the given file, for every position.
  for (const k of [0, 1, 2, 17, 59]) {
    const page = await collect(env.sut.listing.stream(await env.sut.listing.streamRequest(
      new URLSearchParams({ path: env.tree, limit: '5', after: all[k].path }))));
    t.same(page.map((i) => i.path), all.slice(k + 1, k + 6).map((i) => i.path), `after #${k}`);
  }
  const afterReq = await env.sut.listing.streamRequest(new URLSearchParams({ path: env.tree, limit: '1', after: all[50].path }));
  const listsBefore = env.counts.list;
  await collect(env.sut.listing.stream(afterReq));
  t.ok(env.counts.list - listsBefore <= 3, `the cursor descends along its path (listed ${env.counts.list - listsBefore} dirs)`);

  // Abort after the first item: no further directory is listed.
  const controller = new AbortController();
  const lists0 = env.counts.list;
  const got: MediaItemView[] = [];
  await t.rejects((async () => {
    for await (const item of env.sut.listing.stream(req, controller.signal)) {
      got.push(item);
      if (got.length === 1) controller.abort();
    }
  })());
  await new Promise((r) => setTimeout(r, 100));
  t.ok(env.counts.list - lists0 <= 2, `walk stopped after the abort (${env.counts.list - lists0} listings of 31)`);
});

t.test('actions write companions and index meta.review at once', async (t) => {
  const env = await makeEnv(t);
  await jpeg(join(env.tree, 'p.jpg'));
  const { location } = await env.sut.paths.add(env.tree);
  const yaml = await readFile(env.configFile, 'utf8');
  t.match(yaml, `- ${env.tree}`, 'YAML mirror lists the path');
  // Index the file the way the scanner does, then act.
  const index = (env.sut as unknown as { deps: { index: import('../../daemon/domain/ports.js').IndexStore } }).deps.index;
  await index.items.applyBatch({ upserts: [{ locationId: location.locationId, libraryId: location.library.id, relPath: 'p.jpg', name: 'p.jpg', kind: 'file', mediaType: 'image', size: 1, mtimeMs: 1 }] });
  const res = await env.sut.actions.apply({ path: join(env.tree, 'p.jpg'), action: 'lock' });
  t.same(res.status, { locked: true, trashed: false, seen: true });
  t.same(index.items.getByPath(location.locationId, 'p.jpg')?.meta?.review, { locked: true, trashed: false, seen: true });
  t.same((await readdir(env.tree)).sort(), ['p.jpg', 'p.jpg.lock', 'p.jpg.seen']);
  // Concurrent actions on one file are serialized: the final state is the last one's.
  await Promise.all([
    env.sut.actions.apply({ path: join(env.tree, 'p.jpg'), action: 'unlock' }),
    env.sut.actions.apply({ path: join(env.tree, 'p.jpg'), action: 'trash' }),
  ]);
  t.same(index.items.getByPath(location.locationId, 'p.jpg')?.meta?.review, { locked: false, trashed: true, seen: true });
  await env.sut.paths.remove(env.tree);
  t.notMatch(await readFile(env.configFile, 'utf8'), env.tree, 'removed from the YAML mirror');
});

t.test('empty-trash: abort stops between files, nothing half-deleted; failures continue', async (t) => {
  const env = await makeEnv(t, { deleteDelayMs: 10, failDelete: (p) => p === 'f39.jpg' });
  for (let i = 0; i < 40; i++) {
    const name = `f${String(i).padStart(2, '0')}.jpg`;
    await writeFile(join(env.tree, name), 'x');
    await writeFile(join(env.tree, `${name}.trash`), '');
    await writeFile(join(env.tree, `${name}.seen`), '');
  }
  const [location] = await env.sut.trash.scope(undefined).then(async (l) => l.length ? l : [(await env.sut.paths.add(env.tree)).location]);
  const controller = new AbortController();
  const events: TrashEvent[] = [];
  for await (const e of env.sut.trash.run([location], controller.signal)) {
    events.push(e);
    if (e.type === 'deleted' && events.filter((x) => x.type === 'deleted').length === 3) controller.abort();
  }
  const names = new Set(await readdir(env.tree));
  const deleted = events.filter((e) => e.type === 'deleted').length;
  t.ok(deleted >= 3 && deleted < 10, `stopped early (${deleted} deleted of 40)`);
  t.notOk(events.some((e) => e.type === 'done'), 'no done event after an abort');
  for (let i = 0; i < 40; i++) {
    const name = `f${String(i).padStart(2, '0')}.jpg`;
    const parts = [names.has(name), names.has(`${name}.trash`), names.has(`${name}.seen`)];
    t.ok(parts.every(Boolean) || parts.every((p) => !p), `${name}: all or nothing (${parts})`);
  }
  t.equal(names.size, (40 - deleted) * 3, 'exactly the reported files are gone');

  // A file that cannot be deleted is reported; the rest go; it stays trashed for a retry.
  const rest = await collect(env.sut.trash.run([location]));
  t.same(rest.at(-1), { type: 'done', deleted: names.size / 3 - 1, errors: 1, skipped: 0, pruned: 0 });
  t.match(rest.find((e) => e.type === 'error'), { path: join(env.tree, 'f39.jpg'), message: /busy/ });
  t.same((await readdir(env.tree)).sort(), ['f39.jpg', 'f39.jpg.seen', 'f39.jpg.trash']);
  t.same(env.sut.trash.queue(), { max_workers: 2, active_jobs: 0, submitted_jobs: 40, completed_jobs: 39, failed_jobs: 1 },
    'deletion queue counters count the real work');
});

t.test('thumbnails: freedesktop file, text chunks, mtime, regeneration, placeholder not cached', async (t) => {
  const env = await makeEnv(t);
  const src = join(env.tree, 'pic one.jpg');
  await jpeg(src);
  await writeFile(join(env.tree, 'broken.mp4'), 'not a video');
  const { location } = await env.sut.paths.add(env.tree);
  const entry = await location.adapter.stat('pic one.jpg');
  const ans = await env.sut.thumbnails.get(location, 'pic one.jpg', entry, 256);
  t.equal(ans.kind, 'file');
  const thumbPath = join(env.tree, '.thumbnails', 'large', thumbName(src));
  const png = await readFile(thumbPath);
  const text = readPngText(png);
  t.equal(text['Thumb::URI'], `file://${env.tree.split('/').map(encodeURIComponent).join('/')}/pic%20one.jpg`);
  t.equal(text['Thumb::URI'], fileUri(src));
  t.equal(text['Thumb::MTime'], String(Math.floor(entry.mtimeMs / 1000)));
  t.equal(Math.round((await stat(thumbPath)).mtimeMs), Math.round(entry.mtimeMs), 'thumbnail mtime = source mtime');
  const meta = await sharp(png).metadata();
  t.equal(meta.format, 'png');
  t.ok(meta.width === 64 && meta.height === 48, 'small sources are not enlarged');

  // A smaller size comes from the normal bucket, scaled in memory.
  const small = await env.sut.thumbnails.get(location, 'pic one.jpg', entry, 32);
  t.equal(small.kind, 'bytes');
  if (small.kind === 'bytes') t.equal((await sharp(small.png).metadata()).width, 32);
  t.ok((await stat(join(env.tree, '.thumbnails', 'normal', thumbName(src)))).isFile());

  // Changed source -> regenerated, new MTime chunk.
  await sharp({ create: { width: 80, height: 80, channels: 3, background: '#00f' } }).jpeg().toFile(src);
  const later = new Date(Date.now() + 5000);
  await utimes(src, later, later);
  const entry2 = await location.adapter.stat('pic one.jpg');
  const before = env.sut.thumbnails.stats.generated;
  await env.sut.thumbnails.get(location, 'pic one.jpg', entry2, 256);
  t.equal(env.sut.thumbnails.stats.generated, before + 1, 'regenerated');
  t.equal(readPngText(await readFile(thumbPath))['Thumb::MTime'], String(Math.floor(entry2.mtimeMs / 1000)));
  await env.sut.thumbnails.get(location, 'pic one.jpg', entry2, 256);
  t.equal(env.sut.thumbnails.stats.generated, before + 1, 'fresh cache hit');

  // A failed video extraction: placeholder, nothing cached, retried next time.
  const bad = await location.adapter.stat('broken.mp4');
  const p1 = await env.sut.thumbnails.get(location, 'broken.mp4', bad, 128);
  t.equal(p1.kind === 'bytes' && p1.placeholder, true);
  if (p1.kind === 'bytes') t.equal((await sharp(p1.png).metadata()).width, 128);
  await t.rejects(stat(join(env.tree, '.thumbnails', 'normal', thumbName(join(env.tree, 'broken.mp4')))), 'placeholder not cached');
  const placeholders = env.sut.thumbnails.stats.placeholders;
  await env.sut.thumbnails.get(location, 'broken.mp4', bad, 128);
  t.equal(env.sut.thumbnails.stats.placeholders, placeholders + 1, 'retried on the next request');

  // Orphans: a thumbnail whose source is gone is pruned; a live one stays.
  await rm(src);
  t.equal(await env.sut.thumbnails.pruneOrphans(location), 2, 'large + normal of the deleted file');
  t.same(await readdir(join(env.tree, '.thumbnails', 'large')), []);
});

t.test('PNG text chunk writer round-trips and keeps the image valid', async (t) => {
  const png = await sharp({ create: { width: 3, height: 2, channels: 3, background: '#fff' } }).png().toBuffer();
  const tagged = addPngText(png, { 'Thumb::URI': 'file:///a%20b.jpg', 'Thumb::MTime': '1700000000' });
  t.same(readPngText(tagged), { 'Thumb::URI': 'file:///a%20b.jpg', 'Thumb::MTime': '1700000000' });
  const meta = await sharp(tagged).metadata();
  t.equal(meta.width, 3);
  t.throws(() => addPngText(Buffer.from('nope'), {}));
});

t.test('YAML: hand-added paths are imported at start; settings are read', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-review-yaml-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const tree = join(dir, 'photos');
  await mkdir(tree);
  const configFile = join(dir, 'review-paths.yaml');
  await writeFile(configFile, `known_paths:\n  - ${tree}\n  - ${join(dir, 'missing')}\nhidden_picker_paths: [/proc, /srv/secret]\ndeletion_workers: 3\n`);
  const store = await openIndexStore({ path: join(dir, 'index') });
  const registry = new AdapterRegistry();
  registry.register('file', createLocalAdapter);
  const roots = new StorageRootService(store, registry, new SecretBox(randomBytes(32)), silentLogger());
  const sut = await ReviewService.create({
    index: store, libraries: new LibraryService(store, roots), getAdapter: (id) => roots.getAdapter(id),
    stateDir: join(dir, 'state'), configFile, logger: silentLogger(), overrides: { autoThumbnail: false },
  });
  t.teardown(async () => { await sut.stop(); await roots.close(); await store.close(); });
  t.same(sut.paths.list(), [tree], 'existing path imported, missing one skipped');
  t.same(sut.health().settings.hiddenPickerPaths, ['/proc', '/srv/secret']);
  t.equal(sut.health().deletionQueue.max_workers, 3);
  t.equal(store.libraries.list()[0]?.purpose, 'review', 'stored as a review library');
  await t.rejects(sut.paths.add('/srv/secret/x'), { code: 'VALIDATION' }, 'missing dir is 400 before the hidden check');
});
