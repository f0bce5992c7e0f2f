import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { startUntilAborted, untilAborted } from './abort'
import type { Config } from './config/schema'
import { buildAdapter } from './http/adapter'
import { startServer } from './http/server'
import { feedEndpoint } from './inbound/feed-endpoint'
import { createFeedIngest } from './inbound/feed-ingest'
import { createKafka } from './kafka/client'
import { startEventPublisher } from './outbound/publisher'
import { createRequests } from './requests/service'

const logger = makeLogger('Bifrost')

export interface Bifrost {
  /** Base URL of the External Adapter */
  adapterUrl: string
  metricsUrl?: string
  stop(): Promise<void>
}

export interface StartOptions {
  /**
   * Aborting it (SIGTERM during start-up) ends the start at once: it rejects with
   * the signal's reason once what had started is stopped.
   */
  signal?: AbortSignal
}

/**
 * Wires both directions of the bridge from one validated config. Parts start in
 * dependency order and stop in reverse, so nothing publishes into a closed client.
 */
export const startBifrost = async (config: Config, { signal = new AbortController().signal }: StartOptions = {}): Promise<Bifrost> => {
  const stops: Array<() => Promise<void>> = []
  const stop = async () => {
    for (const s of stops.reverse()) {
      await s().catch((err: unknown) => logger.error(`Error while stopping: ${(err as Error).message}`))
    }
    stops.length = 0
  }
  try {
    const kafka = createKafka(config.kafka)
    const feeds = createFeedIngest({ kafka, settings: config.feeds, clientId: config.kafka.clientId })
    const requests = createRequests({ kafka, settings: config.requests, clientId: config.kafka.clientId })
    const adapter = buildAdapter([feedEndpoint(feeds.store, config.feeds, feeds.readiness), requests.endpoint])
    // The server (and with it the framework's logger, which kafkajs logs into)
    // comes first; /ready answers 503 until the parts below have caught up.
    const readiness = [feeds.readiness, requests.readiness]
    const server = await startUntilAborted(
      startServer(adapter, readiness, [requests.serverHook]).then((s) => ({ ...s, stop: s.close })),
      signal,
    )
    stops.push(server.close)
    stops.push(feeds.stop)
    await untilAborted(feeds.start(), signal)
    stops.push(requests.stop)
    await untilAborted(requests.start(), signal)
    if (config.events.chains.length > 0) {
      const events = await startUntilAborted(
        startEventPublisher({ kafka, settings: config.events, groupIdPrefix: config.kafka.clientId }),
        signal,
      )
      stops.push(events.stop)
      // /ready reads the list on every request: the publisher is judged from now on.
      readiness.push(events.readiness)
    }
    return { adapterUrl: server.url, metricsUrl: server.metricsUrl, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
