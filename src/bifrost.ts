import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { startUntilAborted, untilAborted } from './abort'
import type { Config } from './config/schema'
import { topicPlans } from './config/topics'
import { buildAdapter } from './http/adapter'
import { startApiServer } from './http/api/server'
import { readinessReport } from './http/readiness'
import { startServer } from './http/server'
import { statusHook } from './http/status'
import { feedEndpoint, feedRequestParser } from './inbound/feed-endpoint'
import { createFeedIngest } from './inbound/feed-ingest'
import { createKafka } from './kafka/client'
import { createStopList } from './lifecycle'
import type { OnPartDied, PartDiedError } from './liveness'
import { requireTopics, topicMismatches, topicSpec } from './kafka/topics'
import { startEventPublisher } from './outbound/publisher'
import { createLoggerFactory } from './log/logger'
import { createRequests } from './requests/service'
import { createStatusBoard, type StatusBoard } from './status/snapshot'
import { startStreams } from './streams/service'

const logger = makeLogger('Bifrost')

export interface Bifrost {
  /** Base URL of the External Adapter */
  adapterUrl: string
  metricsUrl?: string
  /** The status page (and /api under it); undefined when http.enabled is false */
  statusUrl?: string
  /** Port of the gRPC streaming bridge, when `streams.enabled` */
  streamsPort?: number
  /** What /status reports under `bifrost`; the operator API serves the same model */
  status: StatusBoard
  stop(): Promise<void>
}

export interface StartOptions {
  /**
   * Aborting it (SIGTERM during start-up) ends the start at once: it rejects with
   * the signal's reason once what had started is stopped.
   */
  signal?: AbortSignal
  /**
   * A part stopped for good (PartDiedError): Bifrost keeps serving what still works, and the caller decides. `bifrost
   * serve` stops and exits non-zero, so the orchestrator restarts the process.
   */
  onPartDied?: OnPartDied
}

/**
 * Wires both directions of the bridge from one validated config. Parts start in
 * dependency order and stop in reverse, so nothing publishes into a closed client.
 */
export const startBifrost = async (
  config: Config,
  { signal = new AbortController().signal, onPartDied }: StartOptions = {},
): Promise<Bifrost> => {
  const stops = createStopList()
  const stop = () =>
    stops.stopAll().catch((err: AggregateError) => {
      for (const e of err.errors) logger.error(`Error while stopping: ${(e as Error).message}`)
    })
  try {
    const kafka = createKafka(config.kafka)
    const died = (err: PartDiedError) => {
      logger.error(err.message)
      onPartDied?.(err)
    }
    const clientId = config.kafka.clientId
    const feeds = createFeedIngest({ kafka, settings: config.feeds, clientId, onDied: died })
    const requests = createRequests({ kafka, settings: config.requests, clientId, onDied: died })
    const adapter = buildAdapter([feedEndpoint(feeds.store, config.feeds, feeds.readiness), requests.endpoint])
    const status = createStatusBoard(config)
    status.provide('feeds', feeds.status)
    status.provide('requests', requests.status)
    // The server (and with it the framework's logger, which kafkajs logs into)
    // comes first; /ready answers 503 until the parts below have caught up.
    const readiness = [feeds.readiness, requests.readiness]
    const server = await startUntilAborted(
      startServer(adapter, readiness, [requests.serverHook, statusHook(status)], createLoggerFactory(config.log)).then(
        (s) => ({ ...s, stop: s.close }),
      ),
      signal,
    )
    stops.push(server.close)
    // The page comes up before the parts catch up, so it can show them doing it.
    const api = config.http.enabled
      ? await startApiServer({
          config,
          kafka,
          feeds: { store: feeds.store, history: feeds.history },
          requests: requests.view,
          status,
          readiness: () => readinessReport(readiness),
          startedAt: Date.now(),
        })
      : undefined
    if (api) stops.push(api.stop)
    // Before any part subscribes: a missing topic is named in seconds, and Bifrost's own are created with their settings.
    const report = await untilAborted(requireTopics(config.kafka, topicPlans(config)), signal)
    for (const t of report.topics) {
      if (t.state === 'created')
        logger.info(`Created topic ${t.topic} (${t.setting}): ${topicSpec(t, report.replicationFactor)}`)
      // An existing topic is not altered behind its owner's back, but a wrong one must not go unnoticed.
      const wrong = topicMismatches(t)
      if (wrong.length > 0) logger.warn(`Topic ${t.topic} (${t.setting}, ${t.purpose}): ${wrong.join('; ')}; alter it`)
    }
    stops.push(feeds.stop)
    await untilAborted(feeds.start(), signal)
    let streamsPort: number | undefined
    if (config.streams.enabled) {
      const parse = feedRequestParser(feeds.store, config.feeds, feeds.readiness)
      const streams = await startUntilAborted(
        startStreams({ settings: config.streams, store: feeds.store, readiness: feeds.readiness, parse }),
        signal,
      )
      stops.push(streams.stop)
      streamsPort = streams.port
      status.provide('streaming', streams.status)
    }
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
      status.provide('chains', events.status)
    }
    return { adapterUrl: server.url, metricsUrl: server.metricsUrl, statusUrl: api?.url, streamsPort, status, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
