/**
 * ScanService on a real local tree with a real LMDB index: initial scan, unchanged rescan
 * (no writes), modify/add/delete/rename detection, sidecars, one scan per library.
 */
import t from 'tap';
import { mkdir, mkdtemp, rename, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LocalAdapter } from '../../storage-adapters/local/local.adapter.js';
import { makeScanEnv, eventsOf } from './scan-harness.js';

const FILES: Record<string, string> = {
  'Movies/Film (2019)/Film.mkv': 'film-bytes',
  'Movies/Film (2019)/Film.en.srt': '1\n00:00:01,000 --> 00:00:02,000\nhi\n',
  'Movies/Film (2019)/Film.eng.forced.srt': '1\n00:00:01,000 --> 00:00:02,000\nyo\n',
  'Movies/Film (2019)/Film.nfo': '<movie><title>Film</title></movie>',
  'Movies/Other.mp4': 'other-bytes',
  'Music/Album/01.mp3': 'mp3-one',
  'Music/Album/02.flac': 'flac-two',
  'Photos/a.jpg': 'jpeg-a',
  'Photos/b.png': 'png-b',
  'readme.txt': 'hello',
  // ignored
  '.hidden/x.jpg': 'x',
  '@eaDir/thumb.jpg': 't',
  'Photos/a.jpg.seen': '',
  'Photos/.b.png.alcove-tmp-abc123': 'partial',
};
const DIRS = ['Movies', 'Movies/Film (2019)', 'Music', 'Music/Album', 'Photos'];
const INDEXED_FILES = Object.keys(FILES).filter((p) => !/(^|\/)[.@]|\.seen$/.test(p));

async function makeTree(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'alcove-scan-tree-'));
  for (const [rel, body] of Object.entries(FILES)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), body);
  }
  return root;
}

t.test('initial scan, unchanged rescan, changes, renames, sidecars', async (t) => {
  const root = await makeTree();
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const env = await makeScanEnv(t, { adapter: new LocalAdapter(root), url: `file://${root}` });

  const first = await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  t.equal(first.status, 'done');
  t.equal(first.added, DIRS.length + INDEXED_FILES.length, 'every dir and file added');
  t.equal(first.removed, 0);
  t.equal(first.errors, 0);
  const tree = env.tree();
  t.same([...tree.keys()].sort(), [...DIRS, ...INDEXED_FILES].sort(), 'tree has exactly the visible entries');
  const film = tree.get('Movies/Film (2019)/Film.mkv');
  const filmDir = tree.get('Movies/Film (2019)');
  t.ok(film && filmDir);
  t.equal(film?.parentId, filmDir?.id, 'file under its folder');
  t.equal(filmDir?.parentId, tree.get('Movies')?.id, 'folder under its parent');
  t.equal(tree.get('Movies')?.parentId, env.library.locations[0].rootItemId, 'top level under the location root');
  t.equal(film?.mediaType, 'video');
  t.equal(film?.mime, 'video/x-matroska');
  t.equal(film?.size, FILES['Movies/Film (2019)/Film.mkv'].length);
  t.equal(tree.get('Music/Album/02.flac')?.mediaType, 'audio');
  t.equal(tree.get('readme.txt')?.mediaType, 'other');
  t.equal(tree.get('Movies')?.mediaType, 'folder');
  const sidecars = ['Film.en.srt', 'Film.eng.forced.srt', 'Film.nfo'].map((n) => tree.get(`Movies/Film (2019)/${n}`)?.id).sort();
  t.same([...(film?.sidecarIds ?? [])].sort(), sidecars, 'subtitles and nfo attached to the film');
  t.notOk(tree.get('Movies/Other.mp4')?.sidecarIds?.length, 'no sidecars for a video without any');

  const started = eventsOf(env.seen, 'scan.started');
  const finished = eventsOf(env.seen, 'scan.finished');
  t.equal(started.length, 1);
  t.equal(finished[0]?.added, first.added);
  const addedIds = eventsOf(env.seen, 'items.added').flatMap((e) => e.ids);
  t.same(addedIds.sort(), [...tree.values()].map((i) => i.id).sort(), 'items.added names every new item');
  t.equal(env.store.scans.list(env.library.id)[0]?.status, 'done', 'scan record stored');

  // -- unchanged rescan: no writes at all
  const callsBefore = env.applyBatchCalls();
  env.seen.length = 0;
  const again = await env.sut.scanLibrary(env.library.id, { kind: 'incremental', trigger: 'manual' });
  t.equal(again.added + again.changed + again.removed, 0, 'nothing added/changed/removed');
  t.equal(again.unchanged, DIRS.length + INDEXED_FILES.length);
  t.equal(env.applyBatchCalls(), callsBefore, 'no applyBatch call on an unchanged tree');
  t.equal(eventsOf(env.seen, 'items.added').length + eventsOf(env.seen, 'items.changed').length, 0);

  // -- modify, add, delete, rename, move a folder
  const other = join(root, 'Movies/Other.mp4');
  await writeFile(other, 'other-bytes-but-longer');
  await utimes(other, new Date(), new Date(Date.now() + 5000));
  await writeFile(join(root, 'Photos/c.jpg'), 'jpeg-c');
  await unlink(join(root, 'Music/Album/02.flac'));
  await rename(join(root, 'Photos/a.jpg'), join(root, 'Photos/renamed.jpg'));
  await rename(join(root, 'Music/Album/01.mp3'), join(root, 'Photos/01.mp3'));
  await rename(join(root, 'Movies/Film (2019)'), join(root, 'Movies/Film Renamed (2019)'));
  env.seen.length = 0;
  const third = await env.sut.scanLibrary(env.library.id, { kind: 'incremental', trigger: 'manual' });
  const after = env.tree();
  t.equal(third.status, 'done');
  t.equal(third.added, 2, 'c.jpg and the renamed folder are new');
  t.equal(third.changed, 1 + 1 + 1 + 4, 'Other.mp4 changed; renamed.jpg, 01.mp3 and the 4 film files moved');
  t.equal(third.removed, 2, '02.flac and the old folder removed');
  t.equal(after.get('Movies/Other.mp4')?.size, 'other-bytes-but-longer'.length, 'new size recorded');
  t.equal(after.get('Movies/Other.mp4')?.probeState, 'pending', 'changed media is probed again');
  t.ok(after.get('Photos/c.jpg'), 'new file indexed');
  t.notOk(after.get('Music/Album/02.flac'), 'deleted file gone');
  t.equal(after.get('Photos/renamed.jpg')?.id, tree.get('Photos/a.jpg')?.id, 'in-place rename keeps the id');
  t.notOk(after.get('Photos/a.jpg'));
  t.equal(after.get('Photos/01.mp3')?.id, tree.get('Music/Album/01.mp3')?.id, 'move across folders keeps the id');
  t.equal(after.get('Photos/01.mp3')?.parentId, after.get('Photos')?.id);
  const movedFilm = after.get('Movies/Film Renamed (2019)/Film.mkv');
  t.equal(movedFilm?.id, film?.id, 'file in a renamed folder keeps its id');
  t.equal(movedFilm?.parentId, after.get('Movies/Film Renamed (2019)')?.id);
  t.same([...(movedFilm?.sidecarIds ?? [])].sort(), sidecars, 'sidecars still attached after the folder rename');
  t.notOk(after.get('Movies/Film (2019)'), 'old folder gone');
  t.equal(after.size, tree.size + 1 - 1, 'one added file, one deleted file, everything else kept');
  t.same(eventsOf(env.seen, 'items.removed').flatMap((e) => e.ids).sort(),
    [tree.get('Music/Album/02.flac')?.id, filmDir?.id].sort(), 'items.removed names what went away');
  t.equal(after.get('Music/Album')?.childCount, 0, 'childCount kept in step');

  // -- a sidecar removed and one added is re-attached
  await unlink(join(root, 'Movies/Film Renamed (2019)/Film.nfo'));
  await writeFile(join(root, 'Movies/Other.de.srt'), 'x');
  await env.sut.scanLibrary(env.library.id, { kind: 'incremental', trigger: 'manual' });
  const last = env.tree();
  t.same([...(last.get('Movies/Film Renamed (2019)/Film.mkv')?.sidecarIds ?? [])].sort(),
    ['Film.en.srt', 'Film.eng.forced.srt'].map((n) => last.get(`Movies/Film Renamed (2019)/${n}`)?.id).sort(), 'removed nfo detached');
  t.same(last.get('Movies/Other.mp4')?.sidecarIds, [last.get('Movies/Other.de.srt')?.id], 'new subtitle attached');
});

t.test('one scan at a time per library', async (t) => {
  const root = await makeTree();
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const env = await makeScanEnv(t, { adapter: new LocalAdapter(root), url: `file://${root}` });
  const a = env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  const b = env.sut.scanLibrary(env.library.id, { kind: 'incremental', trigger: 'api' });
  t.equal(a, b, 'the second request joins the running scan');
  t.equal(env.sut.runningScan(env.library.id), a);
  const [ra, rb] = await Promise.all([a, b]);
  t.equal(ra.id, rb.id);
  t.equal(env.store.scans.list(env.library.id).length, 1, 'one scan record');
  t.equal(eventsOf(env.seen, 'scan.started').length, 1, 'one walk');
  t.equal(env.sut.runningScan(env.library.id), undefined, 'released when done');
  const c = await env.sut.scanLibrary(env.library.id, { kind: 'incremental', trigger: 'api' });
  t.not(c.id, ra.id, 'a later request starts a new scan');
  await t.rejects(env.sut.scanLibrary(9999, { kind: 'full', trigger: 'manual' }), { code: 'NOT_FOUND' });
});

t.test('cancellation stops the walk and records it', async (t) => {
  const root = await makeTree();
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const env = await makeScanEnv(t, { adapter: new LocalAdapter(root), url: `file://${root}` });
  const ac = new AbortController();
  ac.abort();
  const rec = await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual', signal: ac.signal });
  t.equal(rec.status, 'cancelled');
  t.equal(env.store.scans.list(env.library.id)[0]?.status, 'cancelled');
  const ok = await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
  t.equal(ok.status, 'done');
  t.equal(env.tree().size, DIRS.length + INDEXED_FILES.length, 'a later scan completes the index');
});
