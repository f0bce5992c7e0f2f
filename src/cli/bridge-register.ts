import { redactUrl } from '../redact'
import { BifrostError } from '../errors'

/** The node's operator API refused or failed a step; the message says which step and what the node answered. */
export class BridgeRegisterError extends BifrostError {
  static override readonly code = 'BIFROST_BRIDGE_REGISTER_FAILED'
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** How to act as the node's operator: log in, or reuse a session cookie. */
export type NodeCredentials = { email: string; password: string } | { cookie: string }

export interface BridgeRegistration {
  /** The node's operator API, e.g. http://chainlink:6688 */
  node: string
  credentials: NodeCredentials
  /** The bridge's name on the node (what job specs put in `name=`) */
  name: string
  /** Where the node reaches Bifrost */
  url: string
  /** Turn the node's connection manager on: the node keeps a gRPC stream to the streaming bridge */
  streaming: boolean
  /** Change an existing bridge of that name whose URL or streaming flag differ */
  update: boolean
  signal?: AbortSignal
}

export type RegisterOutcome =
  | { action: 'created' | 'updated' | 'unchanged' }
  /** A bridge of that name exists with another URL or flag, left alone (no --update) */
  | { action: 'differs'; currentUrl: string; currentStreaming: boolean }

/** The session cookie the node's operator API sets on `POST /sessions` */
export const SESSION_COOKIE = 'clsession'

interface BridgeResource {
  data?: { attributes?: { url?: string; useConnectionManager?: boolean } }
}

const TIMEOUT_MS = 15_000

/** What the node said went wrong: its JSON:API `errors[].detail`, or the start of the body. */
const detailOf = (text: string): string => {
  try {
    const body = JSON.parse(text) as { errors?: Array<{ detail?: string }> }
    const details = (body.errors ?? []).map((e) => e.detail).filter(Boolean)
    if (details.length > 0) return details.join('; ')
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 200)
}

/** `clsession=<value>` from a Set-Cookie header list, or from what the operator passed (with or without the name). */
const sessionCookie = (value: string): string => {
  const pair = value.split(';')[0].trim()
  return pair.startsWith(`${SESSION_COOKIE}=`) ? pair : `${SESSION_COOKIE}=${pair}`
}

const sameUrl = (a: string, b: string): boolean => a.replace(/\/+$/, '') === b.replace(/\/+$/, '')

/**
 * Registers Bifrost as a bridge through the node's operator API: `POST /sessions`
 * (unless a cookie is given), then `GET /v2/bridge_types/<name>` and `POST` or
 * `PATCH` as needed. Idempotent: a bridge with the same URL and flag is left
 * alone. Neither the password nor the tokens the node returns go into any message.
 */
export const registerBridge = async (options: BridgeRegistration): Promise<RegisterOutcome> => {
  const node = options.node.replace(/\/+$/, '')
  const where = redactUrl(node)
  const signal = options.signal ?? AbortSignal.timeout(TIMEOUT_MS)

  const call = async (step: string, method: string, path: string, body?: unknown, cookie?: string) => {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (cookie) headers['cookie'] = cookie
    try {
      const res = await fetch(`${node}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        redirect: 'manual',
      })
      return { status: res.status, text: await res.text(), setCookie: res.headers.getSetCookie() }
    } catch (cause) {
      throw new BridgeRegisterError(
        `${step}: cannot reach the node at ${where}: ${(cause as Error).message}`,
        undefined,
        {
          cause,
        },
      )
    }
  }

  const login = async (): Promise<string> => {
    if ('cookie' in options.credentials) return sessionCookie(options.credentials.cookie)
    const { email, password } = options.credentials
    const res = await call('log in', 'POST', '/sessions', { email, password })
    if (res.status !== 200) {
      throw new BridgeRegisterError(
        `log in: the node at ${where} refused ${email} (HTTP ${res.status}: ${detailOf(res.text)})`,
        res.status,
      )
    }
    const cookie = res.setCookie.find((c) => c.startsWith(`${SESSION_COOKIE}=`))
    if (!cookie)
      throw new BridgeRegisterError(`log in: the node at ${where} set no ${SESSION_COOKIE} cookie`, res.status)
    return sessionCookie(cookie)
  }

  const cookie = await login()
  const body = {
    name: options.name,
    url: options.url,
    confirmations: 0,
    // The node reads a LINK amount from a quoted decimal string
    minimumContractPayment: '0',
    useConnectionManager: options.streaming,
  }
  const refused = (step: string, res: { status: number; text: string }) =>
    new BridgeRegisterError(
      `${step}: the node at ${where} answered HTTP ${res.status}: ${detailOf(res.text)}${
        res.status === 401 ? ' (log in again: the session cookie is not valid)' : ''
      }`,
      res.status,
    )

  const path = `/v2/bridge_types/${encodeURIComponent(options.name)}`
  const existing = await call(`read bridge ${options.name}`, 'GET', path, undefined, cookie)
  if (existing.status === 404) {
    const created = await call(`create bridge ${options.name}`, 'POST', '/v2/bridge_types', body, cookie)
    if (created.status !== 200 && created.status !== 201) throw refused(`create bridge ${options.name}`, created)
    return { action: 'created' }
  }
  if (existing.status !== 200) throw refused(`read bridge ${options.name}`, existing)
  let current: NonNullable<NonNullable<BridgeResource['data']>['attributes']>
  try {
    current = (JSON.parse(existing.text) as BridgeResource).data?.attributes ?? {}
  } catch (cause) {
    throw new BridgeRegisterError(`read bridge ${options.name}: the node at ${where} answered no JSON`, 200, { cause })
  }
  const currentUrl = current.url ?? ''
  const currentStreaming = current.useConnectionManager === true
  if (sameUrl(currentUrl, options.url) && currentStreaming === options.streaming) return { action: 'unchanged' }
  if (!options.update) return { action: 'differs', currentUrl, currentStreaming }
  const updated = await call(`update bridge ${options.name}`, 'PATCH', path, body, cookie)
  if (updated.status !== 200) throw refused(`update bridge ${options.name}`, updated)
  return { action: 'updated' }
}
