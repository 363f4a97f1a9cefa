/**
 * The setup wizard over the real configuration: step definitions with current values as
 * defaults, validation of a step's data against the config schema, per-user progress kept
 * in the index ('wizard-progress' records), and completion, which applies all saved data
 * through ConfigurationService.update (validated, persisted, live where possible).
 */
import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import { systemClock, type Clock, type RecordRepo } from '../../../domain/ports.js';
import { deepMerge, getPath, isSecretPath, redact, SECRET_MASK, setPath, validateTree, type Tree } from './config-tree.js';
import type { ConfigurationService } from './configuration.service.js';
import { WIZARD_STEPS, type WizardStep } from './wizard-steps.js';

export interface WizardProgress {
  user_id: number; current_step: string; step_data: Record<string, Tree>; all_data: Tree; updated_at: string;
  completed?: boolean; completed_at?: string;
}

const PROGRESS = 'wizard-progress';

export class WizardService {
  private readonly clock: Clock;

  constructor(private readonly records: RecordRepo, private readonly config: ConfigurationService, clock?: Clock) {
    this.clock = clock ?? systemClock;
  }

  steps(): WizardStep[] { return WIZARD_STEPS.map((s) => this.step(s.id)); }

  step(id: string): WizardStep {
    const step = WIZARD_STEPS.find((s) => s.id === id);
    if (!step) throw new NotFoundError(`wizard step not found: ${id}`, 'STEP_NOT_FOUND');
    const current = this.config.effective() as unknown as Tree;
    const fields = step.fields?.filter((fl) => hasPath(current, fl.name)).map((fl) => {
      const value = getPath(current, fl.name);
      return { ...fl, ...(value !== undefined ? { default_value: isSecretPath(fl.name) ? SECRET_MASK : value } : {}) };
    });
    return { ...step, ...(fields ? { fields } : {}) };
  }

  validate(id: string, data: Tree): { is_valid: boolean; errors: string[]; warnings: string[] } {
    const step = this.step(id);
    const { patch, unknown } = this.toPatch(step, data);
    const warnings = unknown.map((k) => `${k}: not a field of this step (ignored)`);
    const missing = (step.fields ?? []).filter((fl) => fl.required && getPath(patch, fl.name) === undefined && getPath(this.config.effective() as unknown as Tree, fl.name) === undefined);
    const check = validateTree(deepMerge(this.config.effective() as unknown as Tree, patch));
    const errors = [...missing.map((fl) => `${fl.name}: required`), ...check.errors];
    return { is_valid: errors.length === 0, errors, warnings };
  }

  async save(userId: number, id: string, data: Tree): Promise<{ message: string }> {
    const step = this.step(id);
    const { patch } = this.toPatch(step, data);
    const now = new Date(this.clock.now()).toISOString();
    const previous = this.records.get<WizardProgress>(PROGRESS, userId);
    const progress: WizardProgress = {
      user_id: userId, current_step: id, step_data: { ...(previous?.step_data ?? {}), [id]: data },
      all_data: deepMerge(previous?.all_data ?? {}, patch), updated_at: now,
      ...(previous?.completed ? { completed: true, completed_at: previous.completed_at } : {}),
    };
    await this.records.put(PROGRESS, userId, progress);
    return { message: 'Progress saved successfully' };
  }

  progress(userId: number): WizardProgress {
    const found = this.records.get<WizardProgress>(PROGRESS, userId);
    if (!found) throw new NotFoundError('wizard progress not found', 'PROGRESS_NOT_FOUND');
    return { ...found, all_data: redact(found.all_data), step_data: Object.fromEntries(Object.entries(found.step_data).map(([k, v]) => [k, redact(v)])) };
  }

  /** Apply the saved data (plus any sent now) as one configuration change. */
  async complete(userId: number, body: Tree): Promise<{ configuration: Record<string, unknown>; message: string }> {
    const saved = this.records.get<WizardProgress>(PROGRESS, userId);
    const extra = flattenToPatch(body);
    const patch = deepMerge(saved?.all_data ?? {}, extra);
    const view = await this.config.update(patch);
    const now = new Date(this.clock.now()).toISOString();
    await this.records.put(PROGRESS, userId, {
      user_id: userId, current_step: 'complete', step_data: saved?.step_data ?? {}, all_data: patch, updated_at: now,
      completed: true, completed_at: now,
    } satisfies WizardProgress);
    const c = view.configuration;
    return {
      configuration: {
        version: view.version, created_at: saved?.updated_at ?? now, updated_at: now,
        storage: c.scan, network: c.server, authentication: { ...(c.auth as Tree), rateLimits: c.rateLimits },
        external_services: c.metadata, features: { log: c.log, transcode: c.transcode, media: c.media },
      },
      message: 'Wizard completed successfully',
    };
  }

  private toPatch(step: WizardStep, data: Tree): { patch: Tree; unknown: string[] } {
    const names = new Set((step.fields ?? []).map((fl) => fl.name));
    const flat = flatten(data);
    const patch: Tree = {};
    const unknown: string[] = [];
    for (const [key, value] of Object.entries(flat)) {
      if (!names.has(key)) { unknown.push(key); continue; }
      if (isSecretPath(key) && value === SECRET_MASK) continue;
      setPath(patch, key, value);
    }
    return { patch, unknown };
  }
}

function hasPath(tree: Tree, path: string): boolean {
  const parent = getPath(tree, path.split('.').slice(0, -1).join('.'));
  return typeof parent === 'object' && parent !== null;
}

/** Accept both `{"server.port": 1}` and `{"server": {"port": 1}}`. */
function flatten(data: Tree, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    const key = prefix + k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) Object.assign(out, flatten(v as Tree, `${key}.`));
    else out[key] = v;
  }
  return out;
}

function flattenToPatch(body: Tree): Tree {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('Body must be an object');
  const patch: Tree = {};
  for (const [k, v] of Object.entries(flatten(body))) {
    if (isSecretPath(k) && v === SECRET_MASK) continue;
    setPath(patch, k, v);
  }
  return patch;
}
