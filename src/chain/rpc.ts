import { BifrostError } from '../errors'
import { redactUrl, scrubUrl } from '../redact'

/**
 * The node answered, with a JSON-RPC error: the request reached it and it refused. `endpoint` is the URL as it may be
 * shown (scheme and host: RPC URLs carry API keys).
 */
export class RpcError extends BifrostError {
  static override readonly code = 'BIFROST_RPC_REFUSED'
  constructor(
    readonly endpoint: string,
    readonly method: string,
    /** The JSON-RPC error code the node gave (`code` is the catalogue's) */
    readonly rpcCode: number,
    readonly rpcMessage: string,
    readonly data?: unknown,
    /** The HTTP status the error came with (providers send rate limits as 429 with a JSON-RPC error inside) */
    readonly httpStatus = 200,
  ) {
    super(
      `${method} on ${endpoint} failed: ${rpcMessage} (code ${rpcCode}${httpStatus !== 200 ? `, HTTP ${httpStatus}` : ''})`,
    )
  }
}

/** No usable answer at all: connection refused, timeout, HTTP error status, or a body that is not JSON-RPC. */
export class RpcTransportError extends BifrostError {
  static override readonly code = 'BIFROST_RPC_UNREACHABLE'
  constructor(
    readonly endpoint: string,
    readonly method: string,
    message: string,
    options?: { cause?: unknown; httpStatus?: number },
  ) {
    super(`${method} on ${endpoint}: ${message}`, options)
    this.httpStatus = options?.httpStatus
  }
  /** Set when the endpoint answered with an HTTP error status and no JSON-RPC body */
  readonly httpStatus?: number
}

export interface RpcCall {
  method: string
  params: unknown[]
}

/** One JSON-RPC endpoint over HTTP. */
export interface RpcClient {
  readonly url: string
  /** The URL as it may appear in logs, errors and metrics: scheme and host only */
  readonly label: string
  request<T>(method: string, params: unknown[]): Promise<T>
  /** One HTTP round trip for many calls; results in call order. Any error fails the whole batch. */
  batch<T>(calls: RpcCall[]): Promise<T[]>
}

interface JsonRpcResponse {
  id?: number
  result?: unknown
  error?: { code: number; message: string; data?: unknown }
}

/** How much of an answer that is not JSON-RPC is quoted in the error */
const QUOTE_CHARS = 200

/**
 * Node's fetch, not ethers' transport: ethers' Node HTTP path is ~10x slower on
 * the multi-megabyte eth_getLogs answers of a backfill. Nothing is cached: every
 * answer is the chain as the node sees it now (ethers' 250 ms cache once served a
 * receipt a reorg had removed). Whatever an error quotes (a cause, the answer) is
 * scrubbed of the URL's secret parts: providers echo the key in their errors.
 */
export const createRpcClient = (url: string, options: { timeoutMs: number; signal?: AbortSignal }): RpcClient => {
  const label = redactUrl(url)
  const scrub = (text: string) => scrubUrl(text, url)
  const { target, headers } = withBasicAuth(url)
  let nextId = 1
  const post = async (method: string, body: unknown): Promise<{ answer: unknown; status: number }> => {
    let text: string
    let status: number
    try {
      const res = await fetch(target, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        // Stopping cuts a call short instead of waiting out its timeout
        signal: options.signal
          ? AbortSignal.any([AbortSignal.timeout(options.timeoutMs), options.signal])
          : AbortSignal.timeout(options.timeoutMs),
      })
      status = res.status
      text = await res.text()
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : describe(err)
      throw new RpcTransportError(label, method, scrub(reason), { cause: scrubbedCause(err, scrub) })
    }
    const start = text.trimStart()[0]
    // Providers refuse oversized queries (and rate-limit) with JSON-RPC errors inside non-2xx answers too.
    if (status >= 300 && start !== '{' && start !== '[') {
      throw new RpcTransportError(label, method, `HTTP ${status} ${scrub(text.slice(0, QUOTE_CHARS))}`, {
        httpStatus: status,
      })
    }
    try {
      return { answer: JSON.parse(text), status }
    } catch {
      throw new RpcTransportError(label, method, `answer is not JSON: ${scrub(text.slice(0, QUOTE_CHARS))}`, {
        httpStatus: status,
      })
    }
  }
  const unwrap = <T>(method: string, answer: unknown, status: number): T => {
    if (!answer || typeof answer !== 'object' || Array.isArray(answer)) {
      throw new RpcTransportError(label, method, 'answer is not a JSON-RPC response', { httpStatus: status })
    }
    const { error, result } = answer as JsonRpcResponse
    if (error !== undefined && error !== null) {
      const code = typeof error === 'object' && Number.isInteger(error.code) ? error.code : 0
      const message = typeof error === 'object' && typeof error.message === 'string' ? error.message : String(error)
      throw new RpcError(label, method, code, scrub(message.slice(0, QUOTE_CHARS * 5)), error.data, status)
    }
    if (!('result' in answer)) {
      throw new RpcTransportError(label, method, 'answer has neither result nor error', { httpStatus: status })
    }
    return result as T
  }
  return {
    url,
    label,
    request: async <T>(method: string, params: unknown[]): Promise<T> => {
      const { answer, status } = await post(method, { jsonrpc: '2.0', id: nextId++, method, params })
      return unwrap<T>(method, answer, status)
    },
    batch: async <T>(calls: RpcCall[]): Promise<T[]> => {
      if (calls.length === 0) return []
      const first = nextId
      nextId += calls.length
      const name = `batch of ${calls.length} ${calls[0].method}`
      const { answer, status } = await post(
        name,
        calls.map((c, i) => ({ jsonrpc: '2.0', id: first + i, method: c.method, params: c.params })),
      )
      if (!Array.isArray(answer)) {
        // A node that refuses the whole batch answers with one error object.
        unwrap(name, answer, status)
        throw new RpcTransportError(label, name, 'answer to a batch is not an array', { httpStatus: status })
      }
      const byId = new Map(
        answer.map((a: unknown) => [a && typeof a === 'object' ? (a as JsonRpcResponse).id : undefined, a]),
      )
      return calls.map((c, i) => unwrap<T>(c.method, byId.get(first + i), status))
    },
  }
}

/** fetch refuses URLs with credentials; providers that take them in the URL (user:key@host) get them as Basic auth. */
const withBasicAuth = (url: string): { target: string; headers: Record<string, string> } => {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { target: url, headers }
  }
  if (!parsed.username && !parsed.password) return { target: url, headers }
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`
  headers['authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`
  parsed.username = ''
  parsed.password = ''
  return { target: parsed.href, headers }
}

const describe = (err: unknown): string => {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause
  return cause?.code ?? cause?.message ?? (err as Error).message
}

/** fetch's own errors may name the URL they were fetching; what is kept as the cause must not. */
const scrubbedCause = (err: unknown, scrub: (text: string) => string): Error => {
  const cause = new Error(scrub((err as Error).message ?? String(err)))
  cause.name = (err as Error).name ?? 'Error'
  return cause
}
