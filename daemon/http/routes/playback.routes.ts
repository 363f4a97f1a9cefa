/**
 * h3xed playback surface (seed 004): direct play, playback decision, HLS sessions, probe
 * info, subtitles, hardware. Shapes are documented in docs/API.md, "Playback".
 * Players that cannot send headers authenticate with ?token= (handled by the HTTP layer);
 * the playlist carries the same token into its segment URIs.
 */
import { stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import type { Router } from '../router.js';
import type { RequestContext } from '../context.js';
import { ValidationError } from '../../domain/errors.js';
import type { PlaybackServices } from '../../services/playback/create-playback.js';
import { MediaSourceResolver } from '../../services/playback/media-source.js';
import type { AuthInfo } from '../../domain/auth.js';

/** Content restrictions (services/access): throws 404 for an item the user may not read. */
export interface PlaybackGuard { assertCanAccessId(auth: AuthInfo | undefined, id: number): void }

const ADMIN = { access: { kind: 'admin' } } as const;

function queryObject(ctx: RequestContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of ctx.query) if (k !== 'token') out[k] = v;
  return out;
}

async function bodyObject(ctx: RequestContext): Promise<Record<string, unknown>> {
  const raw = await ctx.body();
  if (raw.length === 0) return {};
  let parsed: unknown;
  try { parsed = JSON.parse(raw.toString('utf8')); } catch { throw new ValidationError('Request body is not valid JSON', undefined, 'INVALID_JSON'); }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ValidationError('Expected a JSON object');
  return parsed as Record<string, unknown>;
}

export function registerPlaybackRoutes(router: Router, p: PlaybackServices, guard?: PlaybackGuard): void {
  const fileId = (ctx: RequestContext): number => {
    const id = MediaSourceResolver.parseId(ctx.params.fileId ?? '');
    guard?.assertCanAccessId(ctx.auth, id);
    return id;
  };
  // HLS playlist and segments: the session's file is checked again (restrictions may change mid-play).
  const guardSession = (ctx: RequestContext): void => {
    const meta = p.sessions.get(ctx.params.sessionId ?? '')?.meta;
    if (meta) guard?.assertCanAccessId(ctx.auth, meta.fileId);
  };

  router.get('/api/stream/:fileId', async (ctx) => {
    const file = await p.playback.stream(fileId(ctx), ctx.auth);
    await ctx.sendFile(file);
  });

  const playbackInfo = async (ctx: RequestContext): Promise<void> => {
    const input = { ...queryObject(ctx), ...(ctx.method === 'POST' ? await bodyObject(ctx) : {}) };
    ctx.sendJson(200, await p.playback.playbackInfo(fileId(ctx), input, ctx.auth, ctx.signal));
  };
  router.get('/api/media/:fileId/playback-info', playbackInfo);
  router.post('/api/media/:fileId/playback-info', playbackInfo);

  router.get('/api/media/:fileId/info', async (ctx) => {
    ctx.sendJson(200, await p.playback.info(fileId(ctx), ctx.auth, ctx.signal));
  });

  router.get('/api/media/:fileId/subtitle/:index', async (ctx) => {
    const vtt = await p.subtitles.webvtt(fileId(ctx), ctx.params.index ?? '', ctx.auth, ctx.signal);
    ctx.setHeader('Cache-Control', 'private, max-age=300');
    ctx.send(200, vtt, 'text/vtt; charset=utf-8');
  });

  router.post('/api/transcode/:fileId', async (ctx) => {
    const input = { ...queryObject(ctx), ...(await bodyObject(ctx)) };
    const view = await p.transcodes.start(fileId(ctx), input, ctx.auth);
    const token = ctx.query.get('token');
    ctx.sendJson(201, token ? { ...view, playlistUrl: `${view.playlistUrl}?token=${encodeURIComponent(token)}` } : view);
  });

  router.get('/api/transcode/:sessionId/stream.m3u8', async (ctx) => {
    guardSession(ctx);
    const token = ctx.query.get('token');
    const text = await p.transcodes.playlist(ctx.params.sessionId ?? '', token ? `token=${encodeURIComponent(token)}` : '', ctx.auth);
    ctx.setHeader('Cache-Control', 'no-cache');
    ctx.send(200, text, 'application/vnd.apple.mpegurl');
  });

  router.get('/api/transcode/:sessionId/:segment', async (ctx) => {
    guardSession(ctx);
    const seg = await p.transcodes.segment(ctx.params.sessionId ?? '', ctx.params.segment ?? '', ctx.auth);
    const st = await stat(seg.path);
    await ctx.sendFile({
      size: st.size, mtimeMs: st.mtimeMs, contentType: 'video/mp2t', cacheControl: 'private, max-age=3600',
      open: async (start, end) => createReadStream(seg.path, { start, end, highWaterMark: 512 * 1024 }),
    });
  });

  router.delete('/api/transcode/:sessionId', async (ctx) => {
    await p.transcodes.stop(ctx.params.sessionId ?? '', ctx.auth);
    ctx.noContent();
  });

  router.get('/api/hardware', async (ctx) => {
    ctx.sendJson(200, await p.hardware.view(ctx.query.get('refresh') === 'true'));
  }, ADMIN);

  router.put('/api/hardware', async (ctx) => {
    ctx.sendJson(200, await p.hardware.update(await bodyObject(ctx)));
  }, ADMIN);
}
