import type { ResponseCache } from '@chainlink/external-adapter-framework/cache/response'
import type { BaseAdapterSettings } from '@chainlink/external-adapter-framework/config'
import type { Transport, TransportDependencies } from '@chainlink/external-adapter-framework/transports'
import type { AdapterResponse } from '@chainlink/external-adapter-framework/util/types'
import { answerError } from '../http/answer-error'
import type {
  InputParametersDefinition,
  TypeFromDefinition,
} from '@chainlink/external-adapter-framework/validation/input-params'
import { aggregate, type AggregateMethod } from './aggregate'
import type { FeedValue } from './feed-record'
import type { FeedStore, SourceValue } from './feed-store'

/** What one request asks for, after validation and defaults. */
export interface FeedQuery {
  feed: string
  maxAgeSeconds: number
  /** Which limit `maxAgeSeconds` is: the request's own (lower) one, or the configured one */
  maxAgeLimit: MaxAgeLimit
  minSources: number
  aggregate: AggregateMethod
}

export type MaxAgeLimit = 'request' | 'feeds.maxAgeSeconds'

export interface FeedResponseData {
  result: FeedValue
  feed: string
  aggregate: AggregateMethod
  /** The fresh sources the result was computed from */
  sources: Record<string, { value: FeedValue; timestamp: number }>
  /** ISO time of the newest of those sources */
  asOf: string
  /** The freshness limit applied, in seconds */
  maxAgeSeconds: number
  /** Where that limit came from: the request (lower than the setting) or feeds.maxAgeSeconds */
  maxAgeLimit: MaxAgeLimit
}

export type FeedResponse = AdapterResponse<{ Data: FeedResponseData; Result: FeedValue }>

/**
 * Answers from the store alone: always the latest value, and a refusal (unknown,
 * stale, too few sources, still warming up) costs no waiting.
 */
export const answerFeed = (store: FeedStore, query: FeedQuery, now = Date.now()): FeedResponse => {
  const { feed, maxAgeSeconds, minSources } = query
  const sources = store.get(feed)
  if (!sources || sources.size === 0) {
    throw answerError(
      'BIFROST_FEED_NOT_FOUND',
      `Unknown feed "${feed}": no record with this key has been read (feed ids are case-sensitive)`,
    )
  }
  const oldestAllowed = now - maxAgeSeconds * 1000
  const fresh: SourceValue[] = []
  const contributing: FeedResponseData['sources'] = {}
  let newest = -Infinity
  let newestOfAll = -Infinity
  // forEach rather than for..of: this runs on every request, and it allocates no entry pairs.
  sources.forEach((s, name) => {
    newestOfAll = Math.max(newestOfAll, s.timestamp)
    if (s.timestamp < oldestAllowed) return
    fresh.push(s)
    contributing[name] = { value: s.value, timestamp: s.timestamp }
    newest = Math.max(newest, s.timestamp)
  })
  if (fresh.length === 0) {
    const age = Math.round((now - newestOfAll) / 1000)
    throw answerError(
      'BIFROST_FEED_STALE',
      `Feed "${feed}" is stale: its newest value is ${age} s old, more than maxAgeSeconds=${maxAgeSeconds}`,
    )
  }
  if (fresh.length < minSources) {
    const names = Object.keys(contributing).join(', ')
    throw answerError(
      'BIFROST_FEED_TOO_FEW_SOURCES',
      `Feed "${feed}" has ${fresh.length} fresh source(s) (${names}), fewer than minSources=${minSources}`,
    )
  }
  const result = aggregate(fresh, query.aggregate)
  return {
    data: {
      result,
      feed,
      aggregate: query.aggregate,
      sources: contributing,
      asOf: new Date(newest).toISOString(),
      maxAgeSeconds,
      maxAgeLimit: query.maxAgeLimit,
    },
    result,
    statusCode: 200,
    timestamps: {
      providerDataRequestedUnixMs: now,
      providerDataReceivedUnixMs: now,
      providerIndicatedTimeUnixMs: newest,
    },
  }
}

export interface FeedTransportTypes<P extends InputParametersDefinition> {
  Parameters: P
  Response: { Data: FeedResponseData; Result: FeedValue }
  Settings: BaseAdapterSettings
}

/**
 * A framework transport that answers in `foregroundExecute`, so the framework
 * never falls back to polling its response cache (2 s, then 504). Nothing is
 * written to that cache either: the store is the single source of answers.
 */
export const feedTransport = <P extends InputParametersDefinition>(
  answer: (data: TypeFromDefinition<P>) => FeedResponse,
): Transport<FeedTransportTypes<P>> => {
  let cache: ResponseCache<FeedTransportTypes<P>> | undefined
  const transport: Transport<FeedTransportTypes<P>> = {
    name: 'feed',
    get responseCache() {
      if (!cache) throw new Error('feed transport used before initialize()')
      return cache
    },
    initialize: async (dependencies: TransportDependencies<FeedTransportTypes<P>>, _settings, _endpoint, name) => {
      transport.name = name
      cache = dependencies.responseCache
    },
    foregroundExecute: async (req) => answer(req.requestContext.data),
  }
  return transport
}
