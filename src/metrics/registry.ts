import {
  Counter,
  Gauge,
  Histogram,
  register,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type LabelValues,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client'

/*
 * Get-or-create on prom-client's global registry, the one the framework serves
 * on METRICS_PORT: a module imported twice, or a part started twice in one
 * process (tests, benchmarks), must not fail with "already registered".
 */

/** A metric's name before a rename: served too, with the same values, for one minor version (see CHANGELOG.md) */
interface Renamed {
  formerly?: string
}

/** Every deprecated name still served, with the name that replaces it: docs/metrics.md lists them. */
export const DEPRECATED_METRICS = new Map<string, string>()

type Copy = (self: { reset(): void }, labels: LabelValues<string>, value: number) => void

/** The declaration of the old name: reset and refilled from `metric` at every scrape, so the code counts once. */
const formerName = <T extends string>(
  formerly: string,
  config: { name: string; help: string; labelNames?: readonly T[] },
  metric: { get(): Promise<MetricObjectWithValues<MetricValue<T>>> },
  copy: Copy,
) => {
  DEPRECATED_METRICS.set(formerly, config.name)
  return {
    name: formerly,
    help: `Deprecated: renamed ${config.name}, removed in the next minor version. ${config.help}`,
    labelNames: config.labelNames ?? [],
    async collect(this: { reset(): void }) {
      this.reset()
      for (const { labels, value } of (await metric.get()).values) copy(this, labels, value)
    },
  }
}

export const counter = <T extends string>({ formerly, ...config }: CounterConfiguration<T> & Renamed): Counter<T> => {
  const metric = (register.getSingleMetric(config.name) as Counter<T> | undefined) ?? new Counter(config)
  if (formerly && !register.getSingleMetric(formerly)) {
    new Counter(formerName(formerly, config, metric, (self, labels, value) => (self as Counter).inc(labels, value)))
  }
  return metric
}

export const gauge = <T extends string>({ formerly, ...config }: GaugeConfiguration<T> & Renamed): Gauge<T> => {
  const metric = (register.getSingleMetric(config.name) as Gauge<T> | undefined) ?? new Gauge(config)
  if (formerly && !register.getSingleMetric(formerly)) {
    new Gauge(formerName(formerly, config, metric, (self, labels, value) => (self as Gauge).set(labels, value)))
  }
  return metric
}

export const histogram = <T extends string>(config: HistogramConfiguration<T>): Histogram<T> =>
  (register.getSingleMetric(config.name) as Histogram<T> | undefined) ?? new Histogram(config)
