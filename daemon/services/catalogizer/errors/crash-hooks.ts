/**
 * Process-level crash recording: unhandled rejections and uncaught exceptions become crash
 * reports in the index. Uses 'uncaughtExceptionMonitor' (observes without changing what the
 * process does; main.ts still decides to shut down) and an extra 'unhandledRejection'
 * listener beside main.ts's logging one. Returns the function that removes both.
 */
import type { ErrorReportService } from './error-report.service.js';

export function installCrashHooks(reports: ErrorReportService, onFail?: (err: unknown) => void): () => void {
  const record = (err: unknown, signal: string): void => {
    // The record write is a synchronous LMDB transaction started right here, so even an
    // uncaught exception that ends the process is stored before shutdown begins.
    reports.recordCrash(err, signal).catch((e: unknown) => onFail?.(e));
  };
  const onRejection = (reason: unknown): void => record(reason, 'unhandledRejection');
  const onException = (err: Error, origin: string): void => record(err, origin === 'unhandledRejection' ? 'unhandledRejection' : 'uncaughtException');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtExceptionMonitor', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtExceptionMonitor', onException);
  };
}
