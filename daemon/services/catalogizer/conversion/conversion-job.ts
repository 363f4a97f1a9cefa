/**
 * Conversion jobs as Catalogizer's ConversionJob (api-003 §15) plus Alcove's `progress`
 * (percent) and `output_item_id`, persisted in the index records collection
 * `conversion-jobs` (numeric ids from its own sequence). Where the bytes are (`internal`)
 * is kept with the record and never presented.
 */
import type { RecordRepo } from '../../../domain/ports.js';
import type { ConversionType } from './formats.js';
import type { Quality } from './ffmpeg-args.js';

export const JOBS = 'conversion-jobs';

export type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface JobEnd { libraryId: number; locationId: number; rootId: number; storagePath: string; relPath: string }

export interface ConversionJob {
  id: number;
  user_id: number;
  source_path: string;
  target_path: string;
  source_format: string;
  target_format: string;
  conversion_type: ConversionType;
  quality: Quality;
  settings?: string;
  priority: number;
  status: JobStatus;
  created_at: string;
  started_at?: string;
  completed_at?: string;
  scheduled_for?: string;
  /** Nanoseconds (Go time.Duration), set when the job ends. */
  duration?: number;
  error_message?: string;
  progress: number;
  output_item_id?: number;
}

export interface StoredJob extends ConversionJob { internal: { source: JobEnd; target: JobEnd } }

export function present(job: StoredJob, progress?: number): ConversionJob {
  const { internal: _internal, ...rest } = job;
  return progress !== undefined && job.status === 'running' ? { ...rest, progress } : rest;
}

export class ConversionJobStore {
  constructor(private readonly records: RecordRepo) {}

  get(id: number): StoredJob | undefined { return this.records.get<StoredJob>(JOBS, id); }

  create(build: (id: number) => StoredJob): Promise<StoredJob> { return this.records.insert<StoredJob>(JOBS, build); }

  async update(id: number, patch: Partial<StoredJob>): Promise<StoredJob | undefined> {
    const cur = this.get(id);
    if (!cur) return undefined;
    const next = { ...cur, ...patch };
    await this.records.put(JOBS, id, next);
    return next;
  }

  /** Newest first, filtered; jobs are few per user, so a scan with a filter is fine. */
  list(filter: (j: StoredJob) => boolean, offset: number, limit: number): StoredJob[] {
    const out: StoredJob[] = [];
    let skipped = 0;
    for (const { value } of this.records.scan<StoredJob>(JOBS, { reverse: true })) {
      if (!filter(value)) continue;
      if (skipped < offset) { skipped++; continue; }
      out.push(value);
      if (out.length >= limit) break;
    }
    return out;
  }

  all(): StoredJob[] { return [...this.records.scan<StoredJob>(JOBS)].map((e) => e.value); }
}
