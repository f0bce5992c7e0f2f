import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { Partitioners, type Kafka } from 'kafkajs'
import { untilAborted } from '../abort'
import { BifrostError } from '../errors'
import type { OnPartDied } from '../liveness'
import { disconnectSoon } from '../kafka/client'
import { stopInOrder } from '../lifecycle'
import { consumerGroups } from '../kafka/group-ids'
import type { ReadinessCheck } from '../http/readiness'
import type { ServerHook } from '../http/server'
import type { RequestsStatus } from '../status/snapshot'
import { requestEndpoint } from './endpoint'
import { createExchange, RequestsUnavailableError, type Exchange } from './exchange'
import { readPendingLog } from './pending-log'
import { startReplyConsumer, type ReplyConsumer } from './reply-consumer'
import { captureResponseUrl } from './response-url'
import type { RequestSettings } from './settings'
import type { RequestsView } from './view'

const logger = makeLogger('Requests')

export class RequestsStartError extends BifrostError {
  static override readonly code = 'BIFROST_REQUESTS_START_FAILED'
}

export interface Requests {
  /** The `request` endpoint, for buildAdapter; it answers 503 until start() is done */
  endpoint: ReturnType<typeof requestEndpoint>
  /** For startServer: keeps responseURL out of the framework's hands (and logs) */
  serverHook: ServerHook
  /** Not ready until the reply backlog left at start-up is read */
  readiness: ReadinessCheck
  /** This replica's open and recently answered requests, for the operator API */
  view(): RequestsView
  /** For /status: the requests in flight on this instance */
  status(): RequestsStatus
  /** Re-opens what the pending topic holds, then consumes replies */
  start(): Promise<void>
  stop(): Promise<void>
}

export interface RequestsOptions {
  kafka: Kafka
  settings: RequestSettings
  /** Prefix of the consumer group ids (the Kafka client id) */
  clientId: string
  /** The reply consumer stopped for good (see PartDiedError) */
  onDied?: OnPartDied
}

/**
 * The request/reply part. One Bifrost per pending topic: the open requests live
 * in this process, so a second instance would not know the first one's; feed
 * replicas run with `requests.enabled: false`.
 */
export const createRequests = ({ kafka, settings, clientId, onDied }: RequestsOptions): Requests => {
  if (!settings.enabled) return disabledRequests(settings)
  let running: { exchange: Exchange; replies: ReplyConsumer; stop(): Promise<void> } | undefined
  let failure: string | undefined
  // stop() during start() ends the start where it waits, and waits for it to release what it holds
  const stopping = new AbortController()
  let starting: Promise<void> | undefined

  const start = async (): Promise<void> => {
    starting = run()
    return starting
  }

  const run = async (): Promise<void> => {
    // kafkajs logs as soon as its clients exist, so none is created before start()
    const producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    })
    const exchange = createExchange({ producer, settings })
    try {
      await untilAborted(producer.connect(), stopping.signal)
      const open = await readPendingLog(kafka, {
        topic: settings.pendingTopic,
        clientId,
        fetchMaxWaitMs: settings.fetchMaxWaitMs,
        signal: stopping.signal,
      })
      exchange.restore(open.values())
      stopping.signal.throwIfAborted()
      const replies = await startReplyConsumer({
        kafka,
        topic: settings.replyTopic,
        // Stable across restarts: its committed offsets say which replies were already taken
        groupId: consumerGroups.requests(clientId),
        sessionTimeoutMs: settings.replySessionTimeoutMs,
        fetchMaxWaitMs: settings.fetchMaxWaitMs,
        handle: exchange.takeReplies,
        onDied,
      })
      void replies.caughtUp.then(exchange.repliesCaughtUp)
      running = {
        exchange,
        replies,
        // Each step runs even when the one before fails: a stuck reply consumer must not keep the producer open.
        stop: () =>
          stopInOrder([
            () => replies.stop(),
            () => exchange.stop(),
            () => disconnectSoon(producer, 'Request producer'),
          ]),
      }
      logger.info(
        `Requests to ${settings.topic}, replies from ${settings.replyTopic}; ${open.size} re-opened from ${settings.pendingTopic}`,
      )
    } catch (cause) {
      failure = `cannot start: ${(cause as Error).message}`
      await exchange.stop()
      await disconnectSoon(producer, 'Request producer')
      throw new RequestsStartError(`Cannot start the requests part: ${(cause as Error).message}`, { cause })
    }
  }

  const notReadyReason = () =>
    failure ?? (running ? running.replies.readiness.notReadyReason() : 'starting: connecting to Kafka')

  return {
    endpoint: requestEndpoint((request) => {
      if (!running)
        return Promise.reject(
          new RequestsUnavailableError('Requests are not running (starting or stopping); send the request again'),
        )
      return running.exchange.submit(request)
    }, settings),
    serverHook: captureResponseUrl,
    readiness: { name: 'requests', notReadyReason },
    status: () => {
      const reason = notReadyReason()
      const { open, delivering, oldestOpenAt } = running?.exchange.inFlight() ?? { open: 0, delivering: 0 }
      return {
        enabled: true,
        ...(reason === undefined ? {} : { notReadyReason: reason }),
        open,
        delivering,
        ...(oldestOpenAt === undefined ? {} : { oldestOpenSeconds: (Date.now() - oldestOpenAt) / 1000 }),
      }
    },
    view: () => ({ enabled: true, ...(running ? running.exchange.view() : { open: [], recent: [] }) }),
    start,
    stop: async () => {
      stopping.abort()
      await starting?.catch(() => undefined)
      const r = running
      running = undefined
      await r?.stop()
    },
  }
}

/**
 * A feeds-only replica: the endpoint stays declared (bodies still validate, and
 * responseURL is still kept out of logs) but refuses, naming the setting.
 */
const disabledRequests = (settings: RequestSettings): Requests => ({
  endpoint: requestEndpoint(
    () =>
      Promise.reject(
        new RequestsUnavailableError(
          'The request endpoint is off on this instance (requests.enabled / REQUESTS_ENABLED is false); send it to the instance that runs requests',
        ),
      ),
    settings,
  ),
  serverHook: captureResponseUrl,
  readiness: { name: 'requests', notReadyReason: () => undefined },
  view: () => ({ enabled: false, open: [], recent: [] }),
  status: () => ({ enabled: false, open: 0, delivering: 0 }),
  start: async () => undefined,
  stop: async () => undefined,
})
