/**
 * Catalogizer scan jobs (/scans): a job scans the library that covers a storage root
 * (created on first use, named after the root, so the root's name is its catalog name),
 * optionally limited to one folder. Jobs have uuids; their live state comes from scan
 * events, and finished jobs stay listed (the last 200) instead of vanishing.
 */
import { randomUUID } from 'node:crypto';
import type { EventBus, IndexStore } from '../../../domain/ports.js';
import type { Library, StorageRoot } from '../../../domain/types.js';
import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import type { ScanService } from '../../../scanner/scan.service.js';

export interface ScanJobView {
  job_id: string; storage_root: string; storage_root_id: number; protocol: string; scan_type: string; status: string;
  start_time: string; elapsed_ms: number; current_path: string; files_processed: number; files_found: number;
  files_updated: number; files_deleted: number; error_count: number; scan_id: number | null;
}

interface Job { view: ScanJobView; libraryId: number; started: number; finished?: number }

const KEEP = 200;

export class ScanJobService {
  private readonly jobs = new Map<string, Job>();
  private readonly off: () => void;

  constructor(private readonly index: IndexStore, private readonly scanner: ScanService, events: EventBus) {
    this.off = events.on((e) => {
      if (e.type !== 'scan.started' && e.type !== 'scan.progress' && e.type !== 'scan.finished') return;
      for (const job of this.jobs.values()) {
        if (job.libraryId !== e.libraryId || job.finished) continue;
        const v = job.view;
        if (e.type === 'scan.started') { v.status = 'running'; v.scan_id = e.scanId; }
        else if (e.type === 'scan.progress') { v.files_processed = e.done; v.current_path = e.currentPath ?? v.current_path; }
        else {
          v.status = e.status === 'done' ? 'completed' : e.status;
          v.files_found = e.added; v.files_updated = e.changed; v.files_deleted = e.removed;
          job.finished = Date.now();
        }
      }
    });
  }

  close(): void { this.off(); }

  private libraryFor(root: StorageRoot): Promise<Library> | Library {
    const existing = this.index.libraries.list().find((l) => l.purpose === 'library' && l.locations.some((loc) => loc.rootId === root.id && loc.path === ''));
    if (existing) return existing;
    let name = root.name.replace(/[/\\\0]/g, '_').slice(0, 100) || `root-${root.id}`;
    if (this.index.libraries.getByName(name)) name = `${name.slice(0, 90)} (${root.id})`;
    return this.index.libraries.create({ name, type: 'mixed', locations: [{ rootId: root.id, path: '' }] });
  }

  async queue(body: Record<string, unknown>): Promise<ScanJobView> {
    const rawId = body.storage_root_id;
    if (rawId === undefined || rawId === null || rawId === '') throw new ValidationError('storage_root_id is required', { field: 'storage_root_id' }, 'MISSING_FIELD');
    const root = this.index.roots.get(Number(rawId));
    if (!root) throw new NotFoundError(`storage root not found: ${String(rawId)}`, 'ROOT_NOT_FOUND');
    const scanType = body.scan_type === 'incremental' || body.scan_type === 'quick' ? 'incremental' : 'full';
    const path = typeof body.path === 'string' ? body.path.replace(/^\/+|\/+$/g, '') : '';
    if (path.split('/').some((s) => s === '..')) throw new ValidationError('Path traversal is not allowed', { field: 'path' }, 'PATH_TRAVERSAL');
    const lib = await this.libraryFor(root);
    const job: Job = {
      libraryId: lib.id, started: Date.now(),
      view: {
        job_id: randomUUID(), storage_root: root.name, storage_root_id: root.id, protocol: root.scheme === 'file' ? 'local' : root.scheme,
        scan_type: scanType, status: 'queued', start_time: new Date().toISOString(), elapsed_ms: 0, current_path: path ? `/${path}` : '/',
        files_processed: 0, files_found: 0, files_updated: 0, files_deleted: 0, error_count: 0, scan_id: null,
      },
    };
    this.jobs.set(job.view.job_id, job);
    while (this.jobs.size > KEEP) this.jobs.delete(this.jobs.keys().next().value as string);
    void this.scanner.scanLibrary(lib.id, { kind: scanType, trigger: 'api', ...(path ? { dirs: [path] } : {}) })
      .then((rec) => { job.view.error_count = rec.errors; if (!job.finished) { job.finished = Date.now(); job.view.status = rec.status === 'done' ? 'completed' : rec.status; } })
      .catch(() => { job.view.status = 'failed'; job.view.error_count++; job.finished = Date.now(); });
    return this.snapshot(job);
  }

  private snapshot(job: Job): ScanJobView {
    return { ...job.view, elapsed_ms: (job.finished ?? Date.now()) - job.started };
  }

  list(): ScanJobView[] { return [...this.jobs.values()].reverse().map((j) => this.snapshot(j)); }

  get(id: string): ScanJobView | undefined {
    const job = this.jobs.get(id);
    return job && this.snapshot(job);
  }
}
