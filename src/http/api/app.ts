import { join } from 'node:path'
import express, { type NextFunction, type Request, type Response } from 'express'
import { repoRoot } from '../../dev/paths'
import { consumerGroups } from '../../kafka/group-ids'
import { parsePosition } from '../../kafka/position'
import { isAuthorized, login, loginForm, logout, requireToken } from './auth'
import { createBridgeRate } from './bridge-rate'
import { parseEventFilter } from './event-filter'
import { DEFAULT_STREAM_LIMITS, streamEvents, type StreamLimits, type StreamStart } from './event-stream'
import { MAX_EVENTS_LIMIT, queryEvents } from './events-query'
import { createFeedLister, feedView } from './feeds'
import { createKafkaStatus } from './kafka-status'
import { openApiDocument } from './openapi'
import { overview } from './overview'
import { ApiQueryError, enumParam, intParam, stringParam } from './query'
import type { OperatorSources } from './sources'

/** Concurrent event streams; each holds a Kafka consumer, so the count is bounded (503 beyond). */
export const MAX_STREAMS = 50

export interface ApiAppOptions {
  /** Test hook: smaller buffers and heartbeats than production's */
  streamLimits?: StreamLimits
}

/** The status page's files: plain HTML, CSS and JS, served as they are (no build step). */
export const webDir = (): string => join(repoRoot(), 'web')

/**
 * The operator's window: the status page and /api, a thin layer of routes over
 * plain functions of the parts' read-only views.
 */
export const createApiApp = (sources: OperatorSources, options: ApiAppOptions = {}) => {
  const { http, events, kafka } = sources.config
  const token = http.token
  const listFeeds = createFeedLister(sources)
  const kafkaStatus = createKafkaStatus(sources)
  const bridgeRate = createBridgeRate()
  const streams = new Set<Promise<void>>()

  const app = express()
  app.disable('x-powered-by')
  app.set('query parser', 'simple')
  app.use((_req, res, next) => {
    res.set({
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
      'referrer-policy': 'no-referrer',
    })
    next()
  })

  app.get('/', (req, res) => {
    if (!isAuthorized(req, token)) return res.redirect(303, 'login')
    res.sendFile(join(webDir(), 'index.html'))
  })
  app.get('/login', loginForm)
  app.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), login(token))
  app.post('/logout', logout)
  app.use(express.static(webDir(), { index: false }))

  const api = express.Router()
  api.use((req, res, next) => {
    const origin = req.headers.origin
    if (origin && http.cors.includes(origin)) {
      res.set({
        'access-control-allow-origin': origin,
        'access-control-allow-headers': 'authorization, last-event-id',
        'access-control-allow-methods': 'GET',
        vary: 'Origin',
      })
      if (req.method === 'OPTIONS') return void res.sendStatus(204)
    }
    next()
  })
  api.use(requireToken(token))

  api.get('/openapi.json', (_req, res) => void res.json(openApiDocument))
  api.get('/overview', async (_req, res) => void res.json(overview(sources, await bridgeRate())))
  api.get('/feeds', (req, res) => {
    const q = stringParam(req.query, 'q')
    const offset = intParam(req.query, 'offset', { min: 0, max: Number.MAX_SAFE_INTEGER, default: 0 })
    const limit = intParam(req.query, 'limit', { min: 1, max: 500, default: 50 })
    res.json(listFeeds({ q, offset, limit }))
  })
  api.get('/feeds/:feed', (req, res) => {
    const view = feedView(sources, String(req.params['feed']))
    if (!view)
      return void res.status(404).json({ error: `Unknown feed "${req.params['feed']}" (feed ids are case-sensitive)` })
    res.json(view)
  })
  api.get('/requests', (_req, res) => void res.json(sources.requests()))
  api.get('/requests/:correlationId', (req, res) => {
    const id = String(req.params['correlationId'])
    const view = sources.requests()
    const open = view.open.find((r) => r.correlationId === id)
    const answered = view.recent.find((r) => r.correlationId === id)
    if (!open && !answered) {
      return void res.status(404).json({ error: `No open or recently answered request ${id} on this replica` })
    }
    res.json({ ...(open ? { open } : {}), ...(answered ? { answered } : {}) })
  })
  api.get('/status', (_req, res) => void res.json(sources.status.snapshot()))
  api.get('/chains', (_req, res) => void res.json({ chains: sources.status.snapshot().chains ?? [] }))
  api.get('/kafka', async (_req, res) => void res.json(await kafkaStatus()))
  api.get('/events', async (req, res) => {
    const from = positionParam(req.query)
    // from=earliest reads forwards unless told otherwise; latest is where newest-first starts anyway.
    const order = enumParam(
      req.query,
      'order',
      ['newest', 'oldest'] as const,
      from === 'earliest' ? 'oldest' : 'newest',
    )
    const page = await queryEvents(
      { kafka: sources.kafka, topic: events.topic, groupIdPrefix: consumerGroups.httpEventsQuery(kafka.clientId) },
      {
        filter: parseEventFilter(req.query, sources.config),
        from: typeof from === 'object' ? from : undefined,
        limit: intParam(req.query, 'limit', { min: 1, max: MAX_EVENTS_LIMIT, default: 100 }),
        order,
      },
    )
    res.json(page)
  })
  api.get('/events/stream', async (req, res) => {
    const filter = parseEventFilter(req.query, sources.config)
    const resume = req.headers['last-event-id']
    const start: StreamStart =
      typeof resume === 'string' && resume !== ''
        ? vector('Last-Event-ID', resume)
        : (positionParam(req.query) ?? 'latest')
    if (streams.size >= MAX_STREAMS) {
      return void res.status(503).json({ error: `${MAX_STREAMS} event streams are open already; try again later` })
    }
    const stream = streamEvents(res, {
      kafka: sources.kafka,
      topic: events.topic,
      groupIdPrefix: consumerGroups.httpEventStream(kafka.clientId),
      filter,
      start,
      limits: options.streamLimits ?? DEFAULT_STREAM_LIMITS,
      fetchMaxWaitMs: sources.config.feeds.fetchMaxWaitMs,
    })
    streams.add(stream)
    try {
      await stream
    } finally {
      streams.delete(stream)
    }
  })
  api.use(
    (req, res) => void res.status(404).json({ error: `No route ${req.method} /api${req.path}; see /api/openapi.json` }),
  )
  app.use('/api', api)

  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err)
    if (err instanceof ApiQueryError) return void res.status(400).json({ error: err.message, parameter: err.parameter })
    const status = (err as { status?: number }).status
    if (status && status >= 400 && status < 500) return void res.status(status).json({ error: (err as Error).message })
    // Kafka unreachable or slow: the bridge may be fine, this read is not.
    res.status(503).json({ error: `Cannot answer now: ${(err as Error).message}` })
  })
  return {
    app,
    /** Resolves once every open stream has ended and released its consumer */
    streamsEnded: async () => {
      await Promise.allSettled([...streams])
    },
  }
}

const vector = (name: string, text: string) => {
  const parsed = parsePosition(text)
  if (!parsed.ok) throw new ApiQueryError(name, parsed.reason)
  return parsed.position
}

/** `from`: latest, earliest or a position vector such as 0:1234,1:98. */
const positionParam = (query: Record<string, unknown>): StreamStart | undefined => {
  const from = stringParam(query, 'from')
  if (from === undefined) return undefined
  if (from === 'latest' || from === 'earliest') return from
  return vector('from', from)
}
