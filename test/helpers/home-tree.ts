/**
 * A small home-media tree for the h3xed home-surface tests: four movies with NFO sidecars
 * (genres, actors, ratings), one poster, and a show with two seasons, all real H.264 clips
 * made once with ffmpeg (lavfi) and copied. Starts the built daemon with a Movies (movie)
 * and a Shows (tv) library, logs the admin in, and waits until identification has made the
 * movie and show items.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { startDaemon, type RunningDaemon } from './daemon.js';
import { FFMPEG } from './media-fixtures.js';

const run = promisify(execFile);

export const HOME_MOVIES = [
  { dir: 'Alpha (2010)', title: 'Alpha', year: 2010, genres: ['Action', 'Science Fiction'], actors: ['Jane Star'], rating: 7.5 },
  { dir: 'Beta (2012)', title: 'Beta', year: 2012, genres: ['Action'], actors: ['Jane Star', 'Bob Lead'], rating: 8 },
  { dir: 'Gamma (2015)', title: 'Gamma', year: 2015, genres: ['Comedy'], actors: ['Carl Funny'], rating: 6 },
  { dir: 'Delta (2018)', title: 'Delta', year: 2018, genres: ['Drama'], actors: ['Dana Deep'], rating: 9 },
] as const;
export const HOME_EPISODES = ['Season 01/Show One - S01E01.mp4', 'Season 01/Show One - S01E02.mp4', 'Season 01/Show One - S01E03.mp4', 'Season 02/Show One - S02E01.mp4'];
/** Duration of every clip (ms), as ffmpeg writes it. */
export const CLIP_SECONDS = 4;

export interface HomeTree {
  daemon: RunningDaemon;
  media: string;
  movies: { uuid: string; id: number };
  shows: { uuid: string; id: number };
  cleanup(): Promise<void>;
}

const nfo = (m: typeof HOME_MOVIES[number]): string => `<?xml version="1.0" encoding="UTF-8"?>
<movie><title>${m.title}</title><year>${m.year}</year><plot>${m.title} plot.</plot><rating>${m.rating}</rating>
${m.genres.map((g) => `<genre>${g}</genre>`).join('')}
${m.actors.map((a) => `<actor><name>${a}</name><role>Hero</role></actor>`).join('')}
</movie>`;

export async function makeHomeMedia(root: string): Promise<void> {
  const clip = join(root, 'clip.mp4');
  await mkdir(root, { recursive: true });
  await run(FFMPEG, ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=320x240:r=10:d=${CLIP_SECONDS}`, '-f', 'lavfi', '-i', `sine=d=${CLIP_SECONDS}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', clip]);
  for (const m of HOME_MOVIES) {
    const d = join(root, 'Movies', m.dir);
    await mkdir(d, { recursive: true });
    await copyFile(clip, join(d, `${m.dir}.mp4`));
    await writeFile(join(d, `${m.dir}.nfo`), nfo(m));
  }
  await sharp({ create: { width: 600, height: 900, channels: 3, background: '#336699' } }).jpeg().toFile(join(root, 'Movies', HOME_MOVIES[0].dir, 'poster.jpg'));
  for (const ep of HOME_EPISODES) {
    const p = join(root, 'Shows', 'Show One', ep);
    await mkdir(join(p, '..'), { recursive: true });
    await copyFile(clip, p);
  }
  await writeFile(join(root, 'Shows', 'Show One', 'tvshow.nfo'), '<tvshow><title>Show One</title><year>2020</year><genre>Drama</genre><actor><name>Dana Deep</name></actor></tvshow>');
  await rm(clip);
}

export async function startHomeDaemon(): Promise<HomeTree> {
  const base = await mkdtemp(join(tmpdir(), 'alcove-home-'));
  const media = join(base, 'media');
  await makeHomeMedia(media);
  const daemon = await startDaemon({ args: ['--library', `Movies=${join(media, 'Movies')}:movie`, '--library', `Shows=${join(media, 'Shows')}:tv`] });
  try {
    await daemon.loginAdmin();
    const libs = (await daemon.request('GET', '/api/libraries')).body as { id: string; numericId: number; name: string }[];
    const lib = (name: string) => { const l = libs.find((x) => x.name === name); if (!l) throw new Error(`no library ${name}`); return { uuid: l.id, id: l.numericId }; };
    const tree: HomeTree = {
      daemon, media, movies: lib('Movies'), shows: lib('Shows'),
      async cleanup() { await daemon.stop(); await rm(base, { recursive: true, force: true }); },
    };
    await waitFor(async () => {
      const m = await daemon.request('GET', `/api/libraries/${tree.movies.uuid}/items?limit=10`);
      const s = await daemon.request('GET', `/api/libraries/${tree.shows.uuid}/items?limit=10`);
      const ok = m.body?.totalCount === HOME_MOVIES.length && m.body.items.every((i: { type: string; genres?: string[]; duration?: number }) => i.type === 'movie' && i.genres && i.duration)
        && s.body?.totalCount === 1 && s.body.items[0].type === 'show';
      if (!ok) return false;
      const eps = await daemon.request('GET', `/api/media/${s.body.items[0].ratingKey}/episodes`);
      return eps.body?.totalCount === HOME_EPISODES.length && eps.body.items.every((e: { duration?: number }) => e.duration);
    }, 60_000);
    return tree;
  } catch (err) {
    await daemon.stop();
    await rm(base, { recursive: true, force: true });
    throw err;
  }
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
