/**
 * Stores a subtitle for a media file and registers it, so every surface sees it:
 * 1. next to the media as a sidecar, `<media base>.<lang>.<ext>` (".2", ".3"... before the
 *    extension when the name is taken), written through the storage adapter (temp name +
 *    rename, so no partial file), then the directory is rescanned (ScanService, dirs =
 *    [that directory]) and the scanner attaches the sidecar to its media;
 * 2. when the root refuses the write (read-only share, permissions), in the state dir
 *    (`<stateDir>/subtitles/<mediaId>/...`) with a record in the index.
 * Returns the new track id.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { IndexStore, RecordRepo } from '../../../domain/ports.js';
import type { Item, ScanRecord } from '../../../domain/types.js';
import { baseNameOf } from '../../../scanner/classify.js';
import type { Logger } from '../../../log/logger.js';
import { StorageError } from '../../../../storage-adapters/types.js';
import type { MediaSourceResolver } from '../../playback/media-source.js';
import { STORED, type StoredSubtitle, type SubtitleInfo, type SubtitleTracks } from './subtitle-tracks.js';

export interface SidecarScanner {
  scanLibrary(libraryId: number, request: { kind: 'incremental'; trigger: 'api'; dirs: string[] }): Promise<ScanRecord>;
  runningScan(libraryId: number): Promise<ScanRecord> | undefined;
}

export interface StoreRequest {
  media: Item;
  text: string;
  format: string;
  language: string;
  languageCode: string;
  encoding: string;
  source: SubtitleInfo['source'];
}

const REFUSED = new Set(['PERMISSION', 'UNSUPPORTED', 'IO', 'AUTH']);

export class SubtitleStore {
  constructor(private readonly deps: {
    index: IndexStore; records: RecordRepo; resolver: MediaSourceResolver; scanner: SidecarScanner; tracks: SubtitleTracks; stateDir: string; logger: Logger;
  }) {}

  async store(req: StoreRequest): Promise<string> {
    const code = req.languageCode.toLowerCase().replace(/[^a-z0-9-]/g, '') || 'und';
    const created_at = new Date().toISOString();
    try {
      const id = await this.asSidecar(req, code);
      await this.deps.tracks.setInfo(id, { source: req.source, encoding: req.encoding, language: req.language, language_code: code, created_at });
      return id;
    } catch (err) {
      if (!(err instanceof StorageError) || !REFUSED.has(err.code)) throw err;
      this.deps.logger.info({ mediaId: req.media.id, code: err.code }, 'subtitle root not writable: kept in the state dir');
    }
    const dir = join(this.deps.stateDir, 'subtitles', String(req.media.id));
    await mkdir(dir, { recursive: true });
    const rec = await this.deps.records.insert<StoredSubtitle>(STORED, (id) => ({
      id, mediaItemId: req.media.id, file: join(dir, `${id}.${code}.${req.format}`), format: req.format, language: req.language,
      language_code: code, encoding: req.encoding, source: req.source, created_at,
    }));
    await writeFile(rec.file, req.text, 'utf8');
    return `stored-${rec.id}`;
  }

  private async asSidecar(req: StoreRequest, code: string): Promise<string> {
    const { media } = req;
    const src = await this.deps.resolver.storageOf(media);
    const slash = src.path.lastIndexOf('/');
    const dir = slash < 0 ? '' : src.path.slice(0, slash);
    const relDir = media.relPath.includes('/') ? media.relPath.slice(0, media.relPath.lastIndexOf('/')) : '';
    const base = baseNameOf(media.name);
    let name = '';
    let stream: Writable | undefined;
    for (let n = 1; n <= 50 && !stream; n++) {
      name = `${base}.${code}${n > 1 ? `.${n}` : ''}.${req.format}`;
      try {
        stream = await src.adapter.createWriteStream(dir ? `${dir}/${name}` : name, { overwrite: false });
      } catch (err) {
        if (!(err instanceof StorageError) || err.code !== 'EXISTS') throw err;
      }
    }
    if (!stream) throw new StorageError('EXISTS', 'Too many subtitles of this language');
    await pipeline(Readable.from([Buffer.from(req.text, 'utf8')]), stream);
    // Register: rescan that one directory (after any scan already running, which might
    // have listed the directory before the file existed).
    await this.deps.scanner.runningScan(media.libraryId)?.catch(() => undefined);
    await this.deps.scanner.scanLibrary(media.libraryId, { kind: 'incremental', trigger: 'api', dirs: [dir] });
    const relPath = relDir ? `${relDir}/${name}` : name;
    const item = this.deps.index.items.getByPath(media.locationId, relPath);
    if (!item) throw new StorageError('IO', 'The stored subtitle was not indexed');
    return `sidecar-${item.id}`;
  }
}
