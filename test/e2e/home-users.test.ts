/**
 * h3xed home surface, people side (seed 004): the permission matrix (every admin endpoint
 * as a plain user -> 403; personal data invisible across users), restrictions (content
 * rating, labels, libraries) on every reading endpoint incl. search, stream and artwork,
 * invites through their whole life, user deletion, share links, change-password, admin
 * tools (browse-fs, logs, manual edits, TMDb matching without a key).
 */
import t from 'tap';
import { HOME_MOVIES, startHomeDaemon, type HomeTree } from '../helpers/home-tree.js';

let tree: HomeTree;
t.before(async () => { tree = await startHomeDaemon(); });
t.teardown(async () => { await tree?.cleanup(); });

interface It { ratingKey: string; title: string; type: string }
const PASSWORD = 'family-password-1';

async function addUser(username: string, extra: Record<string, unknown> = {}): Promise<{ id: number; token: string }> {
  const made = await tree.daemon.request('POST', '/api/users', { username, password: PASSWORD, ...extra });
  if (made.status !== 201) throw new Error(`create ${username}: ${made.status} ${JSON.stringify(made.body)}`);
  const login = await tree.daemon.request('POST', '/api/auth/login', { username, password: PASSWORD }, null);
  return { id: made.body.id as number, token: login.body.token as string };
}
const titles = async (token: string, lib = tree.movies.uuid): Promise<string[]> =>
  (await tree.daemon.request('GET', `/api/libraries/${lib}/items`, undefined, token)).body.items.map((i: It) => i.title);
const movie = async (title: string): Promise<{ key: string; fileId: number }> => {
  const items = (await tree.daemon.request('GET', `/api/libraries/${tree.movies.uuid}/items`)).body.items as It[];
  const key = items.find((i) => i.title === title)!.ratingKey;
  return { key, fileId: (await tree.daemon.request('GET', `/api/media/${key}`)).body.files[0].id };
};

t.test('permission matrix: admin endpoints refuse plain users; personal data stays personal', async (t) => {
  const d = tree.daemon;
  const kid = await addUser('matrix-user');
  const alpha = await movie('Alpha');
  const admin: [string, string, unknown?][] = [
    ['GET', '/api/users'], ['POST', '/api/users', { username: 'x1x', password: PASSWORD }], ['PUT', `/api/users/${kid.id}`, { displayName: 'x' }],
    ['DELETE', `/api/users/${kid.id}`], ['GET', `/api/users/${kid.id}/share-link`], ['GET', `/api/users/${kid.id}/restrictions`],
    ['PUT', `/api/users/${kid.id}/restrictions`, {}], ['POST', '/api/invites', {}], ['GET', '/api/invites'], ['DELETE', '/api/invites/0123456789abcdef'],
    ['GET', '/api/browse-fs?path=/'], ['GET', '/api/logs'], ['GET', `/api/media-item/${alpha.key}`], ['PUT', `/api/media-item/${alpha.key}`, { title: 'x' }],
    ['POST', `/api/match/${alpha.key}/search`, {}], ['POST', `/api/match/${alpha.key}/apply`, { tmdbId: 1 }], ['POST', `/api/match/${alpha.key}/refresh`],
    ['POST', `/api/libraries/${tree.movies.uuid}/refresh`], ['POST', `/api/libraries/${tree.movies.uuid}/scan`], ['GET', '/api/scan-status'],
    ['POST', '/api/libraries', { name: 'x', path: '/tmp' }], ['PUT', `/api/libraries/${tree.movies.uuid}`, { name: 'x' }], ['DELETE', `/api/libraries/${tree.movies.uuid}`],
  ];
  for (const [method, path, body] of admin) {
    t.match(await d.request(method, path, body, kid.token), { status: 403, body: { success: false } }, `${method} ${path}`);
  }
  // Admin's personal data, then the user's view of the same endpoints.
  await d.request('POST', '/api/progress', { ratingKey: alpha.key, offset: 1200 });
  await d.request('POST', `/api/watchlist/${alpha.key}`);
  t.equal((await d.request('GET', '/api/continue-watching', undefined, kid.token)).body.totalCount, 0);
  t.equal((await d.request('GET', '/api/watchlist', undefined, kid.token)).body.totalCount, 0);
  t.match((await d.request('GET', `/api/watch-state?keys=${alpha.key}`, undefined, kid.token)).body.states[alpha.key], { viewOffset: 0, watched: false });
  t.match((await d.request('GET', `/api/media/${alpha.key}`, undefined, kid.token)).body, { viewOffset: 0 });
  t.match((await d.request('DELETE', `/api/watchlist/${alpha.key}`, undefined, kid.token)).body, { removed: false }, 'cannot touch another list');
  t.match((await d.request('GET', `/api/watch-state?keys=${alpha.key}`)).body.states[alpha.key], { viewOffset: 1200 }, 'admin still has it');
  t.equal((await d.request('GET', '/api/watchlist')).body.totalCount, 1);
  for (const p of ['/api/users', '/api/continue-watching', '/api/watchlist', `/api/media/${alpha.key}`, '/api/genres', '/api/discover/recent']) {
    t.match(await d.request('GET', p, undefined, null), { status: 401 }, `${p} needs a session`);
  }
});

t.test('restrictions: rating, labels and libraries apply to every reading endpoint', async (t) => {
  const d = tree.daemon;
  const kid = await addUser('kid');
  const delta = await movie('Delta');
  const gamma = await movie('Gamma');
  const alpha = await movie('Alpha');
  // Manual edits lock the fields they set.
  t.match((await d.request('PUT', `/api/media-item/${delta.key}`, { contentRating: 'R' })).body, { fields: { contentRating: 'R' }, lockedFields: ['contentRating'] });
  await d.request('PUT', `/api/media-item/${gamma.key}`, { labels: ['Grown-Ups'] });
  await d.request('PUT', `/api/media-item/${alpha.key}`, { contentRating: 'PG' });
  t.match(await d.request('PUT', `/api/users/${kid.id}/restrictions`, { maxContentRating: 'PG-13', excludedLabels: ['grown-ups'] }), { status: 200, body: { maxContentRating: 'PG-13', excludedLabels: ['grown-ups'], libraries: null } });
  t.same(await titles(kid.token), ['Alpha', 'Beta'], 'R-rated and labelled movies hidden');
  t.equal((await d.request('GET', `/api/libraries/${tree.movies.uuid}/items`, undefined, kid.token)).body.totalCount, 2);
  t.same(await titles(d.token!), HOME_MOVIES.map((m) => m.title).sort(), 'admin sees all');
  const hidden: [string, string][] = [
    ['GET', `/api/media/${delta.key}`], ['GET', `/api/cast/${delta.key}`], ['GET', `/api/artwork/${delta.key}/thumb`], ['GET', `/api/stream/${delta.fileId}`],
    ['GET', `/api/media/${delta.fileId}/playback-info`], ['POST', `/api/transcode/${delta.fileId}`], ['GET', `/api/media/${gamma.key}`], ['GET', `/api/stream/${gamma.fileId}`],
  ];
  for (const [method, path] of hidden) t.match(await d.request(method, path, method === 'POST' ? {} : undefined, kid.token), { status: 404 }, `${method} ${path}`);
  t.match(await d.request('POST', '/api/progress', { ratingKey: delta.key, offset: 1 }, kid.token), { status: 404 });
  t.match(await d.request('POST', `/api/watchlist/${delta.key}`, undefined, kid.token), { status: 404 });
  t.same(Object.keys((await d.request('GET', `/api/watch-state?keys=${delta.key},${alpha.key}`, undefined, kid.token)).body.states), [alpha.key]);
  const recent = (await d.request('GET', `/api/libraries/${tree.movies.uuid}/recent`, undefined, kid.token)).body.items.map((i: It) => i.title);
  t.same(recent.sort(), ['Alpha', 'Beta']);
  t.notOk((await d.request('GET', '/api/discover/recent?limit=100', undefined, kid.token)).body.items.some((i: It) => i.title === 'Delta' || i.title === 'Gamma'));
  t.notOk((await d.request('GET', `/api/libraries/${tree.movies.uuid}/recommended`, undefined, kid.token)).body.items.some((i: It) => i.title === 'Delta' || i.title === 'Gamma'));
  const search = (await d.request('GET', '/api/search?q=Delta', undefined, kid.token)).body;
  t.same(search.items.map((i: { type: string }) => i.type), ['folder'], 'search hides the R-rated video and its sidecar (the folder name stays)');
  const adminSearch = (await d.request('GET', '/api/search?q=Delta')).body;
  t.ok(adminSearch.items.some((i: { type: string }) => i.type === 'video'), 'admin finds it');
  t.match(adminSearch.items[0], { ratingKey: String, key: String, title: String, addedAt: Number, librarySectionID: Number }, 'search items carry h3xed fields');
  t.equal((await d.request('GET', `/api/stream/${alpha.fileId}`, undefined, kid.token)).status, 200, 'allowed file streams');
  // Library restriction.
  await d.request('PUT', `/api/users/${kid.id}/restrictions`, { libraries: [tree.movies.uuid] });
  t.same(((await d.request('GET', '/api/libraries', undefined, kid.token)).body as { name: string }[]).map((l) => l.name), ['Movies']);
  t.match(await d.request('GET', `/api/libraries/${tree.shows.uuid}/items`, undefined, kid.token), { status: 404 });
  const show = (await d.request('GET', `/api/libraries/${tree.shows.uuid}/items`)).body.items[0].ratingKey;
  t.match(await d.request('GET', `/api/media/${show}`, undefined, kid.token), { status: 404 });
  t.same((await d.request('GET', '/api/genres', undefined, kid.token)).body.genres.map((g: { name: string }) => g.name).includes('Drama'), true, 'genres of the visible library');
  t.same(await titles(kid.token), HOME_MOVIES.map((m) => m.title).sort(), 'rating rules replaced');
  t.match((await d.request('GET', `/api/users/${kid.id}/restrictions`)).body, { libraries: [{ id: tree.movies.uuid, name: 'Movies' }], maxContentRating: null });
  for (const bad of [{ maxContentRating: 'XYZ' }, { libraries: ['nope'] }, { excludedLabels: 'x' }, { libraries: 'x' }]) {
    t.match(await d.request('PUT', `/api/users/${kid.id}/restrictions`, bad), { status: 400 }, JSON.stringify(bad));
  }
  t.match(await d.request('PUT', `/api/media-item/${delta.key}`, { nope: 1 }), { status: 400, body: { code: 'UNKNOWN_FIELD' } });
  t.match(await d.request('PUT', `/api/media-item/${delta.key}`, { year: 'x' }), { status: 400 });
  t.match(await d.request('PUT', `/api/media-item/${delta.key}`, { contentRating: null }), { status: 200, body: { fields: { contentRating: null }, lockedFields: [] } });
  t.match((await d.request('GET', `/api/media-item/${delta.key}`)).body, { ratingKey: delta.key, fields: { title: 'Delta', year: 2018 } });
  t.match(await d.request('POST', `/api/match/${delta.key}/search`, {}), { status: 503, body: { code: 'TMDB_NOT_CONFIGURED' } });
  t.match(await d.request('POST', `/api/match/${delta.key}/apply`, { tmdbId: 'x' }), { status: 400 });
  t.match(await d.request('POST', `/api/match/${delta.key}/refresh`), { status: 400, body: { code: 'NOT_MATCHED' } });
});

t.test('invites: create, info, accept, used up, revoked, expired, unknown', async (t) => {
  const d = tree.daemon;
  const made = await d.request('POST', '/api/invites', { maxUses: 1, libraries: [tree.movies.uuid], expiresInHours: 48, note: 'for grandma' });
  t.equal(made.status, 201);
  t.match(made.body, { invite: { status: 'active', maxUses: 1, uses: 0, usesLeft: 1, libraries: [{ id: tree.movies.uuid }], note: 'for grandma' }, url: `/invite/${made.body.token}` });
  t.ok(made.body.token.length >= 43, '256-bit token');
  t.notOk(JSON.stringify((await d.request('GET', '/api/invites')).body).includes(made.body.token), 'tokens are not listed');
  const info = await d.request('GET', `/api/invite-info/${made.body.token}`, undefined, null);
  t.match(info, { status: 200, body: { serverName: String, inviter: 'admin', libraries: [{ id: tree.movies.uuid, name: 'Movies', type: 'movie' }], usesLeft: 1 } });
  t.ok(info.body.expiresAt > Date.now() / 1000 + 47 * 3600);
  t.match(await d.request('POST', `/api/invites/${made.body.token}/accept`, { username: 'gr', password: PASSWORD }, null), { status: 400 }, 'bad username: nothing consumed');
  const accepted = await d.request('POST', `/api/invites/${made.body.token}/accept`, { username: 'grandma', password: PASSWORD }, null);
  t.match(accepted, { status: 201, body: { success: true, token: String, user: { username: 'grandma', isAdmin: false } } });
  t.same(((await d.request('GET', '/api/libraries', undefined, accepted.body.token)).body as { name: string }[]).map((l) => l.name), ['Movies'], 'logged in, limited to the invite libraries');
  t.match(await d.request('POST', `/api/invites/${made.body.token}/accept`, { username: 'grandpa', password: PASSWORD }, null), { status: 409, body: { code: 'INVITE_USED_UP' } });
  t.match(await d.request('GET', `/api/invite-info/${made.body.token}`, undefined, null), { status: 409, body: { code: 'INVITE_USED_UP' } });
  t.match(await d.request('POST', '/api/auth/login', { username: 'grandpa', password: PASSWORD }, null), { status: 401 }, 'no account from a refused accept');
  const second = (await d.request('POST', '/api/invites', { maxUses: 0 })).body;
  t.match(second.invite, { maxUses: 0, usesLeft: null, libraries: null, expiresAt: null });
  t.match(await d.request('DELETE', `/api/invites/${second.invite.id}`), { status: 200, body: { invite: { status: 'revoked' } } });
  t.match(await d.request('GET', `/api/invite-info/${second.token}`, undefined, null), { status: 409, body: { code: 'INVITE_REVOKED' } });
  t.match(await d.request('POST', `/api/invites/${second.token}/accept`, { username: 'cousin', password: PASSWORD }, null), { status: 409, body: { code: 'INVITE_REVOKED' } });
  const short = (await d.request('POST', '/api/invites', { expiresInHours: 1 / 3600 })).body;
  await new Promise((r) => setTimeout(r, 1200));
  t.match(await d.request('GET', `/api/invite-info/${short.token}`, undefined, null), { status: 409, body: { code: 'INVITE_EXPIRED' } });
  t.match(await d.request('GET', '/api/invite-info/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', undefined, null), { status: 404, body: { code: 'INVITE_NOT_FOUND' } });
  t.match(await d.request('GET', '/api/invite-info/x', undefined, null), { status: 404 });
  t.match(await d.request('DELETE', '/api/invites/ffffffffffffffff'), { status: 404 });
  for (const bad of [{ maxUses: -1 }, { maxUses: 1.5 }, { expiresInHours: 0 }, { libraries: ['nope'] }, { expiresAt: 5 }]) {
    t.match(await d.request('POST', '/api/invites', bad), { status: 400 }, JSON.stringify(bad));
  }
  const list = (await d.request('GET', '/api/invites')).body as { status: string }[];
  t.same(list.map((i) => i.status).sort(), ['expired', 'revoked', 'used']);
});

t.test('users: CRUD, deletion revokes sessions and personal data, share links, change-password', async (t) => {
  const d = tree.daemon;
  const u = await addUser('teen', { displayName: 'Teen', restrictions: { maxContentRating: 'PG-13' } });
  t.match((await d.request('GET', '/api/users')).body.find((x: { id: number }) => x.id === u.id), { username: 'teen', displayName: 'Teen', isAdmin: false, restrictions: { maxContentRating: 'PG-13' } });
  t.notOk(JSON.stringify((await d.request('GET', '/api/users')).body).includes('passwordHash'));
  t.match(await d.request('PUT', `/api/users/${u.id}`, { displayName: 'Teenager', email: 'teen@example.org' }), { status: 200, body: { displayName: 'Teenager', email: 'teen@example.org' } });
  t.match(await d.request('PUT', `/api/users/${u.id}`, { locked: 'yes' }), { status: 400 });
  t.match(await d.request('PUT', '/api/users/99999', { displayName: 'x' }), { status: 404 });
  t.match(await d.request('PUT', '/api/users/abc', { displayName: 'x' }), { status: 400 });
  t.match(await d.request('POST', '/api/users', { username: 'teen', password: PASSWORD }), { status: 409 });
  t.match(await d.request('POST', '/api/users', { username: 'nopass' }), { status: 400 });
  // Personal data, then deletion.
  const beta = await movie('Beta');
  await d.request('POST', '/api/progress', { ratingKey: beta.key, offset: 900 }, u.token);
  await d.request('POST', `/api/watchlist/${beta.key}`, undefined, u.token);
  const link = (await d.request('GET', `/api/users/${u.id}/share-link?ttl=3600`)).body;
  t.match(link, { token: String, scope: 'login', url: `/share/${link.token}` });
  t.ok(link.expiresAt > Date.now() / 1000 + 3500);
  t.match(await d.request('GET', '/api/auth/me', undefined, link.token), { status: 401 }, 'a share token is not a session');
  const redeemed = await d.request('POST', '/api/share-link/redeem', { token: link.token }, null);
  t.match(redeemed, { status: 200, body: { success: true, user: { username: 'teen' } } });
  t.match(await d.request('GET', '/api/auth/me', undefined, redeemed.body.token), { status: 200, body: { username: 'teen' } });
  t.match(await d.request('POST', '/api/share-link/redeem', { token: link.token }, null), { status: 401, body: { code: 'SHARE_LINK_INVALID' } }, 'single use');
  t.match(await d.request('GET', `/api/users/${u.id}/share-link?ttl=5`), { status: 400 });
  // change-password revokes the user's other sessions, keeps the current one.
  t.match(await d.request('POST', '/api/auth/change-password', { currentPassword: PASSWORD, newPassword: 'another-password-2' }, u.token), { status: 200 });
  t.match(await d.request('GET', '/api/auth/me', undefined, u.token), { status: 200 });
  t.match(await d.request('GET', '/api/auth/me', undefined, redeemed.body.token), { status: 401 });
  t.match(await d.request('DELETE', `/api/users/${u.id}`), { status: 200, body: { success: true } });
  t.match(await d.request('GET', '/api/auth/me', undefined, u.token), { status: 401 }, 'sessions revoked');
  t.match(await d.request('DELETE', `/api/users/${u.id}`), { status: 404 });
  const again = await addUser('teen');
  t.equal((await d.request('GET', '/api/watchlist', undefined, again.token)).body.totalCount, 0);
  t.equal((await d.request('GET', '/api/continue-watching', undefined, again.token)).body.totalCount, 0, 'no data of the deleted user');
  t.match((await d.request('GET', `/api/watch-state?keys=${beta.key}`, undefined, again.token)).body.states[beta.key], { viewOffset: 0 });
  t.match(await d.request('POST', '/api/auth/cloud-login', {}, null), { status: 501, body: { code: 'CLOUD_NOT_SUPPORTED' } });
  t.match(await d.request('POST', '/api/auth/setup-from-cloud', {}, null), { status: 501 });
  t.match((await d.request('GET', '/api/auth/me')).body, { username: 'admin', isAdmin: true });
});

t.test('admin tools: browse-fs, logs', async (t) => {
  const d = tree.daemon;
  const root = (await d.request('GET', '/api/browse-fs?path=/')).body;
  t.match(root, { path: '/', parent: null });
  const names = root.directories.map((x: { name: string }) => x.name);
  t.ok(names.includes('tmp'));
  for (const sys of ['proc', 'sys', 'dev', 'etc']) t.notOk(names.includes(sys), `${sys} hidden`);
  const media = (await d.request('GET', `/api/browse-fs?path=${encodeURIComponent(tree.media + '/Movies')}`)).body;
  t.same(media.directories.map((x: { name: string }) => x.name), HOME_MOVIES.map((m) => m.dir).sort());
  t.equal(media.parent, tree.media);
  t.match(await d.request('GET', '/api/browse-fs?path=/proc'), { status: 403, body: { code: 'PATH_FORBIDDEN' } });
  t.match(await d.request('GET', '/api/browse-fs?path=/sys/kernel'), { status: 403 });
  t.match(await d.request('GET', '/api/browse-fs?path=relative'), { status: 400 });
  t.match(await d.request('GET', `/api/browse-fs?path=${encodeURIComponent(tree.media + '/none')}`), { status: 404 });
  t.match(await d.request('GET', `/api/browse-fs?path=${encodeURIComponent(`${tree.media}/Movies/${HOME_MOVIES[0].dir}/poster.jpg`)}`), { status: 400, body: { code: 'NOT_A_DIRECTORY' } });
  await d.request('GET', '/api/media/999999');
  const logs = (await d.request('GET', '/api/logs?limit=50')).body;
  t.ok(logs.entries.length > 0);
  t.match(logs.entries[0], { method: String, path: String, status: Number, ms: Number, time: String });
  t.ok((await d.request('GET', '/api/logs?status=404')).body.entries.some((e: { path: string }) => e.path === '/api/media/999999'));
  t.match(await d.request('GET', '/api/logs?limit=0'), { status: 400 });
});
