#!/usr/bin/env node
/**
 * alcoved: process entry. Loads the configuration (defaults < YAML < ALCOVE_* < flags),
 * runs the app, and owns process-level concerns: signals, a bounded graceful shutdown with
 * an unref'd force-exit timer, and last-resort handlers that log instead of dying silently.
 */
// First, before any other module is even parsed: the young generation stays small (see the
// file; growth up to its cap is allowed once the modules have loaded). The rest loads by
// dynamic import: a static import graph is parsed whole before its first module runs, and
// that parsing alone grew the new space to 16 MB (kept for life) before the flag was set.
import { allowYoungGenerationGrowth } from './system/young-generation.js';

async function main(): Promise<void> {
  // packaging/alcoved tuned glibc's allocator for this process (read at exec, done with):
  // the programs the daemon runs (ffmpeg, ffprobe, smbclient) start with glibc's defaults.
  if (process.env.ALCOVE_MALLOC_TUNED === '1') {
    delete process.env.GLIBC_TUNABLES;
    delete process.env.ALCOVE_MALLOC_TUNED;
  }
  const [{ loadConfig, ConfigError }, { createLogger }, { AlcoveApp }, { LogTap }, { SystemdNotifier }] = await Promise.all([
    import('./config/load.js'), import('./log/logger.js'), import('./app.js'), import('./log/log-tap.js'), import('./system/sd-notify.js'),
  ]);
  allowYoungGenerationGrowth();
  let loaded;
  try {
    loaded = await loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`alcoved: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const { config } = loaded;
  const logTap = new LogTap();
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty, tap: logTap });
  if (loaded.file) logger.info({ file: loaded.file }, 'configuration loaded');
  const app = new AlcoveApp(config, logger, logTap);
  const systemd = new SystemdNotifier(logger);

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    systemd.stopping();
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.server.shutdownGraceMs + 10_000);
    force.unref();
    app.stop().then(
      () => { logger.info('stopped'); systemd.close(); logger.flush?.(); process.exit(0); },
      (err: unknown) => { logger.error({ err }, 'error during shutdown'); process.exit(1); },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    shutdown('uncaughtException');
  });

  try {
    await app.start();
    systemd.ready(`serving on port ${app.listeningPort}`);
  } catch (err) {
    logger.fatal({ err: err instanceof Error ? { message: err.message, stack: err.stack } : err }, 'cannot start');
    await app.stop().catch(() => undefined);
    process.exit(1);
  }
}

void main();
