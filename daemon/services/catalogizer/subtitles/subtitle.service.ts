/**
 * Catalogizer subtitles (seed 003 "Subtitles"): search and download through OpenSubtitles,
 * tracks per media item, uploads, sync verification against the audio, translation.
 * Throws typed domain errors only; the route module maps request fields and codes.
 */
import type { AuthInfo } from '../../../domain/auth.js';
import { NotFoundError, NotImplementedError, UnavailableError, ValidationError } from '../../../domain/errors.js';
import type { IndexStore } from '../../../domain/ports.js';
import type { Item } from '../../../domain/types.js';
import { startRangeProxy } from '../../../media/transcode/range-proxy.js';
import type { MediaSourceResolver } from '../../playback/media-source.js';
import type { LibraryPaths } from '../conversion/library-paths.js';
import { IMPLEMENTED_PROVIDERS, languageName } from './languages.js';
import { movieHash } from './movie-hash.js';
import type { OpenSubtitlesClient } from './opensubtitles.client.js';
import { detectSpeech } from './speech-activity.js';
import type { SubtitleStore } from './subtitle-store.js';
import { cuesToSrt, normalizeSubtitle, subtitleExtension } from './subtitle-text.js';
import type { SubtitleTrack, SubtitleTracks } from './subtitle-tracks.js';
import { measureSync, type SamplePoint } from './sync-measure.js';
import type { Translator } from './translate.client.js';

export interface SearchParams {
  mediaPath: string; title?: string; year?: number; season?: number; episode?: number; languages?: string[]; providers?: string[];
}

export interface SearchResultView {
  id: string; provider: string; language: string; language_code: string; title: string; download_url?: string; format: string;
  encoding: string; upload_date?: string; downloads: number; download_count: number; rating: number; comments?: string;
  is_hearing_impaired: boolean; frame_rate?: number; file_hash?: string; movie_hash?: string; match_score: number;
}

export interface SyncResult {
  is_synced: boolean; offset_ms: number; confidence: number;
  is_valid: boolean; sync_offset: number; detected_frames: number; sample_points: SamplePoint[]; recommendation: string; analyzed_ms: number;
}

/** "The.Matrix.1999.1080p.mkv" -> { title: 'The Matrix', year: 1999 }; S01E02 too. */
export function guessFromFileName(name: string): { title: string; year?: number; season?: number; episode?: number } {
  const base = name.replace(/\.[^.]+$/, '').replace(/[._]+/g, ' ');
  const se = /\bS(\d{1,2})E(\d{1,3})\b/i.exec(base);
  const year = /\b(19\d\d|20\d\d)\b/.exec(base);
  const cut = Math.min(...[se?.index, year?.index, /\b(2160p|1080p|720p|480p|bluray|web-?dl|hdtv|x264|x265)\b/i.exec(base)?.index]
    .filter((i): i is number => i !== undefined && i > 0), base.length);
  return {
    title: base.slice(0, cut).replace(/[([\-\s]+$/, '').trim() || base.trim(),
    year: year ? Number(year[1]) : undefined, season: se ? Number(se[1]) : undefined, episode: se ? Number(se[2]) : undefined,
  };
}

export class CatalogizerSubtitleService {
  constructor(private readonly deps: {
    index: IndexStore;
    resolver: MediaSourceResolver;
    paths: LibraryPaths;
    tracks: SubtitleTracks;
    store: SubtitleStore;
    ffmpegPath: () => Promise<string>;
    openSubtitles?: OpenSubtitlesClient;
    translator?: Translator;
  }) {}

  get openSubtitlesConfigured(): boolean { return this.deps.openSubtitles !== undefined; }

  private os(): OpenSubtitlesClient {
    if (!this.deps.openSubtitles) throw new UnavailableError('OpenSubtitles is not configured (set subtitles.opensubtitlesApiKey or ALCOVE_OPENSUBTITLES_API_KEY)', 'PROVIDER_NOT_CONFIGURED');
    return this.deps.openSubtitles;
  }

  async search(p: SearchParams, auth?: AuthInfo, signal?: AbortSignal): Promise<SearchResultView[]> {
    const os = this.os();
    const wanted = (p.providers?.length ? p.providers : ['opensubtitles']).map((x) => x.toLowerCase());
    if (!wanted.some((x) => IMPLEMENTED_PROVIDERS.has(x))) return [];
    // The media file when the path is in a library: its metadata and moviehash sharpen the search.
    let item: Item | undefined;
    let hash: string | undefined;
    try {
      const at = this.deps.paths.resolve(p.mediaPath, 'media_path');
      item = this.deps.index.items.getByPath(at.location.id, at.relPath);
      if (item && !this.deps.resolver.mayAccess(item, auth)) item = undefined;
      if (item?.kind === 'file') {
        const src = await this.deps.resolver.storageOf(item);
        hash = await movieHash(src.adapter, src.path, item.size, signal).catch(() => undefined);
      }
    } catch (err) {
      if (err instanceof ValidationError) throw err;
      // Not a library path: search by the name alone.
    }
    const guess = guessFromFileName(p.mediaPath.split(/[/:]/).pop() ?? p.mediaPath);
    const meta = item?.meta ?? {};
    const results = await os.search({
      query: p.title ?? (typeof meta.title === 'string' ? meta.title : guess.title),
      year: p.year ?? (typeof meta.year === 'number' ? meta.year : guess.year),
      season: p.season ?? guess.season, episode: p.episode ?? guess.episode,
      languages: p.languages, moviehash: hash,
    }, signal);
    return results.map((r): SearchResultView => {
      const score = 0.5 + (r.moviehashMatch ? 0.4 : 0) + 0.1 * Math.min(1, r.downloadCount / 10_000);
      return {
        id: `os-${r.fileId}`, provider: 'opensubtitles', language: languageName(r.language), language_code: r.language,
        title: r.title || r.release || r.fileName, download_url: r.url, format: subtitleExtension(r.fileName) || 'srt', encoding: 'utf-8',
        upload_date: r.uploadDate, downloads: r.downloadCount, download_count: r.downloadCount, rating: r.rating, comments: r.comments,
        is_hearing_impaired: r.hearingImpaired, frame_rate: r.fps, ...(r.moviehashMatch && hash ? { movie_hash: hash, file_hash: hash } : {}),
        match_score: Math.round(score * 100) / 100,
      };
    }).sort((a, b) => b.match_score - a.match_score || b.downloads - a.downloads);
  }

  async download(req: { mediaItemId: number; resultId: string; language: string; verifySync?: boolean }, auth?: AuthInfo, signal?: AbortSignal): Promise<SubtitleTrack> {
    const m = /^os-(\d{1,12})$/.exec(req.resultId);
    if (!m) throw new ValidationError('Unknown result id (expected os-<file id>)', { field: 'result_id' }, 'INVALID_RESULT_ID');
    const media = this.media(req.mediaItemId, auth);
    const file = await this.os().download(Number(m[1]), signal);
    const name = /\.(srt|ass|ssa|vtt|txt)$/i.test(file.fileName) ? file.fileName : `${file.fileName}.srt`;
    const sub = normalizeSubtitle(file.data, name, media.probe?.video?.[0]?.frameRate);
    const code = req.language.toLowerCase();
    const id = await this.deps.store.store({ media, text: sub.text, format: sub.format, language: languageName(code), languageCode: code, encoding: sub.encoding, source: 'download' });
    if (req.verifySync) await this.verify(id, media.id, auth, signal).catch(() => undefined);
    return this.track(media, id);
  }

  list(mediaId: number, auth?: AuthInfo): SubtitleTrack[] {
    return this.deps.tracks.list(this.media(mediaId, auth));
  }

  async upload(req: { mediaItemId: number; language: string; languageCode: string; fileName: string; data: Buffer }, auth?: AuthInfo): Promise<SubtitleTrack> {
    const media = this.media(req.mediaItemId, auth);
    const sub = normalizeSubtitle(req.data, req.fileName, media.probe?.video?.[0]?.frameRate);
    const id = await this.deps.store.store({
      media, text: sub.text, format: sub.format, language: req.language, languageCode: req.languageCode, encoding: sub.encoding, source: 'upload',
    });
    return this.track(media, id);
  }

  async verify(trackId: string, mediaId: number, auth?: AuthInfo, signal?: AbortSignal): Promise<SyncResult> {
    const media = this.media(mediaId, auth);
    const { cues } = await this.deps.tracks.cues(media, trackId, auth, signal);
    if (cues.length === 0) throw new ValidationError('The subtitle has no cues', undefined, 'INVALID_SUBTITLE');
    const src = await this.deps.resolver.storageOf(media);
    const proxy = src.localPath ? undefined : await startRangeProxy({
      size: media.size, contentType: 'application/octet-stream',
      open: (start, end, sig) => src.adapter.createReadStream(src.path, { start, end, signal: sig }),
    });
    let activity;
    try {
      activity = await detectSpeech(await this.deps.ffmpegPath(), src.localPath ?? proxy!.url, { signal });
    } finally {
      await proxy?.close();
    }
    const durationMs = media.probe?.durationMs ? Math.min(activity.durationMs || media.probe.durationMs, media.probe.durationMs) : activity.durationMs;
    const m = measureSync(cues, activity.speech, durationMs);
    await this.deps.tracks.setInfo(trackId, { verified_sync: m.isSynced, sync_offset: m.offsetMs });
    const recommendation = m.confidence < 0.3 ? 'Could not measure the offset reliably (little speech or few cues in the analysed span)'
      : m.isSynced ? 'Subtitle is synchronized'
        : `Shift the subtitle ${m.offsetMs > 0 ? 'earlier' : 'later'} by ${(Math.abs(m.offsetMs) / 1000).toFixed(2)} s`;
    return {
      is_synced: m.isSynced, offset_ms: m.offsetMs, confidence: m.confidence,
      is_valid: m.isSynced, sync_offset: m.offsetMs, detected_frames: m.cuesUsed, sample_points: m.samples, recommendation, analyzed_ms: Math.round(durationMs),
    };
  }

  async translate(req: { subtitleId: string; source: string; target: string }, auth?: AuthInfo, signal?: AbortSignal): Promise<SubtitleTrack> {
    if (!this.deps.translator) throw new NotImplementedError('No translation provider is configured (subtitles.translationProvider)', 'TRANSLATION_NOT_CONFIGURED');
    const media = this.deps.tracks.ownerOf(req.subtitleId, auth);
    const { cues } = await this.deps.tracks.cues(media, req.subtitleId, auth, signal);
    const texts = await this.deps.translator.translate(cues.map((c) => c.text), req.source.toLowerCase(), req.target.toLowerCase(), signal);
    const translated = cues.map((c, i) => ({ ...c, text: texts[i] }));
    const code = req.target.toLowerCase();
    const id = await this.deps.store.store({ media, text: cuesToSrt(translated), format: 'srt', language: languageName(code), languageCode: code, encoding: 'utf-8', source: 'translation' });
    return this.track(media, id);
  }

  private media(id: number, auth?: AuthInfo): Item {
    let item: Item;
    try {
      item = this.deps.tracks.mediaFile(id, auth);
    } catch {
      throw new NotFoundError('Media item not found', 'MEDIA_NOT_FOUND');
    }
    if (item.mediaType !== 'video' && item.mediaType !== 'audio') throw new ValidationError('Not a video or audio file', { field: 'media_item_id' }, 'NOT_MEDIA');
    return item;
  }

  private track(media: Item, id: string): SubtitleTrack {
    const fresh = this.deps.index.items.get(media.id) ?? media;
    const t = this.deps.tracks.track(fresh, id);
    if (!t) throw new NotFoundError('Subtitle not found after storing it', 'SUBTITLE_NOT_FOUND');
    return t;
  }
}
