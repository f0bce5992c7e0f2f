import {
  Counter,
  Gauge,
  Histogram,
  register,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client'

/*
 * Get-or-create on prom-client's global registry, the one the framework serves
 * on METRICS_PORT: a module imported twice, or a part started twice in one
 * process (tests, benchmarks), must not fail with "already registered".
 */

export const counter = <T extends string>(config: CounterConfiguration<T>): Counter<T> =>
  (register.getSingleMetric(config.name) as Counter<T> | undefined) ?? new Counter(config)

export const gauge = <T extends string>(config: GaugeConfiguration<T>): Gauge<T> =>
  (register.getSingleMetric(config.name) as Gauge<T> | undefined) ?? new Gauge(config)

export const histogram = <T extends string>(config: HistogramConfiguration<T>): Histogram<T> =>
  (register.getSingleMetric(config.name) as Histogram<T> | undefined) ?? new Histogram(config)
