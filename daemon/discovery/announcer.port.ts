/**
 * Ports of the discovery subsystem. The daemon announces itself on the LAN through a
 * ServiceAnnouncer; the announcer talks to the platform's DNS-SD responder (Avahi on Linux)
 * through a DnsSdBackend, so its logic (re-announcing, withdrawal, failure handling) can be
 * tested with a fake backend and the real one can be missing without breaking the daemon.
 */

/** What the daemon announces about itself. */
export interface Announcement {
  /** Service instance name shown by browsers (a DNS-SD label: at most 63 bytes). */
  name: string;
  /** The HTTP port the daemon listens on. */
  port: number;
  /** Stable server id (<stateDir>/server-id). */
  serverId: string;
  /** Daemon version (package.json). */
  version: string;
  /** Whether the port speaks TLS. */
  tls: boolean;
}

/**
 * Contract: start() publishes (or logs why it cannot) and never throws; update() re-announces
 * when name, port or TXT data changed and is a no-op otherwise; stop() withdraws every
 * record and is safe to call twice. Failures (responder missing or gone) are logged, never
 * thrown, and never stop the daemon.
 */
export interface ServiceAnnouncer {
  start(announcement: Announcement): void;
  update(announcement: Announcement): void;
  stop(): void;
  readonly state: AnnouncerState;
}

export type AnnouncerState = 'idle' | 'announcing' | 'announced' | 'unavailable' | 'stopped';

/** One DNS-SD service registration request. */
export interface DnsSdService {
  /** Service type without the leading underscore or protocol, e.g. 'alcove', 'http'. */
  type: string;
  port: number;
  name: string;
  txt: Readonly<Record<string, string>>;
}

export interface DnsSdCallbacks {
  /** The responder confirmed the registration; `name` may differ after a conflict rename. */
  onRegistered(name: string): void;
  /** A failure after register() returned (responder stopped, registration refused). */
  onError(err: Error): void;
}

/** A live registration; stop() withdraws it (the responder sends goodbye packets). */
export interface DnsSdRegistration {
  stop(): void;
}

/**
 * The responder. register() throws synchronously when the responder cannot be reached
 * (e.g. Avahi not running, no system D-Bus).
 */
export interface DnsSdBackend {
  register(service: DnsSdService, callbacks: DnsSdCallbacks): DnsSdRegistration;
}
