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
import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';

// The five prom-client modules used here, not its index: the index also loads Pushgateway,
// which pulls in node's http, https, tls and zlib at start (0.7 MB of heap the daemon never
// uses). test/unit/http-metrics-modules.test.ts checks these are the index's own classes.
const requireProm = createRequire(import.meta.url);
export const Registry = requireProm('prom-client/lib/registry') as typeof Prom.Registry;
export type Registry = Prom.Registry;
const Counter = requireProm('prom-client/lib/counter') as typeof Prom.Counter;
type Counter<T extends string = string> = Prom.Counter<T>;
const Gauge = requireProm('prom-client/lib/gauge') as typeof Prom.Gauge;
type Gauge<T extends string = string> = Prom.Gauge<T>;
const Histogram = requireProm('prom-client/lib/histogram') as typeof Prom.Histogram;
type Histogram<T extends string = string> = Prom.Histogram<T>;
const collectDefaultMetrics = requireProm('prom-client/lib/defaultMetrics') as typeof Prom.collectDefaultMetrics;

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

const DURATION_NAME = 'alcove_http_request_duration_seconds';
const DURATION_HELP = 'Time from request to last byte handed to the socket';
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60];

/** One route+method series of the duration histogram, counted in plain JS. */
interface DurationSeries {
  labels: { route: string; method: string };
  /** Observations per bucket (not cumulative); the last slot is above the largest bound. */
  counts: number[];
  sum: number;
  count: number;
}

interface ExportedValue {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName: string;
  exemplar?: null;
}

/**
 * The duration histogram, counted by HttpMetrics and exported exactly as prom-client's
 * Histogram exports these buckets (same names, label order, `le` values and JSON shape).
 */
class PrecountedHistogram extends Histogram<'route' | 'method'> {
  constructor(registry: Registry, private readonly series: () => Iterable<DurationSeries>) {
    super({
      name: DURATION_NAME,
      help: DURATION_HELP,
      labelNames: ['route', 'method'] as const,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
  }

  /** `splay`: labels merged as in get() (JSON); otherwise `le` + shared labels as for the text. */
  private exported(splay: boolean): { name: string; help: string; type: 'histogram'; values: ExportedValue[]; aggregator: 'sum' } {
    const values: ExportedValue[] = [];
    const bucket = `${DURATION_NAME}_bucket`;
    const pair = (le: string | number | undefined, value: number, metricName: string, shared: Record<string, string>): ExportedValue => {
      const labels: Record<string, string | number> = le === undefined ? {} : { le };
      const exemplar = le === undefined ? undefined : null;
      if (splay) return { value, metricName, exemplar, labels: Object.assign(labels, shared) };
      return { labels, sharedLabels: shared, value, metricName, exemplar };
    };
    for (const s of this.series()) {
      let acc = 0;
      for (let i = 0; i < DURATION_BUCKETS.length; i++) {
        acc += s.counts[i]!;
        values.push(pair(DURATION_BUCKETS[i]!, acc, bucket, s.labels));
      }
      values.push(pair('+Inf', s.count, bucket, s.labels));
      values.push(pair(undefined, s.sum, `${DURATION_NAME}_sum`, s.labels));
      values.push(pair(undefined, s.count, `${DURATION_NAME}_count`, s.labels));
    }
    return { name: DURATION_NAME, help: DURATION_HELP, type: 'histogram', values, aggregator: 'sum' };
  }

  // prom-client's registry reads getForPromString() for the text exposition, get() for JSON.
  override get(): ReturnType<Histogram<'route' | 'method'>['get']> {
    return Promise.resolve(this.exported(true) as unknown as Awaited<ReturnType<Histogram<'route' | 'method'>['get']>>);
  }

  getForPromString(): Promise<unknown> { return Promise.resolve(this.exported(false)); }
}

/**
 * HTTP request metrics fed by the server, one observation per finished or aborted request.
 * Counted in plain JS per request (a Map lookup and a few additions: prom-client hashes and
 * validates the label object on every inc/observe) and handed to prom-client at scrape time.
 */
export class HttpMetrics {
  private inFlight = 0;
  /** Requests by route, method, status; `reported` is what the prom-client counter holds. */
  private readonly requestCounts = new Map<string, { labels: { route: string; method: string; status: string }; count: number; reported: number }>();
  private readonly durations = new Map<string, DurationSeries>();

  constructor(readonly registry: Registry) {
    const counts = this.requestCounts;
    new Counter({
      name: 'alcove_http_requests_total',
      help: 'HTTP requests by route pattern, method and status (0 = client went away)',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
      collect(this: Counter<'route' | 'method' | 'status'>) {
        for (const c of counts.values()) {
          if (c.count === c.reported) continue;
          this.inc(c.labels, c.count - c.reported);
          c.reported = c.count;
        }
      },
    });
    new PrecountedHistogram(registry, () => this.durations.values());
    const self = this;
    new Gauge({
      name: 'alcove_http_requests_in_flight',
      help: 'Requests being processed',
      registers: [registry],
      collect(this: Gauge) { this.set(self.inFlight); },
    });
  }

  /** The registry's text exposition (same as renderMetrics(this.registry)). */
  render(): Promise<string> { return this.registry.metrics(); }
  readonly contentType = METRICS_CONTENT_TYPE;

  started(): void { this.inFlight++; }

  finished(route: string, method: string, status: number, seconds: number): void {
    this.inFlight--;
    const key = `${method} ${status} ${route}`;
    const c = this.requestCounts.get(key);
    if (c) c.count++;
    else this.requestCounts.set(key, { labels: { route, method, status: String(status) }, count: 1, reported: 0 });
    const dkey = `${method} ${route}`;
    let d = this.durations.get(dkey);
    if (!d) {
      d = { labels: { route, method }, counts: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
      this.durations.set(dkey, d);
    }
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]!) i++;
    d.counts[i]!++;
    d.sum += seconds;
    d.count++;
  }
}
