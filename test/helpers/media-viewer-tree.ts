/**
 * A small Media Viewer library for e2e tests: generated images and a clip (media-fixtures)
 * copied into a tree, a daemon started on it with one 'Photos' library, logged in as admin,
 * and the startup scan awaited.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeMediaFixtures } from './media-fixtures.js';
import { eventually, startDaemon, type RunningDaemon } from './daemon.js';

export interface ViewerTree {
  daemon: RunningDaemon;
  root: string;
  cleanup(): Promise<void>;
}

/**
 * Photos/
 *   Empty/            Trip/                          z.jpg  list.wpl  weird name #1+x.jpg
 *                     Trip/Sub/c.jpg  Trip/a.jpg  Trip/b.png  Trip/clip.mp4  Trip/notes.txt
 */
export async function startViewerDaemon(): Promise<ViewerTree> {
  const base = await mkdtemp(join(tmpdir(), 'alcove-mv-'));
  const fx = await makeMediaFixtures(join(base, 'fixtures'));
  const root = join(base, 'lib');
  await mkdir(join(root, 'Trip/Sub'), { recursive: true });
  await mkdir(join(root, 'Empty'), { recursive: true });
  await copyFile(fx.jpeg, join(root, 'Trip/a.jpg'));
  await copyFile(fx.png, join(root, 'Trip/b.png'));
  await copyFile(fx.mp4, join(root, 'Trip/clip.mp4'));
  await writeFile(join(root, 'Trip/notes.txt'), 'hello notes\n');
  await copyFile(fx.jpeg, join(root, 'Trip/Sub/c.jpg'));
  await copyFile(fx.jpeg, join(root, 'z.jpg'));
  await copyFile(fx.jpeg, join(root, 'weird name #1+x.jpg'));
  await writeFile(join(root, 'list.wpl'), '<smil></smil>\n');
  const daemon = await startDaemon({ args: ['--library', `Photos=${root}:photo`] });
  try {
    await daemon.loginAdmin();
    await eventually(async () => {
      const r = await daemon.request('GET', '/api/files?path=Photos/Trip/Sub');
      return r.status === 200 && r.body.items.length === 1;
    }, 20_000);
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  return {
    daemon, root,
    async cleanup() { await daemon.stop(); await rm(base, { recursive: true, force: true }); },
  };
}
