import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../../dev/paths'
import type { OperatorSources } from './sources'

let version: string | undefined
const bifrostVersion = (): string =>
  (version ??= (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version)

export interface Overview {
  version: string
  startedAt: string
  uptimeSeconds: number
  ready: boolean
  /** Per part: "ready" or why not */
  checks: Record<string, string>
  feeds: { count: number; maxAgeSeconds: number; topics: string[] }
  requests: { enabled: boolean; open: number }
  chains: { count: number; leading: number }
  eventsTopic: string
  /** HTTP bridge requests per second to the adapter, over the last few seconds; absent until measured (or without metrics) */
  bridgeRequestsPerSecond?: number
}

/** The page's header line: is Bifrost ready, and how much of each part there is. */
export const overview = (sources: OperatorSources, bridgeRate?: number, now = Date.now()): Overview => {
  const { config } = sources
  const readiness = sources.readiness()
  const chains = sources.status.snapshot().chains ?? []
  const requests = sources.requests()
  return {
    version: bifrostVersion(),
    startedAt: new Date(sources.startedAt).toISOString(),
    uptimeSeconds: Math.round((now - sources.startedAt) / 1000),
    ready: readiness.ready,
    checks: readiness.checks,
    feeds: { count: sources.feeds.store.size, maxAgeSeconds: config.feeds.maxAgeSeconds, topics: config.feeds.topics },
    requests: { enabled: requests.enabled, open: requests.open.filter((r) => r.state !== 'settled').length },
    chains: { count: chains.length, leading: chains.filter((c) => c.role === 'leader').length },
    eventsTopic: config.events.topic,
    ...(bridgeRate === undefined ? {} : { bridgeRequestsPerSecond: bridgeRate }),
  }
}
