/**
 * Validation of a Catalogizer ConversionRequest against the library paths and what the
 * local ffmpeg supports. Errors are 400 (with the field), 403 (outside every library) or
 * 501 (document conversions: ffmpeg does not convert documents).
 */
import { NotImplementedError, ValidationError } from '../../../domain/errors.js';
import type { LibraryPath, LibraryPaths } from './library-paths.js';
import { ACCEPTED_INPUTS, FORMAT_CATALOGUE, type ConversionType, type SupportedFormats } from './formats.js';
import { parseSettings, type Quality } from './ffmpeg-args.js';

export interface ValidRequest {
  source: LibraryPath; target: LibraryPath; sourcePath: string; targetPath: string;
  sourceFormat: string; targetFormat: string; type: Exclude<ConversionType, 'document'>;
  quality: Quality; priority: number; settings?: string; scheduledFor?: string;
}

const TYPES: readonly ConversionType[] = ['video', 'audio', 'image', 'document'];

export function extensionOf(path: string): string {
  const name = path.split('/').pop() ?? '';
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

const same = (a: string, b: string): boolean => a === b || (['jpg', 'jpeg'].includes(a) && ['jpg', 'jpeg'].includes(b));

export function validateRequest(body: unknown, paths: LibraryPaths, formats: SupportedFormats): ValidRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('Invalid request body', undefined, 'INVALID_REQUEST');
  const b = body as Record<string, unknown>;
  const str = (k: string): string | undefined => {
    const v = b[k];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw new ValidationError(`${k} must be a string`, { field: k }, 'INVALID_FIELD');
    return v.trim();
  };
  const type = (str('conversion_type') ?? '').toLowerCase() as ConversionType;
  if (!TYPES.includes(type)) throw new ValidationError('conversion_type must be video, audio, image or document', { field: 'conversion_type' }, 'INVALID_FIELD');
  if (type === 'document') throw new NotImplementedError('Document conversion is not supported (ffmpeg converts media only)', 'UNSUPPORTED_CONVERSION');
  const source = paths.resolve(b.source_path, 'source_path');
  const target = paths.resolve(b.target_path, 'target_path');
  if (source.rootId === target.rootId && source.storagePath === target.storagePath) {
    throw new ValidationError('source_path and target_path are the same file', { field: 'target_path' }, 'INVALID_FIELD');
  }
  const sourceFormat = (str('source_format') ?? extensionOf(source.storagePath)).toLowerCase();
  const targetExt = extensionOf(target.storagePath);
  const targetFormat = (str('target_format') ?? targetExt).toLowerCase();
  if (!targetExt || !same(targetExt, targetFormat)) {
    throw new ValidationError('target_path must end with the target format\'s extension', { field: 'target_path', target_format: targetFormat }, 'INVALID_FIELD');
  }
  const inputs = ACCEPTED_INPUTS[type].flatMap((t) => formats[t].input);
  if (!inputs.includes(sourceFormat) || (FORMAT_CATALOGUE[extensionOf(source.storagePath)] && !same(extensionOf(source.storagePath), sourceFormat))) {
    throw new ValidationError(`Unsupported source format for a ${type} conversion: ${sourceFormat || '(none)'}`, { field: 'source_format', supported: inputs }, 'UNSUPPORTED_FORMAT');
  }
  if (!formats[type].output.includes(targetFormat)) {
    throw new ValidationError(`Unsupported target format for a ${type} conversion: ${targetFormat}`, { field: 'target_format', supported: formats[type].output }, 'UNSUPPORTED_FORMAT');
  }
  const quality = (str('quality') ?? 'medium').toLowerCase();
  if (quality !== 'low' && quality !== 'medium' && quality !== 'high') throw new ValidationError('quality must be low, medium or high', { field: 'quality' }, 'INVALID_FIELD');
  const pr = b.priority ?? 0;
  if (typeof pr !== 'number' || !Number.isInteger(pr) || pr < -100 || pr > 100) throw new ValidationError('priority must be an integer in -100..100', { field: 'priority' }, 'INVALID_FIELD');
  let settings: string | undefined;
  if (b.settings !== undefined && b.settings !== null && b.settings !== '') {
    parseSettings(b.settings);
    settings = typeof b.settings === 'string' ? b.settings : JSON.stringify(b.settings);
  }
  const sched = str('scheduled_for');
  if (sched !== undefined && Number.isNaN(Date.parse(sched))) throw new ValidationError('scheduled_for must be an RFC 3339 time', { field: 'scheduled_for' }, 'INVALID_FIELD');
  return {
    source, target, sourcePath: String(b.source_path), targetPath: String(b.target_path), sourceFormat, targetFormat, type,
    quality, priority: pr, settings, scheduledFor: sched ? new Date(Date.parse(sched)).toISOString() : undefined,
  };
}
