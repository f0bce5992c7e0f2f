import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { Counter, register } from 'prom-client'
import { repoRoot } from '../../src/dev/paths'
import { feedMetrics } from '../../src/inbound/metrics'
import { eventMetrics } from '../../src/outbound/metrics'
import { metricsReference } from '../../src/metrics/reference'
import { DEPRECATED_METRICS } from '../../src/metrics/registry'

const valueOf = async (name: string, labels: Record<string, string>): Promise<number | undefined> => {
  const metric = register.getSingleMetric(name)
  assert.ok(metric, `${name} is not registered`)
  const values = (await metric.get()).values
  return values.find((v) => Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l))?.value
}

describe('metric names', () => {
  test('docs/metrics.md is what `npm run docs` generates from the declarations', () => {
    const docs = readFileSync(join(repoRoot(), 'docs/metrics.md'), 'utf8')
    assert.equal(docs, metricsReference(), 'docs/metrics.md is out of date: run `npm run docs`')
  })

  test('every metric is bifrost_<part>_<thing>, the part named as its settings are, and only counters end in _total', () => {
    metricsReference()
    const parts = ['feeds', 'requests', 'events', 'streams', 'http']
    for (const metric of register.getMetricsAsArray()) {
      const { name } = metric as unknown as { name: string }
      if (!name.startsWith('bifrost_') || DEPRECATED_METRICS.has(name)) continue
      assert.ok(parts.includes(name.split('_')[1]!), `${name}: not named after a part (${parts.join(', ')})`)
      assert.equal(
        name.endsWith('_total'),
        metric instanceof Counter,
        `${name}: _total is for counters, and every counter`,
      )
    }
  })

  test('a renamed metric is still served under its old name, with the same values', async () => {
    feedMetrics().consumed.inc({ topic: 'alias-check' }, 3)
    eventMetrics().head.set({ chain: 'alias-check' }, 1234)
    assert.equal(await valueOf('bifrost_feed_records_consumed_total', { topic: 'alias-check' }), 3)
    assert.equal(await valueOf('bifrost_feeds_records_consumed_total', { topic: 'alias-check' }), 3)
    assert.equal(await valueOf('bifrost_chain_head_block', { chain: 'alias-check' }), 1234)
    assert.equal(DEPRECATED_METRICS.get('bifrost_chain_head_block'), 'bifrost_events_head_block')
  })

  test('CHANGELOG.md lists every rename', () => {
    const changelog = readFileSync(join(repoRoot(), 'CHANGELOG.md'), 'utf8')
    metricsReference()
    for (const [old, now] of DEPRECATED_METRICS) {
      assert.ok(changelog.includes(`| \`${old}\` | \`${now}\` |`), `CHANGELOG.md does not list ${old} -> ${now}`)
    }
  })
})
