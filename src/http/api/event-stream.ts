import type { ServerResponse } from 'node:http'
import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { throwawayGroup } from '../../kafka/group-ids'
import type { Consumer, Kafka } from 'kafkajs'
import { partitionTargets } from '../../kafka/catch-up'
import { formatPosition, type Position } from '../../kafka/position'
import { counter, gauge } from '../../metrics/registry'
import { matchesEvent, toApiEvent, type EventFilter } from './event-filter'

const logger = makeLogger('ApiEventStream')

export interface StreamLimits {
  /** A comment (and the current position as `id:`) this often, so proxies keep the connection open */
  heartbeatMs: number
  /** Unsent bytes held for one client before it is disconnected as too slow */
  maxBufferedBytes: number
  /** How long a client may take to read what was sent before the next batch is read for it */
  drainTimeoutMs: number
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  heartbeatMs: 15_000,
  maxBufferedBytes: 1 << 20,
  drainTimeoutMs: 30_000,
}

/** Where a stream starts: the end of each partition now, its beginning, or a position a client was given. */
export type StreamStart = 'latest' | 'earliest' | Position

export interface EventStreamOptions {
  kafka: Kafka
  topic: string
  groupIdPrefix: string
  filter: EventFilter
  start: StreamStart
  limits: StreamLimits
  /** How long an idle fetch waits: bounds the delay on the test broker, which only answers after it */
  fetchMaxWaitMs: number
}

/** The operator API's event stream metrics, on the registry the framework serves at /metrics. */
export const eventStreamMetrics = () => ({
  clients: gauge({ name: 'bifrost_http_stream_clients', help: 'Open /api/events/stream connections' }),
  disconnected: counter({
    name: 'bifrost_http_stream_disconnects_total',
    help: 'Event streams ended by Bifrost, by reason (slow: the client did not read fast enough; kafka: reading failed)',
    labelNames: ['reason'] as const,
  }),
})

/**
 * Streams the events topic to one client as Server-Sent Events, from its own
 * throwaway consumer group (it commits nothing). Every event carries the
 * position after it as `id:`, so `Last-Event-ID` resumes exactly there, also
 * against another Bifrost. Resolves when the stream ends, whoever ended it.
 */
export const streamEvents = async (res: ServerResponse, options: EventStreamOptions): Promise<void> => {
  const m = eventStreamMetrics()
  const { topic, limits } = options
  const targets = await partitionTargets(options.kafka, topic)
  const position: Position = new Map()
  for (const { partition, low, high } of targets) {
    const wanted =
      options.start === 'latest' ? high : options.start === 'earliest' ? low : (options.start.get(partition) ?? low)
    // Below the log start, retention removed the records: the stream goes on from what is left.
    position.set(partition, Math.min(Math.max(wanted, low), high))
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  })
  // An id-only message sets the browser's lastEventId: a reconnect before the first event still resumes here.
  res.write(`retry: 2000\nid: ${formatPosition(position)}\n\n`)
  m.clients.inc()

  let consumer: Consumer | undefined
  let ended = false
  let finish: () => void = () => undefined
  const done = new Promise<void>((resolve) => (finish = resolve))
  const end = async (error?: { reason: string; label: 'slow' | 'kafka' }) => {
    if (ended) return
    ended = true
    clearInterval(heartbeat)
    m.clients.dec()
    if (error) {
      m.disconnected.inc({ reason: error.label })
      logger.warn(`Event stream client disconnected: ${error.reason}`)
      res.end(`event: error\ndata: ${JSON.stringify({ reason: error.reason })}\n\n`)
      // A client that reads nothing would hold the socket forever: it gets a while to read the reason.
      const destroy = setTimeout(() => res.destroy(), limits.drainTimeoutMs).unref()
      res.once('close', () => clearTimeout(destroy))
    } else if (!res.writableEnded) res.end()
    await consumer?.disconnect().catch(() => undefined)
    finish()
  }
  const heartbeat = setInterval(() => {
    if (res.writableLength > limits.maxBufferedBytes) return void end(slow())
    res.write(`: heartbeat ${new Date().toISOString()}\nid: ${formatPosition(position)}\n\n`)
  }, limits.heartbeatMs)
  const slow = () => ({
    label: 'slow' as const,
    reason: `client too slow: more than ${limits.maxBufferedBytes} bytes unread; reconnect with Last-Event-ID to resume`,
  })
  res.once('close', () => void end())

  const drained = (): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => settle(false), limits.drainTimeoutMs)
      const settle = (ok: boolean) => {
        clearTimeout(timer)
        res.off('drain', onDrain)
        res.off('close', onClose)
        resolve(ok)
      }
      const onDrain = () => settle(true)
      const onClose = () => settle(false)
      res.on('drain', onDrain)
      res.on('close', onClose)
    })

  consumer = options.kafka.consumer({
    groupId: throwawayGroup(options.groupIdPrefix),
    maxWaitTimeInMs: options.fetchMaxWaitMs,
    // Bounds what one batch can add to a client's buffer.
    maxBytes: 1 << 20,
    rebalanceTimeout: 10_000,
  })
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!ended) void end({ label: 'kafka', reason: `reading ${topic} failed: ${payload.error.message}` })
  })
  try {
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          if (ended) return
          const offset = Number(message.offset)
          // Before the seek takes effect, a fetch may start elsewhere: only what follows the position counts.
          if (offset < (position.get(batch.partition) ?? 0)) continue
          position.set(batch.partition, offset + 1)
          if (!matchesEvent(options.filter, message.key, message.headers)) continue
          const event = toApiEvent({ ...message, partition: batch.partition, offset })
          res.write(
            `id: ${formatPosition(position)}\nevent: ${event.status ?? 'message'}\ndata: ${JSON.stringify(event)}\n\n`,
          )
          // Not awaited: stopping the consumer waits for this batch to return.
          if (res.writableLength > limits.maxBufferedBytes) return void end(slow())
        }
        if (res.writableNeedDrain && !(await drained()) && !ended) void end(slow())
      },
    })
    for (const [partition, offset] of position) consumer.seek({ topic, partition, offset: String(offset) })
  } catch (err) {
    await end({ label: 'kafka', reason: `cannot read ${topic}: ${(err as Error).message}` })
  }
  return done
}
