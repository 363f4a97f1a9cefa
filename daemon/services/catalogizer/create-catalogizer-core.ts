/**
 * Wiring of the Catalogizer services this module owns (auth, users, configuration and
 * wizard, error and crash reports, log management) over the shared core: one call from the
 * composition root. `close()` stops timers, SSE streams and the process crash hooks.
 */
import type { AlcoveConfig } from '../../config/schema.js';
import type { RecordRepo } from '../../domain/ports.js';
import type { LogTap } from '../../log/log-tap.js';
import type { Logger } from '../../log/logger.js';
import type { AuthServices } from '../auth/create-auth.js';
import { CatalogizerAuthService } from './auth/catalogizer-auth.service.js';
import { ProfileStore } from './auth/profile.store.js';
import { ConfigurationService, type StatusProbe } from './config/configuration.service.js';
import type { AdjustableCatalogizerLimits } from './config/limits.js';
import { WizardService } from './config/wizard.service.js';
import { installCrashHooks } from './errors/crash-hooks.js';
import { ErrorReportService } from './errors/error-report.service.js';
import { LogCollectionService } from './logs/log-collection.service.js';
import { LogShareService } from './logs/log-share.service.js';
import { CatalogizerUsersService } from './users/catalogizer-users.service.js';
import { UserDirectory } from './users/user-directory.js';

export interface CatalogizerCoreDeps {
  config: Readonly<AlcoveConfig>;
  records: RecordRepo;
  auth: AuthServices;
  limits: AdjustableCatalogizerLimits;
  logger: Logger;
  logs?: LogTap;
  overlayFile: string;
  status: StatusProbe;
  /** Host and bound port for GET /api/v1/discovery. */
  discovery: () => { host: string; port: number };
  /** Record process-level unhandled errors as crash reports (the daemon: yes; tests: no). */
  processHooks?: boolean;
}

export interface CatalogizerCore {
  directory: UserDirectory;
  auth: CatalogizerAuthService;
  users: CatalogizerUsersService;
  configuration: ConfigurationService;
  wizard: WizardService;
  errors: ErrorReportService;
  logCollections: LogCollectionService;
  logShares: LogShareService;
  logTap?: LogTap;
  discovery: () => { host: string; port: number };
  /** Ends live log streams (registered by the routes) before the HTTP server closes. */
  readonly streams: Set<() => void>;
  close(): void;
}

export async function createCatalogizerCore(d: CatalogizerCoreDeps): Promise<CatalogizerCore> {
  const log = d.logger.child({ component: 'catalogizer' });
  const directory = new UserDirectory(d.auth.users, d.auth.roles, new ProfileStore(d.records), log);
  await directory.restore();
  let registration = d.config.auth.registration;
  const configuration = new ConfigurationService(d.config as AlcoveConfig, d.overlayFile, {
    setLogLevel: (level) => { d.logger.level = level; log.info({ level }, 'log level changed'); },
    setRegistration: (mode) => { registration = mode; log.info({ registration: mode }, 'registration changed'); },
    setRateLimits: (limits) => { d.limits.update(limits); log.info(limits, 'rate limits changed'); },
  }, d.status);
  const errors = new ErrorReportService(d.records, d.status.version);
  const logCollections = new LogCollectionService(d.records, d.logs);
  const unhook = d.processHooks ? installCrashHooks(errors, (err) => log.warn({ err }, 'crash report not stored')) : () => undefined;
  const streams = new Set<() => void>();
  return {
    directory,
    auth: new CatalogizerAuthService(d.auth.auth, directory, { registration: () => registration }),
    users: new CatalogizerUsersService(directory),
    configuration,
    wizard: new WizardService(d.records, configuration),
    errors,
    logCollections,
    logShares: new LogShareService(d.records, logCollections),
    logTap: d.logs,
    discovery: d.discovery,
    streams,
    close() {
      unhook();
      directory.close();
      for (const stop of [...streams]) stop();
    },
  };
}
