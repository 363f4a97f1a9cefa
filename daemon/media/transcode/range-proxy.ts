/**
 * A tiny loopback HTTP server that serves one remote file with Range support, so ffmpeg
 * can read (and seek in) a file on an SMB/FTP/WebDAV root through an http:// URL.
 * Piping into stdin would forbid seeking (MP4 with the index at the end, far seeks).
 *
 * Binds 127.0.0.1 on an ephemeral port; the path carries a random secret so another local
 * user cannot read the file through it. One proxy per session, closed with it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';

export interface RangeSource {
  size: number;
  contentType: string;
  open(start: number, end: number, signal: AbortSignal): Promise<Readable>;
}

export interface RangeProxy {
  readonly url: string;
  close(): Promise<void>;
}

export async function startRangeProxy(source: RangeSource): Promise<RangeProxy> {
  // node:http on first use: a daemon that never transcodes a remote file does not need it.
  const { createServer } = await import('node:http');
  const secret = randomBytes(16).toString('hex');
  const server = createServer((req, res) => { void handle(req, res); });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url !== `/${secret}` || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    const size = source.size;
    let start = 0;
    let end = size - 1;
    let status = 200;
    const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (m && (m[1] || m[2])) {
      if (m[1]) {
        start = Number(m[1]);
        if (m[2]) end = Math.min(Number(m[2]), size - 1);
      } else {
        start = Math.max(0, size - Number(m[2]));
      }
      if (start >= size || start > end) {
        res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
        return;
      }
      status = 206;
    }
    const headers: Record<string, string | number> = {
      'Content-Type': source.contentType, 'Accept-Ranges': 'bytes', 'Content-Length': size === 0 ? 0 : end - start + 1,
    };
    if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    if (req.method === 'HEAD' || size === 0) {
      res.writeHead(status, headers).end();
      return;
    }
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    let stream: Readable;
    try {
      stream = await source.open(start, end, ac.signal);
    } catch {
      if (!res.headersSent) res.writeHead(502).end();
      return;
    }
    res.writeHead(status, headers);
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${secret}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
