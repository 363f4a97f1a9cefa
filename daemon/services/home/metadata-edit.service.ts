/**
 * Manual metadata edits (h3xed GET/PUT /api/media-item/:ratingKey, admin). PUT merges the
 * given fields into Item.meta and locks them (Item.lockedFields), so neither a rescan, an
 * NFO nor TMDb overwrites them; `lockedFields` in the body replaces the lock list (to
 * unlock), and a field set to null is removed and unlocked.
 */
import { ValidationError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { Item } from '../../domain/types.js';

type Kind = 'string' | 'number' | 'year' | 'strings' | 'rating';
/** Editable fields: API name -> [meta field, kind]. */
const FIELDS: Record<string, [string, Kind]> = {
  title: ['title', 'string'], sortTitle: ['sortTitle', 'string'], originalTitle: ['originalTitle', 'string'],
  year: ['year', 'year'], summary: ['overview', 'string'], tagline: ['tagline', 'string'], studio: ['studio', 'string'],
  contentRating: ['contentRating', 'string'], rating: ['rating', 'rating'], genres: ['genres', 'strings'],
  labels: ['labels', 'strings'], collection: ['collection', 'string'], season: ['season', 'number'], episode: ['episode', 'number'],
};
const API_NAME = Object.fromEntries(Object.entries(FIELDS).map(([api, [meta]]) => [meta, api]));

export interface EditableMetadata { ratingKey: string; type: string; fields: Record<string, unknown>; lockedFields: string[] }

function check(name: string, kind: Kind, v: unknown): unknown {
  const bad = (what: string): never => { throw new ValidationError(`${name} must be ${what}`, { field: name }); };
  switch (kind) {
    case 'string': return typeof v === 'string' && v.length <= 10_000 ? v.trim() : bad('a string');
    case 'number': return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 100_000 ? v : bad('a non-negative integer');
    case 'year': return typeof v === 'number' && Number.isInteger(v) && v >= 1800 && v <= 3000 ? v : bad('a year (1800..3000)');
    case 'rating': return typeof v === 'number' && v >= 0 && v <= 10 ? v : bad('a number 0..10');
    case 'strings': return Array.isArray(v) && v.length <= 100 && v.every((s) => typeof s === 'string' && s.trim() && s.length <= 200) ? [...new Set((v as string[]).map((s) => s.trim()))] : bad('an array of non-empty strings');
  }
}

export class MetadataEditService {
  constructor(private readonly index: IndexStore) {}

  view(item: Item): EditableMetadata {
    const fields: Record<string, unknown> = {};
    for (const [api, [meta]] of Object.entries(FIELDS)) fields[api] = item.meta?.[meta] ?? null;
    if (fields.title === null) fields.title = item.name;
    return { ratingKey: String(item.id), type: item.kind, fields, lockedFields: (item.lockedFields ?? []).map((f) => API_NAME[f] ?? f) };
  }

  async edit(item: Item, body: Record<string, unknown>): Promise<EditableMetadata> {
    const patch: Record<string, unknown> = {};
    const locks = new Set(item.lockedFields ?? []);
    for (const [key, value] of Object.entries(body)) {
      if (key === 'lockedFields') continue;
      const spec = FIELDS[key];
      if (!spec) throw new ValidationError(`Unknown field: ${key}`, { field: key, editable: Object.keys(FIELDS) }, 'UNKNOWN_FIELD');
      const [meta, kind] = spec;
      if (value === null) { patch[meta] = undefined; locks.delete(meta); continue; }
      patch[meta] = check(key, kind, value);
      locks.add(meta);
    }
    if (body.lockedFields !== undefined) {
      const l = body.lockedFields;
      if (!Array.isArray(l) || l.some((f) => typeof f !== 'string' || !FIELDS[f] && !Object.values(FIELDS).some(([m]) => m === f))) {
        throw new ValidationError('lockedFields must list editable field names', { field: 'lockedFields' });
      }
      locks.clear();
      for (const f of l as string[]) locks.add(FIELDS[f]?.[0] ?? f);
    }
    if (!Object.keys(patch).length && body.lockedFields === undefined) throw new ValidationError('Nothing to change', undefined, 'EMPTY_EDIT');
    const updated = await this.index.items.updateMeta(item.id, patch, [...locks]);
    if (!updated) throw new ValidationError('Item disappeared during the edit');
    return this.view(updated);
  }
}
