import { AdapterEndpoint } from '@chainlink/external-adapter-framework/adapter'
import type { ResponseCache } from '@chainlink/external-adapter-framework/cache/response'
import type { BaseAdapterSettings } from '@chainlink/external-adapter-framework/config'
import type { Transport } from '@chainlink/external-adapter-framework/transports'
import type { AdapterRequest, AdapterResponse } from '@chainlink/external-adapter-framework/util/types'
import { InputParameters } from '@chainlink/external-adapter-framework/validation'
import { AdapterInputError } from '@chainlink/external-adapter-framework/validation/error'
import { answerError, asAnswer } from '../http/answer-error'
import { nestsDeeperThan, type Json } from '../json'
import { callbackGuard, CallbackRefusedError, type CallbackGuard } from './callback-url'
import { correlationIdOf, type JsonObject } from './correlation'
import type { Answer, BridgeRequest, Submit } from './exchange'
import { responseUrlOf } from './response-url'
import type { RequestSettings } from './settings'

const definition = {
  type: {
    type: 'string',
    required: true,
    description: 'What is asked, e.g. "shipment-status"; enterprise systems route on it',
  },
} as const

/** What the framework's validation cannot express (any JSON object, fields beside `data`), lifted in by a transform. */
interface RequestData {
  type: string
  params: JsonObject
  /** The body's `id`; null when the job sends none (cron, OCR2, keeper jobs) */
  jobRunId: string | null
  meta: Json
  correlationId: string
}

interface RequestEndpointTypes {
  Parameters: typeof definition
  // The result is whatever JSON the enterprise system answered; the framework's type only names scalars
  Response: { Data: { result: Json }; Result: string | number | null }
  Settings: BaseAdapterSettings
}

type Req = AdapterRequest<{ type: string }>

const TYPE = /^[A-Za-z0-9._:/-]{1,200}$/

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

// The framework types the raw body as empty so transports use the validated data; these two steps are the exception.
const rawBody = (req: Req): Record<string, unknown> => req.body as unknown as Record<string, unknown>

/** The request's responseURL, as sent, once the allow-list has passed it; undefined for a synchronous request. */
const callbackOf = (req: Req, guard: CallbackGuard): string | undefined => {
  const url = responseUrlOf(req)
  if (url === undefined || url === null) return undefined
  guard(url)
  return url as string
}

const inputError = (message: string) => new AdapterInputError({ statusCode: 400, message })

const validate = (req: Req, guard: CallbackGuard, maxDepth: number): AdapterInputError | undefined => {
  const body = rawBody(req)
  const id = body['id']
  if (id !== undefined && !((typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id)))) {
    return inputError(
      `[Param: id] must be a non-empty string or a number when given, not ${JSON.stringify(id) ?? typeof id}: ` +
        'leave it out (an async request is then known by its responseURL) or set it to what names the run, e.g. $(decode_log.requestId)',
    )
  }
  if (!TYPE.test(req.requestContext.data.type)) {
    return inputError('[Param: type] must be 1-200 characters of letters, digits and . _ : / -')
  }
  const params = (body['data'] as Record<string, unknown>)['params']
  if (params !== undefined && !isObject(params)) return inputError('[Param: params] must be a JSON object')
  // Checked before anything serialises them: the correlation id and the record are built recursively
  for (const [name, value] of [
    ['params', params],
    ['meta', body['meta']],
  ] as const) {
    if (nestsDeeperThan(value, maxDepth)) {
      return inputError(`[Param: ${name}] nests deeper than requests.maxDepth=${maxDepth} (REQUESTS_MAX_DEPTH)`)
    }
  }
  try {
    callbackOf(req, guard)
  } catch (err) {
    if (err instanceof CallbackRefusedError) return inputError(err.message)
    throw err
  }
  return undefined
}

const liftBody = (req: Req): void => {
  const body = rawBody(req)
  const data = req.requestContext.data as unknown as RequestData
  data.params = ((body['data'] as Record<string, unknown>)['params'] ?? {}) as JsonObject
  data.jobRunId = body['id'] === undefined ? null : String(body['id'])
  data.meta = (body['meta'] ?? null) as Json
  // Validation has passed: a responseURL here is an allowed URL
  const url = responseUrlOf(req)
  data.correlationId = correlationIdOf({ ...data, responseUrl: typeof url === 'string' ? url : undefined })
}

const respond = (
  answer: Answer,
  type: string,
  requestedAt: number,
): AdapterResponse<RequestEndpointTypes['Response']> => {
  // The node suspends the run on a top-level "pending": true and waits for the PATCH
  if (answer.pending) return { pending: true } as unknown as AdapterResponse<RequestEndpointTypes['Response']>
  const { outcome } = answer
  if ('error' in outcome) {
    throw answerError('BIFROST_REQUEST_FAILED', `${type}: ${outcome.error}`)
  }
  const now = Date.now()
  return {
    data: { result: outcome.result },
    result: outcome.result as RequestEndpointTypes['Response']['Result'],
    statusCode: 200,
    timestamps: {
      providerDataRequestedUnixMs: requestedAt,
      providerDataReceivedUnixMs: now,
      providerIndicatedTimeUnixMs: undefined,
    },
  }
}

/**
 * Answers in foregroundExecute, so the framework never polls its response
 * cache for this endpoint; nothing is written to that cache.
 */
const requestTransport = (submit: Submit, guard: CallbackGuard): Transport<RequestEndpointTypes> => {
  let cache: ResponseCache<RequestEndpointTypes> | undefined
  const transport: Transport<RequestEndpointTypes> = {
    name: 'kafka',
    get responseCache() {
      if (!cache) throw new Error('request transport used before initialize()')
      return cache
    },
    initialize: async (dependencies, _settings, _endpoint, name) => {
      transport.name = name
      cache = dependencies.responseCache
    },
    foregroundExecute: async (req) => {
      const requestedAt = Date.now()
      const data = req.requestContext.data as unknown as RequestData
      const request: BridgeRequest = {
        correlationId: data.correlationId,
        jobRunId: data.jobRunId,
        type: data.type,
        params: data.params,
        meta: data.meta,
        // Checked again here, so the guard holds on every path that reaches Kafka
        responseUrl: callbackOf(req, guard),
      }
      try {
        return respond(await submit(request), data.type, requestedAt)
      } catch (err) {
        throw asAnswer(err)
      }
    },
  }
  return transport
}

/** The `request` endpoint: a question for an enterprise system, asked over Kafka. */
export const requestEndpoint = (submit: Submit, settings: RequestSettings) => {
  const guard = callbackGuard(settings.allowedCallbackHosts)
  return new AdapterEndpoint<RequestEndpointTypes>({
    name: 'request',
    inputParameters: new InputParameters(definition, [{ type: 'shipment-status' }]),
    transport: requestTransport(submit, guard),
    customInputValidation: (req) => validate(req, guard, settings.maxDepth),
    requestTransforms: [liftBody],
    cacheKeyGenerator: (data) => `request:${(data as unknown as RequestData).correlationId}`,
  })
}
