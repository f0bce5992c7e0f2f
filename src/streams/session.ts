import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { AdapterError } from '@chainlink/external-adapter-framework/validation/error'
import type { FeedResponse } from '../inbound/feed-transport'
import { parseAsset, type Asset, type FeedRequestParser } from './asset'
import type { StreamMetrics } from './metrics'
import { structToJson, type SubscribeRequest, type SubscribeResponse } from './proto'

const logger = makeLogger('StreamsSession')

/** One node's Subscribe stream: its current subscription set and what was last sent for each asset. */
export interface StreamSession {
  /** Replaces the whole subscription set; new assets are answered at once */
  subscribe(request: SubscribeRequest): void
  /** Answers the assets of these feeds again and sends those whose answer changed */
  feedsChanged(feeds: Iterable<string>): void
  /** Answers every asset again, e.g. once the feeds have caught up and answers stop being "not ready" */
  answerAll(): void
  /** Forgets every asset and stops every timer; safe to call twice */
  close(): void
  /** Assets of the current set that are served */
  readonly subscriptions: number
  /** Assets of the current set that are refused (logged once each) */
  readonly refused: number
}

/** The part of a gRPC server stream a session writes to. */
export interface ResponseSink {
  /** False when the stream's buffer is full: wait for 'drain' */
  write(response: SubscribeResponse): boolean
  once(event: 'drain', listener: () => void): unknown
}

export interface SessionOptions {
  sink: ResponseSink
  bridgeName: string
  refreshMs: number
  parse: FeedRequestParser
  metrics: StreamMetrics
  /** Told about every refused asset; the service logs each one once */
  onRefused(asset: Extract<Asset, { kind: 'refused' }>): void
}

interface Entry {
  asset: Extract<Asset, { kind: 'served' }>
  /** The answer last sent, without its request-time timestamps; undefined after an error answer */
  last?: string
  refresh?: NodeJS.Timeout
}

type Trigger = 'subscribe' | 'update' | 'refresh'

export const createSession = ({
  sink,
  bridgeName,
  refreshMs,
  parse,
  metrics,
  onRefused,
}: SessionOptions): StreamSession => {
  const entries = new Map<string, Entry>()
  const byFeed = new Map<string, Set<Entry>>()
  const refused = new Set<string>()
  // A node that reads slower than answers change keeps only the latest answer per asset, not a growing backlog.
  const backlog = new Map<string, SubscribeResponse>()
  let congested = false
  let closed = false

  const write = (key: string, response: SubscribeResponse, trigger: Trigger, unchanged: boolean) => {
    if (congested) {
      backlog.set(key, response)
      return
    }
    metrics.sent.inc()
    if (trigger === 'refresh' && unchanged) metrics.refreshes.inc()
    if (!sink.write(response)) {
      congested = true
      sink.once('drain', drain)
    }
  }

  const drain = () => {
    congested = false
    for (const [key, response] of backlog) {
      backlog.delete(key)
      write(key, response, 'update', false)
      if (congested) return
    }
  }

  const schedule = (entry: Entry) => {
    clearTimeout(entry.refresh)
    entry.refresh = setTimeout(() => answer(entry, 'refresh'), refreshMs)
    entry.refresh.unref()
  }

  const answer = (entry: Entry, trigger: Trigger) => {
    if (closed) return
    const { key, hash, request } = entry.asset
    let response: FeedResponse
    try {
      response = request.answer()
    } catch (err) {
      // Never sent: the node's entry expires and its run fails instead of using a stale or wrong value.
      if (!(err instanceof AdapterError)) logger.error(`Cannot answer ${key}: ${(err as Error).message}`)
      entry.last = undefined
      backlog.delete(key)
      if (trigger !== 'update') schedule(entry)
      return
    }
    const fingerprint = JSON.stringify(response.data)
    const unchanged = fingerprint === entry.last
    if (trigger === 'update' && unchanged) return
    entry.last = fingerprint
    const observation = Buffer.from(JSON.stringify(response))
    const timestamp = new Date(response.timestamps.providerDataReceivedUnixMs).toISOString()
    write(key, { timestamp, observation_json: observation, payload_hash: hash }, trigger, unchanged)
    schedule(entry)
  }

  const drop = (key: string, entry: Entry) => {
    clearTimeout(entry.refresh)
    backlog.delete(key)
    entries.delete(key)
    const siblings = byFeed.get(entry.asset.request.feed)
    siblings?.delete(entry)
    if (siblings?.size === 0) byFeed.delete(entry.asset.request.feed)
  }

  return {
    subscribe: (request) => {
      if (closed) return
      const next = new Map<string, Asset>()
      for (const subscription of request.subscriptions ?? []) {
        const asset = parseAsset(structToJson(subscription.data), bridgeName, parse)
        next.set(asset.key, asset)
      }
      metrics.assets.inc(next.size - entries.size - refused.size)
      for (const [key, entry] of entries) if (!next.has(key)) drop(key, entry)
      for (const key of refused) if (!next.has(key)) refused.delete(key)
      for (const [key, asset] of next) {
        if (entries.has(key) || refused.has(key)) continue
        if (asset.kind === 'refused') {
          refused.add(key)
          onRefused(asset)
          continue
        }
        const entry: Entry = { asset }
        entries.set(key, entry)
        const siblings = byFeed.get(asset.request.feed) ?? new Set()
        byFeed.set(asset.request.feed, siblings.add(entry))
        answer(entry, 'subscribe')
      }
    },
    feedsChanged: (feeds) => {
      for (const feed of feeds) for (const entry of byFeed.get(feed) ?? []) answer(entry, 'update')
    },
    answerAll: () => {
      for (const entry of entries.values()) answer(entry, 'update')
    },
    close: () => {
      if (closed) return
      closed = true
      metrics.assets.dec(entries.size + refused.size)
      for (const [key, entry] of entries) drop(key, entry)
      refused.clear()
    },
    get subscriptions() {
      return entries.size
    },
    get refused() {
      return refused.size
    },
  }
}
