/**
 * Catalogizer subtitles (seed 003 "Subtitles"; error codes of api-003 §10): thin handlers
 * over CatalogizerSubtitleService. Reads need media.view; routes that write a subtitle file
 * (download, upload, translate) need media.upload.
 */
import type { AppServices } from '../../../app.js';
import type { RequestContext } from '../../context.js';
import { ValidationError } from '../../../domain/errors.js';
import type { CatalogizerSubtitleService } from '../../../services/catalogizer/subtitles/subtitle.service.js';
import { SUBTITLE_LANGUAGES, languageCode, subtitleProviders } from '../../../services/catalogizer/subtitles/languages.js';
import type { CatalogizerGroups } from './index.js';
import { parseMultipart } from './multipart.js';

const VIEW = { permission: 'media.view' };
const WRITE = { permission: 'media.upload' };
const UPLOAD = { permission: 'media.upload', maxBodyBytes: 10 << 20 };

const csv = (v: string | null): string[] | undefined => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

function optInt(ctx: RequestContext, name: string): number | undefined {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d{1,9}$/.test(raw)) throw new ValidationError(`Invalid ${name}`, { field: name }, 'INVALID_PARAMETER');
  return Number(raw);
}

function mediaId(raw: unknown): number {
  const s = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (!/^\d{1,15}$/.test(s) || Number(s) === 0) throw new ValidationError('Invalid media item ID', { field: 'media_item_id' }, 'INVALID_MEDIA_ID');
  return Number(s);
}

async function objectBody(ctx: RequestContext): Promise<Record<string, unknown>> {
  let body: unknown;
  try { body = await ctx.json(); } catch { throw new ValidationError('Invalid request body', undefined, 'INVALID_REQUEST'); }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('Invalid request body', undefined, 'INVALID_REQUEST');
  return body as Record<string, unknown>;
}

function required(body: Record<string, unknown>, fields: string[]): void {
  const missing = fields.filter((f) => body[f] === undefined || body[f] === null || body[f] === '');
  if (missing.length) throw new ValidationError(`Missing required fields: ${missing.join(', ')}`, { fields: missing }, 'MISSING_REQUIRED_FIELDS');
  for (const f of fields) if (f !== 'media_item_id' && typeof body[f] !== 'string') throw new ValidationError(`${f} must be a string`, { field: f }, 'INVALID_REQUEST');
}

function register(groups: CatalogizerGroups, s: CatalogizerSubtitleService): void {
  const { api } = groups;
  api.get('/subtitles/search', async (ctx) => {
    const mediaPath = ctx.query.get('media_path');
    if (!mediaPath) throw new ValidationError('media_path is required', { field: 'media_path' }, 'MISSING_MEDIA_PATH');
    const results = await s.search({
      mediaPath, title: ctx.query.get('title') || undefined, year: optInt(ctx, 'year'), season: optInt(ctx, 'season'), episode: optInt(ctx, 'episode'),
      languages: csv(ctx.query.get('languages'))?.map((l) => languageCode(l) ?? l), providers: csv(ctx.query.get('providers')),
    }, ctx.auth, ctx.signal);
    return { success: true, results, count: results.length };
  }, VIEW);

  api.post('/subtitles/download', async (ctx) => {
    const body = await objectBody(ctx);
    required(body, ['media_item_id', 'result_id', 'language']);
    const language = languageCode(String(body.language));
    if (!language) throw new ValidationError('Unknown language', { field: 'language' }, 'INVALID_LANGUAGE');
    const track = await s.download({ mediaItemId: mediaId(body.media_item_id), resultId: String(body.result_id), language, verifySync: body.verify_sync === true }, ctx.auth, ctx.signal);
    return { success: true, track };
  }, WRITE);

  api.get('/subtitles/media/:media_id', (ctx) => {
    const id = mediaId(ctx.params.media_id);
    return { success: true, subtitles: s.list(id, ctx.auth), media_item_id: id };
  }, VIEW);

  api.get('/subtitles/:subtitle_id/verify-sync/:media_id', async (ctx) => {
    const id = mediaId(ctx.params.media_id);
    return { success: true, sync_result: await s.verify(ctx.params.subtitle_id, id, ctx.auth, ctx.signal) };
  }, VIEW);

  api.post('/subtitles/translate', async (ctx) => {
    const body = await objectBody(ctx);
    required(body, ['subtitle_id', 'source_language', 'target_language']);
    const source = languageCode(String(body.source_language));
    const target = languageCode(String(body.target_language));
    if (!source || !target) throw new ValidationError('Unknown language', { field: source ? 'target_language' : 'source_language' }, 'INVALID_LANGUAGE');
    const track = await s.translate({ subtitleId: String(body.subtitle_id), source, target }, ctx.auth, ctx.signal);
    return { success: true, translated_track: track };
  }, WRITE);

  api.post('/subtitles/upload', async (ctx) => {
    const form = parseMultipart(await ctx.body(), ctx.header('content-type') ?? '');
    const f = form.fields;
    const missing = ['media_item_id', 'language', 'language_code'].filter((k) => !f[k]?.trim());
    if (missing.length) throw new ValidationError(`Missing required fields: ${missing.join(', ')}`, { fields: missing }, 'MISSING_REQUIRED_FIELDS');
    const id = mediaId(f.media_item_id);
    const file = form.files.find((x) => x.field === 'file');
    if (!file || file.data.length === 0) throw new ValidationError('No subtitle file was sent', { field: 'file' }, 'MISSING_FILE');
    const code = languageCode(f.language_code);
    if (!code) throw new ValidationError('Invalid language_code', { field: 'language_code' }, 'INVALID_LANGUAGE');
    const track = await s.upload({ mediaItemId: id, language: f.language.trim(), languageCode: code, fileName: file.filename, data: file.data }, ctx.auth);
    return { success: true, message: 'Subtitle uploaded successfully', track };
  }, UPLOAD);

  api.get('/subtitles/languages', () => ({ success: true, languages: SUBTITLE_LANGUAGES, count: SUBTITLE_LANGUAGES.length }), VIEW);
  api.get('/subtitles/providers', () => {
    const providers = subtitleProviders(s.openSubtitlesConfigured);
    return { success: true, providers, count: providers.length };
  }, VIEW);
}

export function registerCatalogizerSubtitleRoutes(groups: CatalogizerGroups, services: AppServices): void {
  register(groups, services.catalogizerSubtitles);
}
