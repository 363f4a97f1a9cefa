/**
 * daemon/http/metrics.ts loads prom-client's modules one by one (not its index, which would
 * load Pushgateway and with it http, https, tls and zlib). These must be the very classes
 * the package exports, so an upgrade that moves them fails here and not at a scrape.
 */
import t from 'tap';
import { createRequire } from 'node:module';
import { Registry, createMetricsRegistry, renderMetrics, addGauge } from '../../daemon/http/metrics.js';

const requireHere = createRequire(import.meta.url);

t.test('the modules loaded are the index\'s own exports', async (t) => {
  const prom = requireHere('prom-client') as typeof import('prom-client');
  t.equal(Registry, prom.Registry, 'Registry');
  t.equal(requireHere('prom-client/lib/counter'), prom.Counter, 'Counter');
  t.equal(requireHere('prom-client/lib/gauge'), prom.Gauge, 'Gauge');
  t.equal(requireHere('prom-client/lib/histogram'), prom.Histogram, 'Histogram');
  t.equal(requireHere('prom-client/lib/defaultMetrics'), prom.collectDefaultMetrics, 'collectDefaultMetrics');
});

t.test('a registry built from them renders gauges and default metrics', async (t) => {
  const registry = createMetricsRegistry();
  addGauge(registry, { name: 'alcove_test_value', help: 'test', collect: () => 42 });
  const text = await renderMetrics(registry);
  t.match(text, /^alcove_test_value 42$/m, 'gauge collected at scrape time');
  t.match(text, /^alcove_process_resident_memory_bytes \d+/m, 'default process metrics');
});
