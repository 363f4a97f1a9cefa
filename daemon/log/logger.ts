/**
 * Logger factory. JSON lines by default (journald-friendly), pretty on a TTY when
 * pino-pretty is installed. Secrets are redacted by path so no component can leak them.
 * Components take a child logger: `logger.child({ component: 'scanner' })`.
 */
import { createRequire } from 'node:module';
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'password', '*.password', 'newPassword', 'currentPassword', '*.newPassword', '*.currentPassword',
  'token', '*.token', 'refresh_token', '*.refresh_token', 'session_token', '*.session_token',
  'secret', '*.secret', 'credentials', '*.credentials', 'authorization', '*.authorization',
  'req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie',
];

/**
 * No minimum block size on stdout: lines must show up at once (journald, and clients and
 * tests that read the log right after an answer). Under load sonic-boom still gathers
 * what arrives while a write is in flight, and access lines come batched per event-loop
 * turn (http/access-log.ts). Measured and dropped: 8 KiB blocks with a 200 ms periodic
 * flush (~5% less CPU per request, but a line could appear 200 ms late).
 *
 * stdout through sonic-boom in buffer mode: each chunk is encoded once here. In its utf8
 * mode sonic-boom encodes a write twice (fs.write of the string, then Buffer.from of it
 * again to release what was written), and again for every partial write to a full pipe.
 * pino.destination registers the exit flush on the underlying stream.
 */
function bufferedStdout(): DestinationStream {
  const sonic = pino.destination({ fd: 1, sync: false, contentMode: 'buffer' });
  const raw = sonic as unknown as { write(b: Buffer): boolean };
  return {
    write: (chunk: string) => raw.write(Buffer.from(chunk)),
    flush: (cb?: (err?: Error) => void) => sonic.flush(cb),
    flushSync: () => sonic.flushSync(),
    end: () => sonic.end(),
  } as DestinationStream;
}

export interface LoggerOptions {
  level?: string;
  /** Force pretty or JSON; default: pretty when stdout is a TTY. */
  pretty?: boolean;
  /** Sole destination (tests). */
  destination?: DestinationStream;
  /** A second destination that receives every JSON line too (the LogTap ring buffer). */
  tap?: DestinationStream;
}

/** pino-pretty as a stream, when installed (it is a dev dependency). */
function prettyStream(): DestinationStream | undefined {
  try {
    const pretty = createRequire(import.meta.url)('pino-pretty') as (o: object) => DestinationStream;
    return pretty({ colorize: true });
  } catch {
    return undefined;
  }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const base = {
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.destination) return pino(base, options.destination);
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  if (options.tap) {
    const out = (pretty ? prettyStream() : undefined) ?? bufferedStdout();
    // Streams take everything; the logger's own level filters, so changing
    // `logger.level` at run time (configuration API) works in both directions.
    return pino(base, pino.multistream([
      { level: 'trace', stream: out },
      { level: 'trace', stream: options.tap },
    ]));
  }
  if (pretty) {
    try {
      return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true } } });
    } catch { /* pino-pretty is a dev dependency; fall back to JSON */ }
  }
  return pino(base);
}

/** A logger that drops everything (unit tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
