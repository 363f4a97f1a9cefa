/**
 * systemd readiness and watchdog (sd_notify protocol) without libsystemd: one datagram per
 * message to $NOTIFY_SOCKET through the optional `unix-dgram` addon (Node has no unix
 * datagram sockets). Without NOTIFY_SOCKET (not under systemd) every call is a no-op.
 * Without the addon, it logs once and stays silent rather than failing the daemon.
 *
 * Contract: ready() after the index is open and the port listens; watchdog pings every
 * WATCHDOG_USEC/2 while the event loop turns (a stuck loop stops them, and systemd
 * restarts the service); stopping() at the start of shutdown.
 */
import { createRequire } from 'node:module';
import type { Logger } from '../log/logger.js';

interface DgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, callback?: (err?: Error) => void): void;
  close(): void;
  on(event: 'error', listener: (err: Error) => void): void;
}

export class SystemdNotifier {
  private socket?: DgramSocket;
  private path?: string;
  private timer?: NodeJS.Timeout;

  constructor(private readonly logger: Logger, env: NodeJS.ProcessEnv = process.env) {
    const raw = env.NOTIFY_SOCKET;
    if (!raw) return;
    // Abstract namespace sockets start with '@' and are addressed with a leading NUL.
    this.path = raw.startsWith('@') ? `\0${raw.slice(1)}` : raw;
    try {
      const dgram = createRequire(import.meta.url)('unix-dgram') as { createSocket(type: 'unix_dgram'): DgramSocket };
      this.socket = dgram.createSocket('unix_dgram');
      this.socket.on('error', (err) => this.logger.warn({ err: err.message }, 'sd_notify socket error'));
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'NOTIFY_SOCKET set but the unix-dgram addon is missing: no systemd readiness');
    }
    const usec = Number(env.WATCHDOG_USEC);
    const pid = env.WATCHDOG_PID ? Number(env.WATCHDOG_PID) : process.pid;
    if (usec > 0 && pid === process.pid) this.watchdogIntervalMs = Math.max(500, Math.floor(usec / 2000));
  }

  /** Half of WATCHDOG_USEC in ms, when systemd asked for a watchdog. */
  readonly watchdogIntervalMs?: number;

  get active(): boolean { return this.socket !== undefined; }

  private send(message: string): void {
    if (!this.socket || !this.path) return;
    const buf = Buffer.from(message);
    this.socket.send(buf, 0, buf.length, this.path, (err) => {
      if (err) this.logger.debug({ err: err.message }, 'sd_notify send failed');
    });
  }

  ready(status?: string): void {
    this.send(`READY=1\nMAINPID=${process.pid}${status ? `\nSTATUS=${status}` : ''}`);
    if (this.watchdogIntervalMs && !this.timer) {
      this.timer = setInterval(() => this.send('WATCHDOG=1'), this.watchdogIntervalMs);
      this.timer.unref();
    }
  }

  status(text: string): void { this.send(`STATUS=${text}`); }

  stopping(): void {
    this.send('STOPPING=1');
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.socket?.close();
    this.socket = undefined;
  }
}
