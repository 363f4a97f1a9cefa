/**
 * Libraries on remote storage roots are first-class, through the built daemon: for SMB
 * (Samba), FTP (pure-ftpd) and WebDAV (Apache mod_dav) on 127.0.0.1, with generated media
 * seeded on each server:
 * - POST /api/libraries with a remote location (credentials apart, or in the URL) -> scan
 *   -> the files in Media Viewer's /api/files, probe info filled (h3xed /api/media/:id),
 *   a JPEG thumbnail, exact ranged bytes (206) of the original;
 * - probing reads ranges (WebDAV: every GET of the access log carries a Range header and
 *   the video's bytes sent stay below its size);
 * - credentials: /api/libraries shows the location URL without them; no response body and
 *   no daemon log line contains a password;
 * - fault path, all three at once: SMB crashes (SIGKILL, then restart), FTP shuts down
 *   (then a new server on the same port), WebDAV hangs (SIGSTOP, then SIGCONT). A rescan
 *   marks the location offline (online:false + lastError), keeps its items, publishes
 *   library.offline on /ws; the original answers 503 JSON; once the server is back the
 *   daemon's offline re-check (scan.offlineRecheckSeconds: 1) brings the location online
 *   by itself (library.online) and bytes flow again.
 */
import t, { type Test } from 'tap';
import WebSocket from 'ws';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, eventually, type RunningDaemon } from '../helpers/daemon.js';
import { makeMediaFixtures, FIXTURE_FACTS, type MediaFixtures } from '../helpers/media-fixtures.js';
import { startSamba, type SambaServer } from '../servers/samba.js';
import { startPureFtpd, seedFile, type PureFtpdServer } from '../servers/pure-ftpd.js';
import { startApacheWebdav, type ApacheWebdav } from '../servers/apache-webdav.js';

/** The files seeded on every server (name on the server -> fixture). */
const FILES = { image: 'photo.jpg', video: 'clip.mp4', audio: 'song.mp3' } as const;

interface Remote {
  scheme: 'smb' | 'ftp' | 'webdav';
  library: string;
  /** Location as POSTed (credentials apart unless `inUrl`). */
  location: { url: string; username?: string; password?: string };
  /** The credential-free URL the API must show. */
  publicUrl: string;
  password: string;
  /** Take the server away, bring it back. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

const scratch = await mkdtemp(join(tmpdir(), 'alcove-remote-libs-'));
let fx: MediaFixtures;
let d: RunningDaemon;
let samba: SambaServer | undefined;
let ftp: PureFtpdServer | undefined;
let dav: ApacheWebdav | undefined;
const remotes: Remote[] = [];
/** Every JSON body the daemon answered, for the credential check. */
const bodies: string[] = [];
const libIds = new Map<string, { uuid: string; numericId: number }>();

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await d.request(method, path, body);
  bodies.push(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
  return r;
}

async function startSmb(): Promise<Remote> {
  const srv = await startSamba();
  samba = srv;
  await mkdir(join(srv.root, 'lib'));
  for (const [k, name] of Object.entries(FILES)) await copyFile(fixtureOf(k as keyof typeof FILES), join(srv.root, 'lib', name));
  const url = `smb://127.0.0.1:${srv.port}/${srv.share}/lib`;
  return {
    scheme: 'smb', library: 'RemoteSmb', publicUrl: url, password: srv.password,
    location: { url, username: srv.user, password: srv.password },
    down: async () => srv.kill(), // a crash: every connection reset
    up: () => srv.restart(),
    stop: () => srv.stop(),
  };
}

async function startFtp(): Promise<Remote> {
  const root = join(scratch, 'ftp-root');
  await mkdir(root);
  let srv = await startPureFtpd({ root });
  ftp = srv;
  for (const [k, name] of Object.entries(FILES)) await seedFile(srv, `lib/${name}`, await readFile(fixtureOf(k as keyof typeof FILES)));
  const { port, password, user } = srv;
  const publicUrl = `ftp://127.0.0.1:${port}/lib`;
  return {
    // Credentials in the URL's userinfo: the daemon must split them off.
    scheme: 'ftp', library: 'RemoteFtp', publicUrl, password,
    location: { url: `ftp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/lib` },
    down: () => srv.stop(), // a clean shutdown: connections closed, port refused
    up: async () => {
      srv = await startPureFtpd({ root, port, password });
      ftp = srv;
    },
    stop: () => srv.stop(),
  };
}

async function startDav(): Promise<Remote> {
  const srv = await startApacheWebdav();
  dav = srv;
  for (const [k, name] of Object.entries(FILES)) await srv.seed(`lib/${name}`, await readFile(fixtureOf(k as keyof typeof FILES)));
  const url = `${srv.url}/lib`;
  return {
    scheme: 'webdav', library: 'RemoteDav', publicUrl: url, password: srv.password,
    location: { url, username: srv.user, password: srv.password },
    down: async () => srv.pause(), // a hang: connections accepted, never answered
    up: async () => srv.resume(),
    stop: () => srv.stop(),
  };
}

function fixtureOf(k: keyof typeof FILES): string {
  return { image: fx.jpeg, video: fx.mp4, audio: fx.mp3WithTags }[k];
}

t.before(async () => {
  fx = await makeMediaFixtures(join(scratch, 'fixtures'));
  remotes.push(...(await Promise.all([startSmb(), startFtp(), startDav()])));
  const config = join(scratch, 'alcove.yaml');
  // Re-check offline roots every second; no periodic rescans or watchers interfering; scans
  // and probes go through the pacer (500 operations/s per root: 2 ms apart).
  await writeFile(config, 'scan:\n  offlineRecheckSeconds: 1\n  remoteMaxRequestsPerSecond: 500\n  remoteIntervalMinutes: 0\n  localIntervalMinutes: 0\n  watch: false\n');
  d = await startDaemon({ args: ['--config', config] });
  await d.loginAdmin('remote-admin-pass');
});

t.teardown(async () => {
  await d?.stop();
  await Promise.allSettled(remotes.map((r) => r.stop()));
  if (remotes.length === 0) await Promise.allSettled([samba?.stop(), ftp?.stop(), dav?.stop()]);
  await rm(scratch, { recursive: true, force: true });
});

const fileId = async (lib: string, name: string): Promise<number> => {
  const r = await api('GET', `/api/files?path=${encodeURIComponent(lib)}`);
  const item = (r.body.items as { name: string; id: number }[]).find((i) => i.name === name);
  if (!item) throw new Error(`${name} not listed in ${lib}`);
  return item.id;
};

/** The h3xed detail of a file item: its files[0] carries the probe (width/height/duration). */
const probed = async (lib: string, name: string): Promise<any> => {
  const r = await api('GET', `/api/media/${await fileId(lib, name)}`);
  return r.status === 200 ? r.body : undefined;
};

/**
 * Probing read ranges, never whole files: every GET Apache logged so far for the image and
 * the video (the scan lists with PROPFIND; only probes have read bytes yet) carried a Range
 * header, and the video's bytes sent stayed below its size. (The MP3 is parsed from a
 * stream of the whole file that is dropped once the headers are read; at 25 KB the server
 * has sent it all by then, so it proves nothing either way and is left out.)
 */
async function assertRangedProbe(t: Test): Promise<void> {
  const lines = (await dav!.readAccessLog()).split('\n')
    .filter((l) => l.includes(` "GET /dav/lib/${FILES.image} `) || l.includes(` "GET /dav/lib/${FILES.video} `));
  t.ok(lines.length > 0, 'the probes read through GET');
  for (const line of lines) t.notMatch(line, /"-"$/, `ranged: ${line}`);
  const videoLines = lines.filter((l) => l.includes(`/lib/${FILES.video} `));
  t.ok(videoLines.length > 0, 'the video was read');
  // '%h %u "%r" %>s %b %O "%{Range}i"': %O is what Apache really sent, headers included.
  const sent = videoLines.reduce((n, l) => n + Number(/ \d{3} (?:\d+|-) (\d+) "/.exec(l)?.[1] ?? NaN), 0);
  const size = (await readFile(fx.mp4)).length;
  t.ok(sent < size, `video probe read ${sent} of ${size} bytes`);
}

t.test('create, scan, browse, probe, thumbnail, ranges on each remote root', async (t) => {
  for (const remote of remotes) {
    await t.test(remote.scheme, async (t) => {
      const created = await api('POST', '/api/libraries', { name: remote.library, type: 'mixed', locations: [remote.location] });
      t.equal(created.status, 201, 'library created');
      t.equal(created.body.locations[0].url, remote.publicUrl, 'location URL shown without credentials');
      libIds.set(remote.scheme, { uuid: created.body.id, numericId: created.body.numericId });

      const listing = await eventually(async () => {
        const r = await api('GET', `/api/files?path=${remote.library}`);
        return r.status === 200 && r.body.totalItems === 3 ? r.body : undefined;
      }, 20_000);
      t.same(listing.items.map((i: { name: string }) => i.name).sort(), Object.values(FILES).sort(), 'scanned files listed');
      const byName = Object.fromEntries(listing.items.map((i: { name: string }) => [i.name, i]));
      t.match(byName[FILES.image], { type: 'image', mimeType: 'image/jpeg', size: (await readFile(fx.jpeg)).length });
      t.match(byName[FILES.video], { type: 'video', size: (await readFile(fx.mp4)).length });
      // Media Viewer's types are image/video/other; audio is 'other' there, told apart by MIME.
      t.match(byName[FILES.audio], { mimeType: 'audio/mpeg', size: (await readFile(fx.mp3WithTags)).length });

      // Probing runs after the walk: wait for the video's and the image's probe.
      const video = await eventually(async () => {
        const m = await probed(remote.library, FILES.video);
        return m?.files?.[0]?.duration ? m : undefined;
      }, 20_000);
      t.ok(Math.abs(video.files[0].duration - FIXTURE_FACTS.video.durationMs) < 300, `video duration ${video.files[0].duration} ms`);
      t.match(video.files[0], { width: FIXTURE_FACTS.video.width, height: FIXTURE_FACTS.video.height, videoCodec: 'h264' });
      // Images carry their size at the top level of the probe; OmniLux says the probe is
      // done and Catalogizer's quality label is computed from the probed height (640x480).
      const imageId = await fileId(remote.library, FILES.image);
      const imageDetail = await eventually(async () => {
        const r = await api('GET', `/api/library/files/${imageId}`);
        return r.body?.probeState === 'done' ? r.body : undefined;
      }, 20_000);
      t.match(imageDetail, { mediaType: 'photo', container: 'jpeg' });
      const imageMedia = await api('GET', `/api/v1/media/${imageId}`);
      t.equal(imageMedia.body.quality, '480p', `image probed as ${FIXTURE_FACTS.jpeg.width}x${FIXTURE_FACTS.jpeg.height}`);

      if (remote.scheme === 'webdav') await assertRangedProbe(t);

      const thumb = await d.fetch(`/api/thumbnail/${remote.library}/${FILES.image}`);
      t.equal(thumb.status, 200, 'thumbnail answered');
      t.equal(thumb.headers.get('content-type'), 'image/jpeg');
      const jpeg = Buffer.from(await thumb.arrayBuffer());
      t.same([...jpeg.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');

      const ranged = await d.fetch(`/api/file/${remote.library}/${FILES.video}`, { headers: { range: 'bytes=100-199' } });
      t.equal(ranged.status, 206);
      const size = (await readFile(fx.mp4)).length;
      t.equal(ranged.headers.get('content-range'), `bytes 100-199/${size}`);
      t.same(Buffer.from(await ranged.arrayBuffer()), (await readFile(fx.mp4)).subarray(100, 200), 'exactly bytes 100-199');
    });
  }
});

t.test('credentials never leave the daemon', async (t) => {
  const libs = await api('GET', '/api/libraries');
  t.equal(libs.status, 200);
  for (const remote of remotes) {
    const lib = (libs.body as { name: string; locations: { url: string }[] }[]).find((l) => l.name === remote.library);
    t.same(lib?.locations.map((l) => l.url), [remote.publicUrl], `${remote.scheme}: URL without credentials`);
  }
  const allBodies = bodies.join('\n');
  const allLogs = d.logs.map((l) => JSON.stringify(l)).join('\n');
  t.ok(d.logs.length > 50, 'the daemon logged (debug level)');
  for (const remote of remotes) {
    t.notOk(allBodies.includes(remote.password), `${remote.scheme}: password in no response body`);
    t.notOk(allLogs.includes(remote.password), `${remote.scheme}: password in no log line`);
    t.notOk(allLogs.includes(encodeURIComponent(remote.password)), `${remote.scheme}: URL-encoded password in no log line`);
  }
});

interface WsClient { ws: WebSocket; events: any[]; next(pred: (e: any) => boolean, ms?: number): Promise<any> }

/** A /ws client subscribed to `topics`; `next` resolves with the first matching event. */
async function subscribe(topics: string[]): Promise<WsClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${d.port}/ws?token=${d.token}`);
  const events: any[] = [];
  const waiters = new Set<{ pred: (e: any) => boolean; res: (e: any) => void }>();
  let subscribed!: () => void;
  const ready = new Promise<void>((r) => { subscribed = r; });
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    if (m.type === 'subscribed') subscribed();
    if (m.type !== 'event') return;
    events.push(m);
    for (const w of [...waiters]) if (w.pred(m)) { waiters.delete(w); w.res(m); }
  });
  await new Promise<void>((res, rej) => { ws.once('open', () => res()); ws.once('error', rej); });
  ws.send(JSON.stringify({ type: 'subscribe', topics }));
  await ready;
  return {
    ws, events,
    next: (pred, ms = 30_000) => {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((res, rej) => {
        const w = { pred, res: (e: any) => { clearTimeout(timer); res(e); } };
        const timer = setTimeout(() => { waiters.delete(w); rej(new Error('event not received')); }, ms);
        waiters.add(w);
      });
    },
  };
}

const locationOf = async (library: string): Promise<{ online: boolean; lastError?: string }> => {
  const libs = await api('GET', '/api/libraries');
  return (libs.body as { name: string; locations: { online: boolean; lastError?: string }[] }[]).find((l) => l.name === library)!.locations[0];
};

t.test('a server goes away and comes back: offline, items kept, 503, back online by itself', async (t) => {
  const ws = await subscribe(['libraries']);
  t.teardown(() => ws.ws.close());
  // All three at once: the WebDAV hang takes the adapters' 10 s timeout to be noticed.
  await Promise.all(remotes.map(async (remote) => {
    const { uuid, numericId } = libIds.get(remote.scheme)!;
    const who = `${remote.scheme}:`;
    await remote.down();
    const scan = await api('POST', `/api/libraries/${uuid}/scan`);
    t.equal(scan.status, 202, `${who} rescan started`);
    const offline = await ws.next((m) => m.event.type === 'library.offline' && m.event.libraryId === numericId);
    t.equal(offline.topic, 'libraries', `${who} library.offline on the libraries topic`);
    const loc = await eventually(async () => {
      const l = await locationOf(remote.library);
      return l.online === false ? l : undefined;
    }, 20_000);
    t.type(loc.lastError, 'string', `${who} lastError recorded: ${loc.lastError}`);
    t.notOk(loc.lastError?.includes(remote.password), `${who} lastError without the password`);

    const kept = await api('GET', `/api/files?path=${remote.library}`);
    t.same(kept.body.items.map((i: { name: string }) => i.name).sort(), Object.values(FILES).sort(), `${who} items kept`);
    const stream = await d.fetch(`/api/file/${remote.library}/${FILES.video}`, { headers: { range: 'bytes=0-99' } });
    t.equal(stream.status, 503, `${who} streaming an offline item answers 503`);
    t.match(stream.headers.get('content-type'), /application\/json/);
    const body = await stream.json() as { success: boolean; code: string };
    bodies.push(JSON.stringify(body));
    t.match(body, { success: false, code: /^STORAGE_(OFFLINE|TIMEOUT)$/ }, `${who} JSON error ${body.code}`);

    // Back: no scan is asked for; the daemon's re-check finds the root answering.
    const since = Date.now();
    await remote.up();
    const online = await ws.next((m) => m.event.type === 'library.online' && m.event.libraryId === numericId, 30_000);
    t.equal(online.topic, 'libraries', `${who} library.online after ${Date.now() - since} ms`);
    const back = await locationOf(remote.library);
    t.equal(back.online, true, `${who} location online again`);
    t.notOk(back.lastError, `${who} lastError cleared`);
    const ranged = await d.fetch(`/api/file/${remote.library}/${FILES.video}`, { headers: { range: 'bytes=100-199' } });
    t.equal(ranged.status, 206, `${who} bytes flow again`);
    t.same(Buffer.from(await ranged.arrayBuffer()), (await readFile(fx.mp4)).subarray(100, 200), `${who} the right bytes`);
  }));
  const allLogs = d.logs.map((l) => JSON.stringify(l)).join('\n');
  for (const remote of remotes) t.notOk(allLogs.includes(remote.password), `${remote.scheme}: password in no log line after the faults`);
  t.ok(d.logs.some((l) => l.msg === 'offline location answers again: rescanning'), 'the re-check did the rescans');
});
