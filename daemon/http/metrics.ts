/**
 * Prometheus metrics (prom-client). One Registry per daemon, built by main:
 *
 *   const registry = createMetricsRegistry();
 *   const http = new HttpMetrics(registry);             // pass to HttpServer options
 *   addGauge(registry, { name: 'alcove_items', help: '...', collect: () => repo.count() });
 *   router.get('/metrics', async (ctx) => ctx.send(200, await renderMetrics(registry), METRICS_CONTENT_TYPE), { access: { kind: 'public' } });
 *
 * Route labels are route patterns (never raw paths), so label cardinality stays bounded.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Registry };

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A Registry with the default process metrics (CPU, memory, event loop, GC), prefixed `alcove_`. */
export function createMetricsRegistry(options: { defaultMetrics?: boolean; prefix?: string } = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: options.prefix ?? 'alcove_' });
  return registry;
}

export interface GaugeSpec<L extends string = string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  /** Called at scrape time; return a number, or set labelled values on the gauge yourself. */
  collect?: (gauge: Gauge<L>) => number | void | Promise<number | void>;
}

/** Register a gauge whose value is computed at scrape time (index size, jobs queued, sessions...). */
export function addGauge<L extends string = string>(registry: Registry, spec: GaugeSpec<L>): Gauge<L> {
  const collect = spec.collect;
  return new Gauge<L>({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames ?? [],
    registers: [registry],
    ...(collect && {
      async collect(this: Gauge<L>) {
        const value = await collect(this);
        if (typeof value === 'number') this.set(value);
      },
    }),
  });
}

/** The text exposition of every metric in the registry. */
export function renderMetrics(registry: Registry): Promise<string> {
  return registry.metrics();
}

/** HTTP request metrics fed by the server, one observation per finished or aborted request. */
export class HttpMetrics {
  private readonly requests: Counter<'route' | 'method' | 'status'>;
  private readonly duration: Histogram<'route' | 'method'>;
  private readonly inFlight: Gauge;

  constructor(readonly registry: Registry) {
    this.requests = new Counter({
      name: 'alcove_http_requests_total',
      help: 'HTTP requests by route pattern, method and status (0 = client went away)',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'alcove_http_request_duration_seconds',
      help: 'Time from request to last byte handed to the socket',
      labelNames: ['route', 'method'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      registers: [registry],
    });
    this.inFlight = new Gauge({
      name: 'alcove_http_requests_in_flight',
      help: 'Requests being processed',
      registers: [registry],
    });
  }

  /** The registry's text exposition (same as renderMetrics(this.registry)). */
  render(): Promise<string> { return this.registry.metrics(); }
  readonly contentType = METRICS_CONTENT_TYPE;

  started(): void { this.inFlight.inc(); }

  finished(route: string, method: string, status: number, seconds: number): void {
    this.inFlight.dec();
    this.requests.inc({ route, method, status: String(status) });
    this.duration.observe({ route, method }, seconds);
  }
}
