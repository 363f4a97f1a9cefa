/**
 * System status for GET /api/v1/configuration/status from real component state: the index
 * answers reads, storage has no offline items, an administrator exists, ffmpeg was found,
 * and no library scan has failed last.
 */
import type { IndexStore } from '../../../domain/ports.js';
import type { SystemService } from '../../system/system.service.js';
import type { StatusProbe } from './configuration.service.js';

export function createStatusProbe(system: SystemService, index: IndexStore, ffmpegFound: boolean): StatusProbe {
  return {
    version: system.build.version,
    uptime: () => system.health().uptime,
    components: () => {
      let database = 'healthy';
      let storage = 'healthy';
      let sync = 'healthy';
      try {
        const counters = index.items.counters();
        if (counters.offline > 0) storage = 'degraded';
        const last = index.scans.list(undefined, 1)[0];
        if (last?.status === 'failed') sync = 'degraded';
      } catch {
        database = 'unhealthy';
      }
      return {
        database, storage, authentication: index.users.countAdmins() > 0 ? 'healthy' : 'setup_required',
        media_conversion: ffmpegFound ? 'healthy' : 'unavailable', sync,
      };
    },
  };
}
