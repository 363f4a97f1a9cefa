/**
 * The daemon's real configuration behind Catalogizer's /api/v1/configuration: read it
 * (secrets masked), change it (validated against daemon/config/schema.ts, persisted to the
 * overlay file the daemon loads at its next start, and applied at once where that is
 * possible: log level, registration, rate limits), test a candidate, and report status.
 */
import { ValidationError } from '../../../domain/errors.js';
import type { AlcoveConfig } from '../../../config/schema.js';
import {
  FIXED_KEYS, deepMerge, dropMaskedSecrets, getPath, leafPaths, readOverlay, redact, validateTree, writeOverlay, type Tree,
} from './config-tree.js';

/** Settings applied while running; everything else takes effect at the next start. */
export const LIVE_KEYS = ['log.level', 'auth.registration', 'rateLimits.authPerMinute', 'rateLimits.apiPerMinute'];

export interface LiveTargets {
  setLogLevel(level: string): void;
  setRegistration(mode: 'open' | 'closed'): void;
  setRateLimits(limits: { authPerMinute: number; apiPerMinute: number }): void;
}

export interface StatusProbe {
  version: string;
  uptime(): string;
  components(): Record<string, string>;
}

export interface ConfigurationView {
  version: string;
  configuration: Tree;
  overrides: Tree;
  sections: Array<{ id: string; keys: string[] }>;
  live_settings: string[];
  restart_required: string[];
  overlay_file: string;
}

export class ConfigurationService {
  private current: AlcoveConfig;
  private overlay: Tree | undefined;
  private readonly startup: AlcoveConfig;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(config: AlcoveConfig, private readonly overlayFile: string, private readonly live: LiveTargets, private readonly probe: StatusProbe) {
    this.startup = structuredClone(config) as AlcoveConfig;
    this.current = structuredClone(config) as AlcoveConfig;
  }

  /** The effective configuration now (live changes included). */
  effective(): AlcoveConfig { return this.current; }

  async get(): Promise<ConfigurationView> {
    const overlay = await this.loadOverlay();
    const tree = this.current as unknown as Tree;
    const startup = this.startup as unknown as Tree;
    const changed = leafPaths(tree).filter((p) => !LIVE_KEYS.includes(p) && JSON.stringify(getPath(tree, p)) !== JSON.stringify(getPath(startup, p)));
    return {
      version: this.probe.version, configuration: redact(tree), overrides: redact(overlay),
      sections: Object.entries(tree).map(([id, v]) => ({ id, keys: typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.keys(v) : [] })),
      live_settings: LIVE_KEYS, restart_required: changed, overlay_file: this.overlayFile,
    };
  }

  /** Validate a partial configuration; persist it to the overlay; apply live keys. */
  update(patchRaw: unknown): Promise<ConfigurationView> {
    const run = this.queue.then(async () => {
      const patch = this.cleanPatch(patchRaw);
      const candidate = deepMerge(this.current as unknown as Tree, patch);
      const check = validateTree(candidate);
      if (!check.ok || !check.config) {
        throw new ValidationError('Invalid configuration', { errors: check.errors }, 'INVALID_CONFIGURATION');
      }
      const overlay = deepMerge(await this.loadOverlay(), patch);
      await writeOverlay(this.overlayFile, overlay);
      this.overlay = overlay;
      const before = this.current;
      this.current = check.config;
      this.applyLive(before, check.config);
      return this.get();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** POST /configuration/test: a Catalogizer Configuration `{settings: {...}}` or a bare partial config. */
  test(body: Record<string, unknown>): { is_valid: boolean; errors: string[]; warnings: string[] } {
    const settings = typeof body.settings === 'object' && body.settings !== null && !Array.isArray(body.settings) ? body.settings : body;
    let patch: Tree;
    try {
      patch = this.cleanPatch(settings);
    } catch (err) {
      return { is_valid: false, errors: [(err as Error).message], warnings: [] };
    }
    const candidate = deepMerge(this.current as unknown as Tree, patch);
    const check = validateTree(candidate);
    const warnings: string[] = [];
    if (check.config) {
      if (check.config.auth.registration === 'open') warnings.push('Registration is open: anyone who reaches the server can create an account');
      if (!check.config.metadata?.tmdbApiKey) warnings.push('TMDb API key not configured: online metadata is off');
      const changed = leafPaths(patch).filter((p) => !LIVE_KEYS.includes(p));
      if (changed.length) warnings.push(`Takes effect at the next start: ${changed.join(', ')}`);
    }
    return { is_valid: check.ok, errors: check.errors, warnings };
  }

  status(): Record<string, unknown> {
    const components = this.probe.components();
    const bad = Object.values(components).some((s) => s === 'unhealthy');
    const degraded = Object.values(components).some((s) => s !== 'healthy');
    return { status: bad ? 'unhealthy' : degraded ? 'degraded' : 'healthy', version: this.probe.version, uptime: this.probe.uptime(), components };
  }

  private cleanPatch(raw: unknown): Tree {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ValidationError('Configuration must be an object');
    const patch = dropMaskedSecrets(raw as Tree);
    const fixed = FIXED_KEYS.filter((k) => k in patch);
    if (fixed.length) throw new ValidationError(`Cannot be changed through the API: ${fixed.join(', ')}`, { errors: fixed.map((k) => `${k}: fixed`) }, 'INVALID_CONFIGURATION');
    return patch;
  }

  private applyLive(before: AlcoveConfig, after: AlcoveConfig): void {
    if (before.log.level !== after.log.level) this.live.setLogLevel(after.log.level);
    if (before.auth.registration !== after.auth.registration) this.live.setRegistration(after.auth.registration);
    if (before.rateLimits.authPerMinute !== after.rateLimits.authPerMinute || before.rateLimits.apiPerMinute !== after.rateLimits.apiPerMinute) {
      this.live.setRateLimits(after.rateLimits);
    }
  }

  private async loadOverlay(): Promise<Tree> {
    this.overlay ??= await readOverlay(this.overlayFile);
    return this.overlay;
  }
}
