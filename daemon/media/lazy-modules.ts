/**
 * Heavy media libraries, loaded on first use instead of at start.
 *
 * Why: an idle daemon that has not thumbnailed or probed anything yet should not carry
 * them. Measured on Node 20 (RSS over a bare `node` process): sharp +27 MB (libvips is
 * mapped and initialised on import), music-metadata +13 MB, exifr +11 MB. A library of
 * documents, or a daemon between scans, never needs them; the first thumbnail or probe
 * pays one import (tens of milliseconds, once).
 *
 * sharp's process-wide settings are applied once, at load: one libvips thread per image
 * (the thumbnail service runs several images in parallel instead) and no operation cache
 * (keyed by file name, it would serve stale thumbnails after an edit and holds memory).
 */
import type SharpModule from 'sharp';

export type Sharp = typeof SharpModule;
export type MusicMetadata = typeof import('music-metadata');
/** The part of exifr we use (its typings describe the default export inconsistently). */
export type Exifr = Pick<typeof import('exifr').default, 'parse'>;

let sharpModule: Promise<Sharp> | undefined;
let musicMetadataModule: Promise<MusicMetadata> | undefined;
let exifrModule: Promise<Exifr> | undefined;

export function loadSharp(): Promise<Sharp> {
  return sharpModule ??= import('sharp').then((m) => {
    const sharp = m.default;
    sharp.concurrency(1);
    sharp.cache(false);
    return sharp;
  });
}

export function loadMusicMetadata(): Promise<MusicMetadata> {
  return musicMetadataModule ??= import('music-metadata');
}

export function loadExifr(): Promise<Exifr> {
  return exifrModule ??= import('exifr').then((m) => (m.default ?? m) as Exifr);
}
