/**
 * The subtitle tracks of a media item, in Catalogizer's SubtitleTrack shape, and their text.
 * Three kinds, each with a global string id:
 *   "sidecar-<itemId>"              a subtitle file next to the media, attached by the scanner
 *   "stored-<recordId>"             a subtitle Alcove kept in its state dir (read-only root)
 *   "embedded-<mediaId>-<stream>"   a text stream inside the media file
 * Per-track facts the files cannot hold (source, detected encoding, sync checks) live in the
 * index records collection `catalogizer-subtitle-info`, keyed by track id.
 */
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { AuthInfo } from '../../../domain/auth.js';
import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import type { IndexStore, RecordRepo } from '../../../domain/ports.js';
import type { Item } from '../../../domain/types.js';
import { parseSubtitleName } from '../../../scanner/sidecars.js';
import { baseNameOf } from '../../../scanner/classify.js';
import { decodeSubtitleText } from '../../../media/subtitles/text-decode.js';
import { parseAss, parseSrt, type Cue } from '../../../media/subtitles/subtitle-convert.js';
import type { MediaSourceResolver } from '../../playback/media-source.js';
import { languageName } from './languages.js';

export const INFO = 'catalogizer-subtitle-info';
export const STORED = 'catalogizer-subtitles';

export interface SubtitleInfo {
  source: 'upload' | 'download' | 'translation' | 'scan';
  encoding?: string;
  language?: string;
  language_code?: string;
  created_at: string;
  verified_sync?: boolean;
  sync_offset?: number;
}

export interface StoredSubtitle {
  id: number;
  mediaItemId: number;
  /** Absolute path in the state dir. */
  file: string;
  format: string;
  language: string;
  language_code: string;
  encoding: string;
  source: SubtitleInfo['source'];
  created_at: string;
}

export interface SubtitleTrack {
  id: string;
  language: string;
  language_code: string;
  source: string;
  format: string;
  path?: string;
  is_default: boolean;
  is_forced: boolean;
  encoding: string;
  sync_offset: number;
  created_at: string;
  verified_sync: boolean;
}

const MAX_TEXT_BYTES = 8 << 20;

export function parseCues(text: string, format: string): Cue[] {
  return format === 'ass' || format === 'ssa' ? parseAss(text) : parseSrt(text);
}

const extOf = (name: string): string => name.slice(name.lastIndexOf('.') + 1).toLowerCase();

export class SubtitleTracks {
  constructor(private readonly deps: {
    index: IndexStore;
    records: RecordRepo;
    resolver: MediaSourceResolver;
    /** WebVTT of an embedded stream (the playback subtitle service). */
    embeddedVtt: (fileId: number, stream: number, auth?: AuthInfo, signal?: AbortSignal) => Promise<string>;
  }) {}

  /** The playable file behind a media item id (a file, or a movie/episode's first file). */
  mediaFile(id: number, auth?: AuthInfo): Item {
    const item = this.deps.resolver.visibleItem(id, auth);
    if (item.kind === 'file') return item;
    const ids = Array.isArray(item.meta?.fileIds) ? (item.meta.fileIds as unknown[]).filter((x): x is number => typeof x === 'number') : [];
    const file = ids.map((f) => this.deps.index.items.get(f)).find((f): f is Item => f?.kind === 'file');
    if (!file) throw new NotFoundError('Media item has no file', 'MEDIA_NOT_FOUND');
    return file;
  }

  private info(id: string): SubtitleInfo | undefined { return this.deps.records.get<SubtitleInfo>(INFO, id); }

  private present(id: string, p: Omit<SubtitleTrack, 'id' | 'source' | 'encoding' | 'sync_offset' | 'created_at' | 'verified_sync'>, fallbackCreated: string, source = 'scan', encoding = 'unknown'): SubtitleTrack {
    const info = this.info(id);
    const code = info?.language_code ?? p.language_code;
    return {
      id, ...p, language_code: code, language: info?.language ?? (code ? languageName(code) : p.language), source: info?.source ?? source,
      encoding: info?.encoding ?? encoding, sync_offset: info?.sync_offset ?? 0, created_at: info?.created_at ?? fallbackCreated,
      verified_sync: info?.verified_sync ?? false,
    };
  }

  list(media: Item): SubtitleTrack[] {
    const out: SubtitleTrack[] = [];
    const added = new Date(media.addedAt).toISOString();
    for (const s of media.probe?.subtitles ?? []) {
      if (!s.text) continue;
      const code = (s.language ?? 'und').toLowerCase();
      out.push(this.present(`embedded-${media.id}-${s.index}`, {
        language: languageName(code), language_code: code, format: s.codec === 'subrip' ? 'srt' : s.codec, is_default: !!s.default, is_forced: !!s.forced,
      }, added, 'embedded', 'utf-8'));
    }
    const library = this.deps.index.libraries.get(media.libraryId);
    for (const sid of media.sidecarIds ?? []) {
      const side = this.deps.index.items.get(sid);
      if (!side || side.mediaType !== 'subtitle') continue;
      const tags = parseSubtitleName(side.name, baseNameOf(media.name));
      const code = tags.language ?? 'und';
      out.push(this.present(`sidecar-${sid}`, {
        language: languageName(code), language_code: code, format: extOf(side.name), path: library ? `${library.name}/${side.relPath}` : side.relPath,
        is_default: tags.default, is_forced: tags.forced,
      }, new Date(side.addedAt).toISOString()));
    }
    for (const { value: s } of this.deps.records.scan<StoredSubtitle>(STORED)) {
      if (s.mediaItemId !== media.id) continue;
      out.push(this.present(`stored-${s.id}`, { language: s.language, language_code: s.language_code, format: s.format, is_default: false, is_forced: false },
        s.created_at, s.source, s.encoding));
    }
    return out;
  }

  /** The media file a track belongs to (for translate, which names only the track). */
  ownerOf(trackId: string, auth?: AuthInfo): Item {
    const side = /^sidecar-(\d{1,15})$/.exec(trackId);
    const stored = /^stored-(\d{1,15})$/.exec(trackId);
    const emb = /^embedded-(\d{1,15})-(\d{1,4})$/.exec(trackId);
    let mediaId: number | undefined;
    if (side) mediaId = this.deps.index.items.get(Number(side[1]))?.ownerId;
    else if (stored) mediaId = this.deps.records.get<StoredSubtitle>(STORED, Number(stored[1]))?.mediaItemId;
    else if (emb) mediaId = Number(emb[1]);
    if (mediaId === undefined) throw new NotFoundError('Subtitle not found', 'SUBTITLE_NOT_FOUND');
    try {
      return this.mediaFile(mediaId, auth);
    } catch {
      throw new NotFoundError('Subtitle not found', 'SUBTITLE_NOT_FOUND');
    }
  }

  /** The cues of track `trackId` of `media` (404 when the track is not the media's). */
  async cues(media: Item, trackId: string, auth?: AuthInfo, signal?: AbortSignal): Promise<{ cues: Cue[]; language_code: string; format: string }> {
    const track = this.list(media).find((t) => t.id === trackId);
    if (!track) throw new NotFoundError('Subtitle not found', 'SUBTITLE_NOT_FOUND');
    const emb = /^embedded-\d+-(\d+)$/.exec(trackId);
    if (emb) {
      const vtt = await this.deps.embeddedVtt(media.id, Number(emb[1]), auth, signal);
      return { cues: parseSrt(vtt), language_code: track.language_code, format: track.format };
    }
    let bytes: Buffer;
    const stored = /^stored-(\d+)$/.exec(trackId);
    if (stored) {
      const rec = this.deps.records.get<StoredSubtitle>(STORED, Number(stored[1]));
      if (!rec) throw new NotFoundError('Subtitle not found', 'SUBTITLE_NOT_FOUND');
      bytes = await readFile(rec.file);
    } else {
      const side = this.deps.index.items.get(Number(trackId.slice('sidecar-'.length)));
      if (!side) throw new NotFoundError('Subtitle not found', 'SUBTITLE_NOT_FOUND');
      if (side.size > MAX_TEXT_BYTES) throw new ValidationError('Subtitle file is too large', undefined, 'SUBTITLE_TOO_LARGE');
      const src = await this.deps.resolver.storageOf(side);
      const parts: Buffer[] = [];
      for await (const chunk of await src.adapter.createReadStream(src.path, { signal }) as Readable) parts.push(chunk as Buffer);
      bytes = Buffer.concat(parts);
    }
    return { cues: parseCues(decodeSubtitleText(bytes).text, track.format), language_code: track.language_code, format: track.format };
  }

  async setInfo(trackId: string, patch: Partial<SubtitleInfo>): Promise<void> {
    const cur = this.info(trackId);
    await this.deps.records.put(INFO, trackId, { source: 'scan', created_at: new Date().toISOString(), ...cur, ...patch });
  }

  /** The presented track by id (after a write). */
  track(media: Item, trackId: string): SubtitleTrack | undefined {
    return this.list(media).find((t) => t.id === trackId);
  }
}
