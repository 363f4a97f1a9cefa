/**
 * A local stand-in for the OpenSubtitles REST API (api.opensubtitles.com/api/v1), answering
 * the documented shapes: GET /api/v1/subtitles (paged `data` of `subtitle` objects with
 * attributes, feature_details and files), POST /api/v1/download ({link, file_name,
 * requests, remaining, ...}) and the temporary link itself. It checks the Api-Key and
 * User-Agent headers like the real service (401 / 403) and records every request.
 * Binds 127.0.0.1 on an ephemeral port; stop() closes it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSubtitle { fileId: number; language: string; title: string; year?: number; fileName: string; body: Buffer; downloads?: number; moviehash?: string }

export interface FakeOpenSubtitles {
  baseUrl: string;
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  stop(): Promise<void>;
}

export async function startFakeOpenSubtitles(apiKey: string, subtitles: FakeSubtitle[]): Promise<FakeOpenSubtitles> {
  const requests: FakeOpenSubtitles['requests'] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const url = new URL(req.url ?? '/', base);
      const json = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (url.pathname.startsWith('/files/')) {
        const sub = subtitles.find((s) => `/files/${s.fileId}` === url.pathname);
        if (!sub) { json(404, { message: 'not found' }); return; }
        res.writeHead(200, { 'content-type': 'application/x-subrip' });
        res.end(sub.body);
        return;
      }
      if (req.headers['api-key'] !== apiKey) { json(401, { message: 'Error, invalid API key' }); return; }
      if (!req.headers['user-agent']) { json(403, { message: 'User-Agent required' }); return; }
      if (req.method === 'GET' && url.pathname === '/api/v1/subtitles') {
        const langs = url.searchParams.get('languages')?.split(',');
        const query = url.searchParams.get('query') ?? '';
        const hash = url.searchParams.get('moviehash');
        const hits = subtitles.filter((s) => (!langs || langs.includes(s.language)) && (!query || s.title.toLowerCase().includes(query.toLowerCase()) || (hash && s.moviehash === hash)));
        json(200, {
          total_pages: 1, total_count: hits.length, per_page: 60, page: 1,
          data: hits.map((s) => ({
            id: String(s.fileId * 10), type: 'subtitle',
            attributes: {
              subtitle_id: String(s.fileId * 10), language: s.language, download_count: s.downloads ?? 100, new_download_count: 1,
              hearing_impaired: false, hd: true, fps: 23.976, votes: 3, ratings: 8.5, from_trusted: true, foreign_parts_only: false,
              upload_date: '2020-01-02T03:04:05Z', ai_translated: false, machine_translated: false, release: `${s.title}.BluRay`,
              comments: '', legacy_subtitle_id: s.fileId, uploader: { uploader_id: 1, name: 'someone', rank: 'trusted' },
              feature_details: { feature_id: 7, feature_type: 'Movie', year: s.year ?? 0, title: s.title, movie_name: `${s.year ?? ''} - ${s.title}`, imdb_id: 133093, tmdb_id: 603 },
              url: `https://www.opensubtitles.com/en/subtitles/${s.fileId}`, related_links: [],
              moviehash_match: Boolean(hash && s.moviehash === hash),
              files: [{ file_id: s.fileId, cd_number: 1, file_name: s.fileName }],
            },
          })),
        });
        return;
      }
      if (req.method === 'POST' && url.pathname === '/api/v1/download') {
        let fileId: unknown;
        try { fileId = (JSON.parse(body) as { file_id?: unknown }).file_id; } catch { /* below */ }
        const sub = subtitles.find((s) => s.fileId === fileId);
        if (!sub) { json(400, { message: 'Invalid file_id' }); return; }
        json(200, { link: `${base}/files/${sub.fileId}`, file_name: sub.fileName, requests: 1, remaining: 99, message: 'Your quota will be renewed in 23 hours', reset_time: '23 hours', reset_time_utc: '2030-01-01T00:00:00.000Z' });
        return;
      }
      json(404, { message: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl: `${base}/api/v1`, requests,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
