import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import type { Config } from './config/schema'
import { buildAdapter } from './http/adapter'
import { startServer } from './http/server'
import { feedEndpoint } from './inbound/feed-endpoint'
import { startFeedIngest } from './inbound/feed-ingest'
import { createKafka } from './kafka/client'

const logger = makeLogger('Bifrost')

export interface Bifrost {
  /** Base URL of the External Adapter */
  adapterUrl: string
  metricsUrl?: string
  stop(): Promise<void>
}

/**
 * Wires both directions of the bridge from one validated config. Parts start in
 * dependency order and stop in reverse, so nothing publishes into a closed client.
 */
export const startBifrost = async (config: Config): Promise<Bifrost> => {
  const stops: Array<() => Promise<void>> = []
  const stop = async () => {
    for (const s of stops.reverse()) {
      await s().catch((err: unknown) => logger.error(`Error while stopping: ${(err as Error).message}`))
    }
    stops.length = 0
  }
  try {
    const kafka = createKafka(config.kafka)
    const feeds = await startFeedIngest({ kafka, settings: config.feeds, clientId: config.kafka.clientId })
    stops.push(feeds.stop)
    const adapter = buildAdapter([feedEndpoint(feeds.store, config.feeds, feeds.readiness)])
    const server = await startServer(adapter, [feeds.readiness])
    stops.push(server.close)
    return { adapterUrl: server.url, metricsUrl: server.metricsUrl, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
