import { readFile } from 'node:fs/promises'
import { Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js'
import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { BifrostError } from '../errors'
import type { ReadinessCheck } from '../http/readiness'
import type { FeedStore } from '../inbound/feed-store'
import type { StreamingStatus } from '../status/snapshot'
import type { FeedRequestParser } from './asset'
import { streamMetrics } from './metrics'
import { hashedBridgeName } from './payload-hash'
import { streamService, type SubscribeRequest, type SubscribeResponse } from './proto'
import { createSession, type StreamSession } from './session'
import type { StreamSettings } from './settings'

const logger = makeLogger('StreamsServer')

export class StreamsError extends BifrostError {
  static override readonly code = 'BIFROST_STREAMS_FAILED'
}

export interface Streams {
  /** Port the streaming bridge listens on (the bound one when `streams.port` is 0) */
  port: number
  /** For /status: every connected node and what it subscribed */
  status(): StreamingStatus
  /** Ends every stream and closes the port; safe to call twice */
  stop(): Promise<void>
}

export interface StreamsOptions {
  settings: StreamSettings
  store: FeedStore
  /** Until it is ready every answer is an error; the first ready moment answers every asset at once */
  readiness: ReadinessCheck
  parse: FeedRequestParser
}

// How often an unready Bifrost checks whether its feeds have caught up.
const READY_POLL_MS = 100
// Refused assets remembered so each is logged once; past this, the oldest may be logged again.
const MAX_LOGGED_REFUSALS = 10_000
// Streams are ended first; a node that does not hang up in this time is cut off.
const SHUTDOWN_GRACE_MS = 2_000

const credentials = async (settings: StreamSettings): Promise<ServerCredentials> => {
  if (!settings.tlsCert || !settings.tlsKey) return ServerCredentials.createInsecure()
  const read = async (path: string, setting: string) => {
    try {
      return await readFile(path)
    } catch (cause) {
      throw new StreamsError(`Cannot read ${setting} "${path}": ${(cause as Error).message}`, { cause })
    }
  }
  const [certChain, privateKey] = await Promise.all([
    read(settings.tlsCert, 'streams.tlsCert'),
    read(settings.tlsKey, 'streams.tlsKey'),
  ])
  try {
    // No client certificate: the node presents none.
    return ServerCredentials.createSsl(null, [{ cert_chain: certChain, private_key: privateKey }], false)
  } catch (cause) {
    throw new StreamsError(
      `streams.tlsCert and streams.tlsKey are not a usable PEM pair: ${(cause as Error).message}`,
      {
        cause,
      },
    )
  }
}

const bind = (server: Server, address: string, creds: ServerCredentials): Promise<number> =>
  new Promise((resolve, reject) => server.bindAsync(address, creds, (err, port) => (err ? reject(err) : resolve(port))))

/**
 * The node's `StreamService/Subscribe` (bridges with useConnectionManager=true):
 * every subscribed `feed` asset gets the HTTP bridge's answer at once, again on
 * every Kafka update that changes it, and every `refreshSeconds` while it stays
 * the same and fresh. Error answers are never sent.
 */
export const startStreams = async ({ settings, store, readiness, parse }: StreamsOptions): Promise<Streams> => {
  const metrics = streamMetrics()
  const bridgeName = hashedBridgeName(settings.bridgeName)
  type Call = ServerDuplexStream<SubscribeRequest, SubscribeResponse>
  const streams = new Map<Call, { session: StreamSession; peer: string; connectedAt: string }>()
  const closeStream = (call: Call) => {
    const stream = streams.get(call)
    if (!stream) return
    streams.delete(call)
    stream.session.close()
    metrics.connected.dec()
  }
  const logged = new Set<string>()
  const server = new Server()

  // Updates are gathered and answered once the ingest yields: a batch that
  // moves one feed a hundred times costs one answer per asset, not a hundred.
  const changed = new Set<string>()
  let flushing: NodeJS.Immediate | undefined
  const flush = () => {
    flushing = undefined
    for (const { session } of streams.values()) session.feedsChanged(changed)
    changed.clear()
  }
  const unwatch = store.onChange((feed) => {
    if (streams.size === 0) return
    changed.add(feed)
    flushing ??= setImmediate(flush)
  })

  let readyPoll: NodeJS.Timeout | undefined
  if (readiness.notReadyReason() !== undefined) {
    readyPoll = setInterval(() => {
      if (readiness.notReadyReason() !== undefined) return
      clearInterval(readyPoll)
      for (const { session } of streams.values()) session.answerAll()
    }, READY_POLL_MS)
    readyPoll.unref()
  }

  server.addService(streamService().service, {
    Subscribe: (call: Call) => {
      const session = createSession({
        sink: call,
        bridgeName,
        refreshMs: settings.refreshSeconds * 1000,
        parse,
        metrics,
        onRefused: ({ key, reason }) => {
          if (logged.has(key)) return
          // Bounded: the port takes any client, and a stream of ever new bad assets must not grow memory.
          if (logged.size >= MAX_LOGGED_REFUSALS) logged.delete(logged.values().next().value as string)
          logged.add(key)
          logger.warn(`Not serving ${key} over the stream: ${reason}`)
        },
      })
      streams.set(call, { session, peer: call.getPeer(), connectedAt: new Date().toISOString() })
      metrics.connected.inc()
      const close = () => closeStream(call)
      call.on('data', (request: SubscribeRequest) => session.subscribe(request))
      call.on('end', () => {
        close()
        call.end()
      })
      call.on('cancelled', close)
      call.on('error', close)
      call.on('close', close)
    },
  })

  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    unwatch()
    clearInterval(readyPoll)
    if (flushing) clearImmediate(flushing)
    for (const call of [...streams.keys()]) {
      closeStream(call)
      call.end()
    }
    await new Promise<void>((resolve) => {
      const cutOff = setTimeout(() => {
        server.forceShutdown()
        resolve()
      }, SHUTDOWN_GRACE_MS)
      server.tryShutdown(() => {
        clearTimeout(cutOff)
        resolve()
      })
    })
  }

  try {
    const creds = await credentials(settings)
    const address = `${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${settings.port}`
    const port = await bind(server, address, creds).catch((cause: Error) => {
      throw new StreamsError(`Cannot listen on ${address} (streams.host, streams.port): ${cause.message}`, { cause })
    })
    logger.info(
      `Streaming bridge (gRPC StreamService/Subscribe) listening on ${settings.host}:${port} over ${settings.tlsCert ? 'TLS' : 'plaintext'}, bridge name "${bridgeName}"`,
    )
    const status = (): StreamingStatus => ({
      clients: [...streams.values()].map(({ session, peer, connectedAt }) => ({
        peer,
        connectedAt,
        subscriptions: session.subscriptions,
        refused: session.refused,
      })),
    })
    return { port, status, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
