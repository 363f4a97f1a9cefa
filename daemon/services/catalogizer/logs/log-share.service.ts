/**
 * Share links of log collections: a random token (only its SHA-256 is stored, so the
 * index never holds a usable link) with an expiry (default 7 days, at most 1 year) and
 * revocation. The public GET /logs/share/:token answers while the share is active, not
 * expired and grants `read`; otherwise 404 (403 without `read`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../domain/errors.js';
import { systemClock, type Clock, type RecordRepo } from '../../../domain/ports.js';
import type { LogCollectionService, LogCollection } from './log-collection.service.js';
import type { LogEntryView } from './log-entry.js';

export interface LogShare {
  id: number; collection_id: number; user_id: number; share_token?: string; share_type: 'public' | 'private' | 'internal';
  expires_at: string; created_at: string; accessed_at?: string; is_active: boolean; permissions: string[]; recipients?: string[];
}

const SHARES = 'log-share';
const BY_TOKEN = 'log-share-token';
const DAY = 86_400_000;
const SHARE_TYPES = ['public', 'private', 'internal'];
const SHARE_PERMISSIONS = ['read', 'download', 'export'];
const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export class LogShareService {
  private readonly clock: Clock;

  constructor(private readonly records: RecordRepo, private readonly collections: LogCollectionService, clock?: Clock) {
    this.clock = clock ?? systemClock;
  }

  async create(userId: number, body: Record<string, unknown>): Promise<LogShare> {
    const collectionId = typeof body.collection_id === 'number' ? body.collection_id : Number.NaN;
    if (!Number.isSafeInteger(collectionId)) throw new ValidationError('collection_id is required', { field: 'collection_id' });
    this.collections.get(collectionId);
    const shareType = body.share_type ?? 'private';
    if (typeof shareType !== 'string' || !SHARE_TYPES.includes(shareType)) {
      throw new ValidationError(`share_type must be one of ${SHARE_TYPES.join(', ')}`, { field: 'share_type' });
    }
    const permissions = body.permissions ?? ['read'];
    if (!Array.isArray(permissions) || permissions.length === 0 || permissions.some((p) => typeof p !== 'string' || !SHARE_PERMISSIONS.includes(p))) {
      throw new ValidationError(`permissions must be a non-empty array of ${SHARE_PERMISSIONS.join(', ')}`, { field: 'permissions' });
    }
    const now = this.clock.now();
    const expires = body.expires_at === undefined || body.expires_at === null ? now + 7 * DAY
      : typeof body.expires_at === 'string' ? Date.parse(body.expires_at) : Number.NaN;
    if (!Number.isFinite(expires) || expires <= now || expires > now + 366 * DAY) {
      throw new ValidationError('expires_at must be a future ISO 8601 time within one year', { field: 'expires_at' });
    }
    const recipients = body.recipients;
    if (recipients !== undefined && recipients !== null && (!Array.isArray(recipients) || recipients.some((r) => typeof r !== 'string'))) {
      throw new ValidationError('recipients must be an array of strings', { field: 'recipients' });
    }
    const token = randomBytes(32).toString('base64url');
    const share = await this.records.insert<LogShare>(SHARES, (id) => ({
      id, collection_id: collectionId, user_id: userId, share_type: shareType as LogShare['share_type'],
      expires_at: new Date(expires).toISOString(), created_at: new Date(now).toISOString(), is_active: true,
      permissions: permissions as string[], ...(Array.isArray(recipients) ? { recipients: recipients as string[] } : {}),
    }));
    await this.records.put(BY_TOKEN, hashToken(token), share.id);
    return { ...share, share_token: token };
  }

  /** What a share link shows. Unknown, revoked and expired links are all 404. */
  async open(token: string): Promise<{ collection: LogCollection; share: LogShare; entries: LogEntryView[] }> {
    const id = token.length >= 20 && token.length <= 100 ? this.records.get<number>(BY_TOKEN, hashToken(token)) : undefined;
    const share = id === undefined ? undefined : this.records.get<LogShare>(SHARES, id);
    if (!share || !share.is_active) throw new NotFoundError('Share not found', 'SHARE_NOT_FOUND');
    if (Date.parse(share.expires_at) <= this.clock.now()) throw new NotFoundError('Share has expired', 'SHARE_EXPIRED');
    if (!share.permissions.includes('read')) throw new ForbiddenError('Access denied', 'ACCESS_DENIED');
    const collection = this.collections.get(share.collection_id);
    const accessed = { ...share, accessed_at: new Date(this.clock.now()).toISOString() };
    await this.records.put(SHARES, share.id, accessed);
    return { collection, share: accessed, entries: this.collections.allEntries(share.collection_id).slice(0, 10_000) };
  }

  /** Revocation is permanent: the token mapping goes, the record stays (inactive) for audit. */
  async revoke(id: number): Promise<void> {
    const share = this.records.get<LogShare>(SHARES, id);
    if (!share) throw new NotFoundError('Share not found', 'SHARE_NOT_FOUND');
    await this.records.put(SHARES, id, { ...share, is_active: false });
    for (const { id: key, value } of this.records.scan<number>(BY_TOKEN)) {
      if (value === id) await this.records.remove(BY_TOKEN, key);
    }
  }

  activeCount(): number {
    const now = this.clock.now();
    return [...this.records.scan<LogShare>(SHARES)].filter((e) => e.value.is_active && Date.parse(e.value.expires_at) > now).length;
  }
}
