/**
 * DnsSdBackend over the optional `mdns` addon (Bonjour API, here served by Avahi's
 * libdns_sd compatibility layer, which talks to avahi-daemon over the system D-Bus).
 * The addon is an optional dependency: loadDnsSdBackend() throws a plain Error with the
 * reason when it is missing or does not load, and the announcer turns that into a log line.
 */
import { createRequire } from 'node:module';
import type { DnsSdBackend, DnsSdCallbacks, DnsSdRegistration, DnsSdService } from './announcer.port.js';

interface MdnsAdvertisement {
  start(): void;
  stop(): void;
  on(event: 'error', listener: (err: Error) => void): void;
}

interface MdnsModule {
  tcp(name: string): unknown;
  createAdvertisement(
    type: unknown, port: number,
    options: { name?: string; txtRecord?: Record<string, string> },
    callback: (err: Error | undefined, service: { name?: string }) => void,
  ): MdnsAdvertisement;
}

export function loadDnsSdBackend(): DnsSdBackend {
  // Avahi's compatibility layer prints a multi-line warning to stderr on every registration
  // unless this is set; it is read with getenv() at that moment, so setting it here works.
  process.env.AVAHI_COMPAT_NOWARN ??= '1';
  let mdns: MdnsModule;
  try {
    mdns = createRequire(import.meta.url)('mdns') as MdnsModule;
  } catch (err) {
    throw new Error(`the optional mdns addon is not installed or does not load (${(err as Error).message.split('\n')[0]})`);
  }
  return new MdnsAddonBackend(mdns);
}

class MdnsAddonBackend implements DnsSdBackend {
  constructor(private readonly mdns: MdnsModule) {}

  register(service: DnsSdService, callbacks: DnsSdCallbacks): DnsSdRegistration {
    let stopped = false;
    // Throws synchronously ("dns service error: unknown") when Avahi cannot be reached.
    const ad = this.mdns.createAdvertisement(this.mdns.tcp(service.type), service.port, {
      name: service.name, txtRecord: { ...service.txt },
    }, (err, registered) => {
      if (stopped) return;
      // On error the addon also emits 'error', handled below: report it once.
      if (!err) callbacks.onRegistered(registered.name ?? service.name);
    });
    ad.on('error', (err) => { if (!stopped) callbacks.onError(err); });
    ad.start();
    return {
      stop: () => {
        if (stopped) return;
        stopped = true;
        ad.stop();
      },
    };
  }
}
