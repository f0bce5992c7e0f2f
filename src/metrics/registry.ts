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

/** A metric's name before a rename: served too, with the same values, for one minor version (see CHANGELOG.md) */
interface Renamed {
  formerly?: string
}

/** Every deprecated name still served, with the name that replaces it: docs/metrics.md lists them. */
export const DEPRECATED_METRICS = new Map<string, string>()

const deprecatedHelp = (name: string, help: string): string => `Deprecated: renamed ${name}, removed in the next minor version. ${help}`

export const counter = <T extends string>({ formerly, ...config }: CounterConfiguration<T> & Renamed): Counter<T> => {
  const metric = (register.getSingleMetric(config.name) as Counter<T> | undefined) ?? new Counter(config)
  if (formerly && !register.getSingleMetric(formerly)) {
    DEPRECATED_METRICS.set(formerly, config.name)
    // Copied at scrape time: the code counts once, in the new name.
    new Counter({
      name: formerly,
      help: deprecatedHelp(config.name, config.help),
      labelNames: config.labelNames ?? [],
      async collect() {
        this.reset()
        for (const { labels, value } of (await metric.get()).values) this.inc(labels, value)
      },
    })
  }
  return metric
}

export const gauge = <T extends string>({ formerly, ...config }: GaugeConfiguration<T> & Renamed): Gauge<T> => {
  const metric = (register.getSingleMetric(config.name) as Gauge<T> | undefined) ?? new Gauge(config)
  if (formerly && !register.getSingleMetric(formerly)) {
    DEPRECATED_METRICS.set(formerly, config.name)
    new Gauge({
      name: formerly,
      help: deprecatedHelp(config.name, config.help),
      labelNames: config.labelNames ?? [],
      async collect() {
        this.reset()
        for (const { labels, value } of (await metric.get()).values) this.set(labels, value)
      },
    })
  }
  return metric
}

export const histogram = <T extends string>(config: HistogramConfiguration<T>): Histogram<T> =>
  (register.getSingleMetric(config.name) as Histogram<T> | undefined) ?? new Histogram(config)
