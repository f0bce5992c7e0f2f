import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import express, { type NextFunction, type Request, type Response } from 'express'

/** One request the stand-in received, as it arrived. */
export interface OperatorCall {
  method: string
  path: string
  cookie?: string
  body: unknown
}

export interface StoredBridge {
  name: string
  url: string
  confirmations: number
  minimumContractPayment: string
  useConnectionManager: boolean
}

/**
 * A stand-in for the Chainlink node's operator API (not a node): the routes
 * `bifrost bridge register` uses, answering as core/web does, and refusing any
 * request whose shape or cookie the node would refuse. `POST /sessions` takes
 * exactly `{email, password}` and sets `clsession`; every `/v2` route wants that
 * cookie; `POST /v2/bridge_types` and `PATCH /v2/bridge_types/:name` take exactly
 * the BridgeTypeRequest fields, `minimumContractPayment` as a quoted decimal.
 */
export interface NodeOperatorApi {
  /** http://127.0.0.1:<port> */
  url: string
  email: string
  password: string
  /** A valid session cookie value, as if logged in through the UI */
  sessionCookie(): string
  readonly calls: readonly OperatorCall[]
  readonly bridges: ReadonlyMap<string, StoredBridge>
  /** Secrets the node returns on creation: they must never be printed */
  readonly tokens: { incoming: string; outgoing: string }
  stop(): Promise<void>
}

const BRIDGE_FIELDS = ['confirmations', 'minimumContractPayment', 'name', 'url', 'useConnectionManager']
const BRIDGE_NAME = /^[a-zA-Z0-9_-]+$/

const jsonApiError = (res: Response, status: number, detail: string) =>
  res.status(status).json({ errors: [{ detail }] })

const resource = (bridge: StoredBridge, outgoingToken: string, incomingToken?: string) => ({
  data: {
    type: 'bridges',
    id: bridge.name,
    attributes: {
      ...bridge,
      outgoingToken,
      ...(incomingToken ? { incomingToken } : {}),
      createdAt: new Date().toISOString(),
    },
  },
})

/** What BridgeTypeRequest binding accepts; undefined when the body is exactly that. */
const badBridgeBody = (body: Record<string, unknown>): string | undefined => {
  const keys = Object.keys(body).sort()
  if (keys.join() !== BRIDGE_FIELDS.join())
    return `expected exactly ${BRIDGE_FIELDS.join(', ')}; got ${keys.join(', ')}`
  if (typeof body['name'] !== 'string' || !BRIDGE_NAME.test(body['name']))
    return 'task type validation: name contains invalid characters'
  if (typeof body['url'] !== 'string' || !/^https?:\/\//.test(body['url'])) return 'url must be an http(s) URL'
  if (typeof body['confirmations'] !== 'number') return 'confirmations must be a number'
  if (typeof body['minimumContractPayment'] !== 'string' || !/^\d+$/.test(body['minimumContractPayment'])) {
    return 'minimumContractPayment must be a quoted decimal string'
  }
  if (typeof body['useConnectionManager'] !== 'boolean') return 'useConnectionManager must be a boolean'
  return undefined
}

export const startNodeOperatorApi = async (): Promise<NodeOperatorApi> => {
  const email = 'operator@example.com'
  const password = `pw-${randomBytes(8).toString('hex')}`
  const sessions = new Set<string>()
  const calls: OperatorCall[] = []
  const bridges = new Map<string, StoredBridge>()
  const tokens = {
    incoming: `in-${randomBytes(12).toString('hex')}`,
    outgoing: `out-${randomBytes(12).toString('hex')}`,
  }
  const newSession = () => {
    const id = randomBytes(16).toString('hex')
    sessions.add(id)
    return id
  }

  const app = express()
  app.use(express.json())
  app.use((req, _res, next) => {
    calls.push({ method: req.method, path: req.path, cookie: req.get('cookie'), body: req.body })
    next()
  })
  app.post('/sessions', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>
    if (Object.keys(body).sort().join() !== 'email,password') return jsonApiError(res, 400, 'error binding json')
    if (body['email'] !== email || body['password'] !== password)
      return jsonApiError(res, 401, 'Invalid email or password')
    res.cookie('clsession', newSession(), { httpOnly: true, path: '/' })
    res.json({ data: { type: 'session', id: 'sessionID', attributes: { authenticated: true } } })
  })
  const authenticated = (req: Request, res: Response, next: NextFunction) => {
    const cookie = (req.get('cookie') ?? '').split(';').map((c) => c.trim().split('='))
    const session = cookie.find(([name]) => name === 'clsession')?.[1]
    if (!session || !sessions.has(session)) return jsonApiError(res, 401, 'Unauthorized')
    next()
  }
  app.get('/v2/bridge_types/:name', authenticated, (req, res) => {
    const bridge = bridges.get(req.params['name'] as string)
    if (!bridge) return jsonApiError(res, 404, 'bridge not found')
    res.json(resource(bridge, tokens.outgoing))
  })
  app.post('/v2/bridge_types', authenticated, (req, res) => {
    const body = req.body as Record<string, unknown>
    const bad = badBridgeBody(body)
    if (bad) return jsonApiError(res, 422, bad)
    const bridge = body as unknown as StoredBridge
    if (bridges.has(bridge.name)) return jsonApiError(res, 400, `Bridge Type ${bridge.name} already exists`)
    bridges.set(bridge.name, bridge)
    res.json(resource(bridge, tokens.outgoing, tokens.incoming))
  })
  app.patch('/v2/bridge_types/:name', authenticated, (req, res) => {
    const name = req.params['name'] as string
    if (!bridges.has(name)) return jsonApiError(res, 404, 'bridge not found')
    const bad = badBridgeBody(req.body as Record<string, unknown>)
    if (bad) return jsonApiError(res, 422, bad)
    const bridge = { ...(req.body as StoredBridge), name }
    bridges.set(name, bridge)
    res.json(resource(bridge, tokens.outgoing))
  })

  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    email,
    password,
    sessionCookie: newSession,
    calls,
    bridges,
    tokens,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}
