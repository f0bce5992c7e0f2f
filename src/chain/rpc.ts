import { BifrostError } from '../errors'

/** The node answered, with a JSON-RPC error: the request reached it and it refused. */
export class RpcError extends BifrostError {
  constructor(
    readonly url: string,
    readonly method: string,
    readonly code: number,
    readonly rpcMessage: string,
    readonly data?: unknown,
  ) {
    super(`${method} on ${url} failed: ${rpcMessage} (code ${code})`)
  }
}

/** No usable answer at all: connection refused, timeout, HTTP error status, or a body that is not JSON-RPC. */
export class RpcTransportError extends BifrostError {
  constructor(readonly url: string, readonly method: string, message: string, options?: { cause?: unknown }) {
    super(`${method} on ${url}: ${message}`, options)
  }
}

export interface RpcCall {
  method: string
  params: unknown[]
}

/** One JSON-RPC endpoint over HTTP. */
export interface RpcClient {
  readonly url: string
  request<T>(method: string, params: unknown[]): Promise<T>
  /** One HTTP round trip for many calls; results in call order. Any error fails the whole batch. */
  batch<T>(calls: RpcCall[]): Promise<T[]>
}

interface JsonRpcResponse {
  id?: number
  result?: unknown
  error?: { code: number; message: string; data?: unknown }
}

/**
 * Node's fetch, not ethers' transport: ethers' Node HTTP path is ~10x slower on
 * the multi-megabyte eth_getLogs answers of a backfill. Nothing is cached: every
 * answer is the chain as the node sees it now (ethers' 250 ms cache once served a
 * receipt a reorg had removed).
 */
export const createRpcClient = (url: string, options: { timeoutMs: number; signal?: AbortSignal }): RpcClient => {
  let nextId = 1
  const post = async (label: string, body: unknown): Promise<unknown> => {
    let text: string
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        // Stopping cuts a call short instead of waiting out its timeout
        signal: options.signal
          ? AbortSignal.any([AbortSignal.timeout(options.timeoutMs), options.signal])
          : AbortSignal.timeout(options.timeoutMs),
      })
      text = await res.text()
      // Providers refuse oversized queries with JSON-RPC errors inside non-2xx answers too.
      if (!res.ok && !text.trimStart().startsWith('{') && !text.trimStart().startsWith('[')) {
        throw new RpcTransportError(url, label, `HTTP ${res.status} ${text.slice(0, 200)}`)
      }
    } catch (err) {
      if (err instanceof RpcTransportError) throw err
      const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : describe(err)
      throw new RpcTransportError(url, label, reason, { cause: err })
    }
    try {
      return JSON.parse(text)
    } catch (cause) {
      throw new RpcTransportError(url, label, `answer is not JSON: ${text.slice(0, 200)}`, { cause })
    }
  }
  const unwrap = <T>(method: string, answer: JsonRpcResponse | undefined): T => {
    if (!answer || typeof answer !== 'object')
      throw new RpcTransportError(url, method, 'answer is not a JSON-RPC response')
    if (answer.error) throw new RpcError(url, method, answer.error.code, answer.error.message, answer.error.data)
    if (!('result' in answer)) throw new RpcTransportError(url, method, 'answer has neither result nor error')
    return answer.result as T
  }
  return {
    url,
    request: async <T>(method: string, params: unknown[]): Promise<T> =>
      unwrap<T>(method, (await post(method, { jsonrpc: '2.0', id: nextId++, method, params })) as JsonRpcResponse),
    batch: async <T>(calls: RpcCall[]): Promise<T[]> => {
      if (calls.length === 0) return []
      const first = nextId
      nextId += calls.length
      const label = `batch of ${calls.length} ${calls[0].method}`
      const answer = await post(
        label,
        calls.map((c, i) => ({ jsonrpc: '2.0', id: first + i, method: c.method, params: c.params })),
      )
      if (!Array.isArray(answer)) {
        // A node that refuses the whole batch answers with one error object.
        unwrap(label, answer as JsonRpcResponse)
        throw new RpcTransportError(url, label, 'answer to a batch is not an array')
      }
      const byId = new Map((answer as JsonRpcResponse[]).map((a) => [a?.id, a]))
      return calls.map((c, i) => unwrap<T>(c.method, byId.get(first + i)))
    },
  }
}

const describe = (err: unknown): string => {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause
  return cause?.code ?? cause?.message ?? (err as Error).message
}
