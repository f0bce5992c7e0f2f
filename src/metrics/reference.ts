import { Counter, Gauge, Histogram, register } from 'prom-client'
import { eventStreamMetrics } from '../http/api/event-stream'
import { feedMetrics } from '../inbound/metrics'
import { eventMetrics } from '../outbound/metrics'
import { requestMetrics } from '../requests/metrics'
import { streamMetrics } from '../streams/metrics'
import { DEPRECATED_METRICS } from './registry'

/** Declares every Bifrost metric (each part's factory), so the registry holds them all. */
const declareAll = (): void => {
  feedMetrics()
  eventMetrics()
  streamMetrics()
  eventStreamMetrics()
  void requestMetrics
}

const typeOf = (metric: unknown): string =>
  metric instanceof Counter
    ? 'counter'
    : metric instanceof Gauge
      ? 'gauge'
      : metric instanceof Histogram
        ? 'histogram'
        : 'summary'

/** What a declared metric holds beyond the registry's view of it: its label names */
const describe = (metric: unknown) => metric as { name: string; help: string; labelNames: string[] }

/** docs/metrics.md, generated from the metric declarations (`npm run docs`); a test fails when the file drifts. */
export const metricsReference = (): string => {
  declareAll()
  const ours = register
    .getMetricsAsArray()
    .map(describe)
    .filter((m) => m.name.startsWith('bifrost_'))
    .sort((a, b) => a.name.localeCompare(b.name))
  const cell = (text: string) => text.replace(/\|/g, '\\|')
  return [
    '# Metrics',
    '',
    '<!-- Generated from the metric declarations by `npm run docs`: edit them, not this file. -->',
    '',
    "Bifrost's own metrics, served with the framework's on `METRICS_PORT` (`GET :9080/metrics`). Names follow",
    '`bifrost_<part>_<thing>_<unit>`, with the part named as in the settings (`feeds.*`: `bifrost_feeds_*`); counters',
    'end in `_total`.',
    '',
    '| Metric | Type | Labels | Meaning |',
    '| --- | --- | --- | --- |',
    ...ours
      .filter((m) => !DEPRECATED_METRICS.has(m.name))
      .map(
        (m) => `| \`${m.name}\` | ${typeOf(m)} | ${m.labelNames.map((l) => `\`${l}\``).join(', ')} | ${cell(m.help)} |`,
      ),
    '',
    '## Deprecated names',
    '',
    'Renamed metrics keep their old name, with the same values, for one minor version (CHANGELOG.md lists each rename).',
    '',
    '| Old name | Use instead |',
    '| --- | --- |',
    ...[...DEPRECATED_METRICS]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([old, now]) => `| \`${old}\` | \`${now}\` |`),
    '',
  ].join('\n')
}
