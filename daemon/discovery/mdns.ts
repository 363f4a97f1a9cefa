/**
 * Announces the daemon on the LAN with DNS-SD over mDNS: `_alcove._tcp` (for Alcove clients)
 * and `_http._tcp` (for generic browsers), both on the HTTP port, with TXT records
 *   txtvers=1  version=<daemon version>  id=<server id>  api=/api  tls=0|1
 * (`_http._tcp` also gets `path=/api`, the DNS-SD convention for HTTP services).
 *
 * The responder is Avahi, reached through the optional `mdns` addon. Every failure (addon
 * missing, Avahi or the system D-Bus not running, Avahi going away later) becomes one clear
 * 'mDNS unavailable' log line and a retry with backoff, never an exception: discovery is a
 * convenience, the server works without it.
 */
import type { Logger } from '../log/logger.js';
import type {
  Announcement, AnnouncerState, DnsSdBackend, DnsSdRegistration, DnsSdService, ServiceAnnouncer,
} from './announcer.port.js';

export const SERVICE_TYPES = ['alcove', 'http'] as const;
export const API_BASE_PATH = '/api';

export interface MdnsAnnouncerOptions {
  /** Returns the responder backend; may throw (addon missing). Called lazily, once. */
  loadBackend: () => DnsSdBackend;
  logger: Logger;
  /** First retry delay after a failure (doubles up to retryMaxMs). Default 30 s. */
  retryMs?: number;
  retryMaxMs?: number;
}

/** The TXT record of one service type (exported for tests). */
export function txtFor(type: string, a: Announcement): Record<string, string> {
  const txt: Record<string, string> = {
    txtvers: '1', version: a.version, id: a.serverId, api: API_BASE_PATH, tls: a.tls ? '1' : '0',
  };
  if (type === 'http') txt.path = API_BASE_PATH;
  return txt;
}

/** DNS-SD instance names are one label: at most 63 bytes of UTF-8. */
export function clampInstanceName(name: string): string {
  let out = name.trim() || 'Alcove';
  while (Buffer.byteLength(out) > 63) out = out.slice(0, -1);
  return out;
}

function sameAnnouncement(a: Announcement, b: Announcement): boolean {
  return a.name === b.name && a.port === b.port && a.serverId === b.serverId && a.version === b.version && a.tls === b.tls;
}

export class MdnsAnnouncer implements ServiceAnnouncer {
  private backend?: DnsSdBackend;
  private current?: Announcement;
  private registrations: DnsSdRegistration[] = [];
  private confirmed = 0;
  private retryTimer?: NodeJS.Timeout;
  private retryDelay: number;
  private failures = 0;
  private _state: AnnouncerState = 'idle';
  private readonly log: Logger;

  constructor(private readonly options: MdnsAnnouncerOptions) {
    this.log = options.logger;
    this.retryDelay = options.retryMs ?? 30_000;
  }

  get state(): AnnouncerState { return this._state; }

  start(announcement: Announcement): void {
    if (this._state === 'stopped') return;
    this.current = { ...announcement, name: clampInstanceName(announcement.name) };
    this.publish();
  }

  update(announcement: Announcement): void {
    if (this._state === 'stopped') return;
    const next = { ...announcement, name: clampInstanceName(announcement.name) };
    if (this.current && sameAnnouncement(this.current, next)) return;
    this.current = next;
    this.withdrawAll();
    this.log.info({ name: next.name, port: next.port }, 'mDNS re-announcing');
    this.publish();
  }

  stop(): void {
    if (this._state === 'stopped') return;
    const wasAnnounced = this.registrations.length > 0;
    this.clearRetry();
    this.withdrawAll();
    this._state = 'stopped';
    if (wasAnnounced) this.log.info('mDNS withdrawn');
  }

  private publish(): void {
    this.clearRetry();
    const a = this.current;
    if (!a) return;
    if (!this.backend) {
      try {
        this.backend = this.options.loadBackend();
      } catch (err) {
        // Retrying cannot bring an addon back: say so once and stay off.
        this._state = 'unavailable';
        this.log.warn({ reason: (err as Error).message, hint: 'install the optional dependency mdns (needs libavahi-compat-libdnssd)' }, 'mDNS unavailable');
        return;
      }
    }
    try {
      this._state = 'announcing';
      this.confirmed = 0;
      for (const type of SERVICE_TYPES) {
        const service: DnsSdService = { type, port: a.port, name: a.name, txt: txtFor(type, a) };
        // Each registration's callbacks ignore events once it has been replaced.
        const generation = this.registrations;
        const reg = this.backend.register(service, {
          onRegistered: (name) => this.registered(generation, type, name, a.port),
          onError: (err) => { if (generation === this.registrations) this.fail(err); },
        });
        this.registrations.push(reg);
      }
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private registered(generation: DnsSdRegistration[], type: string, name: string, port: number): void {
    if (generation !== this.registrations || this._state === 'stopped') return;
    this.confirmed += 1;
    this.log.info({ type: `_${type}._tcp`, name, port }, 'mDNS announced');
    if (this.confirmed === SERVICE_TYPES.length) {
      this._state = 'announced';
      this.failures = 0;
      this.retryDelay = this.options.retryMs ?? 30_000;
    }
  }

  private fail(err: Error): void {
    this.withdrawAll();
    if (this._state === 'stopped') return;
    this._state = 'unavailable';
    this.failures += 1;
    const fields = {
      reason: err.message,
      hint: 'is avahi-daemon running and the system D-Bus reachable? (mdns.enabled: false turns announcing off)',
      retryInMs: this.retryDelay,
    };
    // The first failure is worth a warning; repeats (Avahi simply absent) only at debug.
    if (this.failures === 1) this.log.warn(fields, 'mDNS unavailable');
    else this.log.debug(fields, 'mDNS unavailable');
    this.retryTimer = setTimeout(() => this.publish(), this.retryDelay);
    this.retryTimer.unref();
    this.retryDelay = Math.min(this.retryDelay * 2, this.options.retryMaxMs ?? 300_000);
  }

  private withdrawAll(): void {
    const regs = this.registrations;
    this.registrations = [];
    for (const reg of regs) {
      try { reg.stop(); } catch (err) { this.log.debug({ err: (err as Error).message }, 'mDNS withdraw failed'); }
    }
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}
