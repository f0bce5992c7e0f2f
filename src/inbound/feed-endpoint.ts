import { AdapterEndpoint } from '@chainlink/external-adapter-framework/adapter'
import { InputParameters } from '@chainlink/external-adapter-framework/validation'
import { AdapterInputError } from '@chainlink/external-adapter-framework/validation/error'
import type {
  InputParametersDefinition,
  TypeFromDefinition,
} from '@chainlink/external-adapter-framework/validation/input-params'
import { answerError } from '../http/answer-error'
import type { ReadinessCheck } from '../http/readiness'
import { AGGREGATE_METHODS } from './aggregate'
import type { FeedStore } from './feed-store'
import { answerFeed, feedTransport, type FeedResponse, type FeedTransportTypes } from './feed-transport'
import type { FeedSettings } from './settings'

const definition = {
  feed: {
    type: 'string',
    description: 'Feed id, exactly as the record key (case-sensitive), e.g. "ETH/USD"',
    exclusive: ['base', 'quote'],
  },
  base: {
    type: 'string',
    aliases: ['from'],
    description: 'With quote, names the feed "<base>/<quote>"',
    dependsOn: ['quote'],
  },
  quote: {
    type: 'string',
    aliases: ['to'],
    description: 'With base, names the feed "<base>/<quote>"',
    dependsOn: ['base'],
  },
  maxAgeSeconds: {
    type: 'number',
    description: 'Ignore values older than this; only lowers feeds.maxAgeSeconds, a higher value is clamped to it',
  },
  minSources: {
    type: 'number',
    description: 'Fewest fresh sources to answer with (default 1)',
  },
  aggregate: {
    type: 'string',
    options: [...AGGREGATE_METHODS],
    default: 'median',
    description: 'How the fresh sources are combined',
  },
} as const satisfies InputParametersDefinition

type FeedRequestData = TypeFromDefinition<typeof definition>
type FeedEndpointTypes = FeedTransportTypes<typeof definition>

export const feedInputParameters = new InputParameters(definition, [
  { feed: 'ETH/USD', aggregate: 'median' },
  { base: 'ETH', quote: 'USD', maxAgeSeconds: 60, minSources: 2, aggregate: 'mean' },
])

const feedId = (data: FeedRequestData): string => data.feed ?? `${data.base}/${data.quote}`

const inputError = (message: string) => new AdapterInputError({ statusCode: 400, message })

const validate = (data: FeedRequestData): AdapterInputError | undefined => {
  if (data.feed === undefined && data.base === undefined) {
    return inputError('Missing feed: give "feed" (e.g. "ETH/USD") or "base" and "quote"')
  }
  if (data.feed === '') return inputError('[Param: feed] must not be empty')
  if (data.base === '' || data.quote === '') return inputError('[Param: base/quote] must not be empty')
  if (data.maxAgeSeconds !== undefined && !(data.maxAgeSeconds > 0)) {
    return inputError(`[Param: maxAgeSeconds] must be a positive number of seconds, got ${data.maxAgeSeconds}`)
  }
  if (data.minSources !== undefined && !(Number.isInteger(data.minSources) && data.minSources >= 1)) {
    return inputError(`[Param: minSources] must be a whole number of at least 1, got ${data.minSources}`)
  }
  return undefined
}

/**
 * The answer to an already validated request: what the transport returns, or
 * the AdapterError the framework turns into the HTTP error answer.
 */
const answerValidated =
  (store: FeedStore, settings: FeedSettings, readiness: ReadinessCheck) =>
  (data: FeedRequestData): FeedResponse => {
    const notReady = readiness.notReadyReason()
    if (notReady) throw answerError('BIFROST_FEEDS_NOT_READY', `Feeds are not ready yet (${notReady})`)
    return answerFeed(store, {
      feed: feedId(data),
      // A request may only be stricter than the operator: a higher limit (1e309 included) is clamped.
      ...(data.maxAgeSeconds !== undefined && data.maxAgeSeconds < settings.maxAgeSeconds
        ? { maxAgeSeconds: data.maxAgeSeconds, maxAgeLimit: 'request' as const }
        : { maxAgeSeconds: settings.maxAgeSeconds, maxAgeLimit: 'feeds.maxAgeSeconds' as const }),
      minSources: data.minSources ?? 1,
      aggregate: data.aggregate,
    })
  }

/** The `feed` endpoint: the latest value of a Kafka-fed feed, aggregated over its fresh sources. */
export const feedEndpoint = (store: FeedStore, settings: FeedSettings, readiness: ReadinessCheck) =>
  new AdapterEndpoint<FeedEndpointTypes>({
    name: 'feed',
    inputParameters: feedInputParameters,
    transport: feedTransport<typeof definition>(answerValidated(store, settings, readiness)),
    customInputValidation: (req) => validate(req.requestContext.data),
    // The framework's own key lowercases every string, which would make
    // "eth/usd" and "ETH/USD" one feed.
    cacheKeyGenerator: (data) =>
      `feed:${JSON.stringify([feedId(data), data.maxAgeSeconds ?? null, data.minSources ?? null, data.aggregate])}`,
  })

/** One `feed` request, validated once and answerable again and again as the store changes. */
export interface FeedRequest {
  /** The feed id it names (`feed`, or `base`/`quote`) */
  feed: string
  /** What the endpoint answers now; throws the AdapterError whose HTTP answer would be an error */
  answer(): FeedResponse
}

/**
 * The `feed` endpoint without HTTP, for other ways of asking the same question:
 * the same validation (the framework's, then the endpoint's own) and the same
 * answers. Throws the AdapterError an invalid `data` would get over HTTP.
 */
export const feedRequestParser = (store: FeedStore, settings: FeedSettings, readiness: ReadinessCheck) => {
  const answer = answerValidated(store, settings, readiness)
  return (data: Record<string, unknown>): FeedRequest => {
    const validated = feedInputParameters.validateInput(data)
    const error = validate(validated)
    if (error) throw error
    return { feed: feedId(validated), answer: () => answer(validated) }
  }
}
