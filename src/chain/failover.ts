import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { BifrostError } from '../errors'
import { createRpcClient, RpcTransportError, type RpcCall, type RpcClient } from './rpc'

const logger = makeLogger('ChainRpc')

const FIRST_BACKOFF_MS = 500
const MAX_BACKOFF_MS = 30_000

/** No endpoint can serve the request right now (all down, or none has the block yet). */
export class NoEndpointError extends BifrostError {}

export interface EndpointStatus {
  url: string
  head?: number
  alive: boolean
  lastError?: string
}

export interface RequestOptions {
  /** Only endpoints whose head has reached this block are asked */
  minBlock?: number
}

/**
 * A chain's RPC endpoints behind one interface. The first endpoint is preferred;
 * a dead one (no answer) is skipped and retried with backoff, and one whose head
 * is more than `maxLagBlocks` behind the best is skipped while others are ahead.
 * A request about block N only goes to endpoints that have seen N, so a lagging
 * endpoint answers "no such block" to nobody and can never look like a reorg.
 */
export interface ChainRpc {
  /** Asks every live endpoint for its head; resolves with the highest head an endpoint can serve now. */
  refreshHeads(): Promise<number>
  /** The highest head any endpoint ever reported: what "lagging" is measured against */
  readonly bestHead: number | undefined
  request<T>(method: string, params: unknown[], options?: RequestOptions): Promise<T>
  batch<T>(calls: RpcCall[], options?: RequestOptions): Promise<T[]>
  status(): EndpointStatus[]
}

interface Endpoint {
  client: RpcClient
  head?: number
  verified: boolean
  /** Date.now() until which the endpoint is not asked */
  deadUntil: number
  backoffMs: number
  lastError?: string
  /** A wrong chain id is a configuration error: never used again */
  wrongChain: boolean
  probing: boolean
}

export interface ChainRpcOptions {
  chainId: number
  timeoutMs: number
  /** Aborts every call in flight, and every one after (the chain stops) */
  signal?: AbortSignal
  maxLagBlocks: number
  /** For log lines */
  chainName: string
}

const hexNumber = (hex: string): number => Number.parseInt(hex, 16)

export const createChainRpc = (urls: string[], options: ChainRpcOptions): ChainRpc => {
  const endpoints: Endpoint[] = urls.map((url) => ({
    client: createRpcClient(url, { timeoutMs: options.timeoutMs, signal: options.signal }),
    verified: false,
    deadUntil: 0,
    backoffMs: FIRST_BACKOFF_MS,
    wrongChain: false,
    probing: false,
  }))
  let bestHead: number | undefined

  const markDead = (endpoint: Endpoint, err: unknown) => {
    const message = (err as Error).message
    if (Date.now() >= endpoint.deadUntil) {
      logger.warn(`${options.chainName}: skipping ${endpoint.client.url} for ${endpoint.backoffMs} ms: ${message}`)
    }
    endpoint.lastError = message
    endpoint.deadUntil = Date.now() + endpoint.backoffMs
    endpoint.backoffMs = Math.min(endpoint.backoffMs * 2, MAX_BACKOFF_MS)
  }

  const markAlive = (endpoint: Endpoint) => {
    if (endpoint.lastError && endpoint.backoffMs > FIRST_BACKOFF_MS) {
      logger.info(`${options.chainName}: ${endpoint.client.url} answers again`)
    }
    endpoint.backoffMs = FIRST_BACKOFF_MS
    endpoint.deadUntil = 0
    endpoint.lastError = undefined
  }

  const isLive = (e: Endpoint) => !e.wrongChain && Date.now() >= e.deadUntil
  /** Live and not waiting for its first answer after a failure */
  const isUsable = (e: Endpoint) => isLive(e) && e.lastError === undefined && e.head !== undefined

  /** eth_blockNumber, preceded on first contact by a chain id check in the same round trip. */
  const probe = async (endpoint: Endpoint): Promise<void> => {
    try {
      let head: string
      if (endpoint.verified) head = await endpoint.client.request<string>('eth_blockNumber', [])
      else {
        const [chainId, latest] = await endpoint.client.batch<string>([
          { method: 'eth_chainId', params: [] },
          { method: 'eth_blockNumber', params: [] },
        ])
        if (hexNumber(chainId) !== options.chainId) {
          endpoint.wrongChain = true
          endpoint.lastError = `serves chain ${hexNumber(chainId)}, not ${options.chainId}`
          logger.error(`${options.chainName}: ${endpoint.client.url} ${endpoint.lastError}; it will not be used`)
          return
        }
        endpoint.verified = true
        head = latest
      }
      endpoint.head = hexNumber(head)
      markAlive(endpoint)
    } catch (err) {
      markDead(endpoint, err)
    }
  }

  const candidates = (minBlock: number | undefined): Endpoint[] => {
    const live = endpoints.filter((e) => isUsable(e) && (minBlock === undefined || (e.head as number) >= minBlock))
    const best = bestHead ?? 0
    const current = live.filter((e) => (e.head as number) >= best - options.maxLagBlocks)
    // Lagging endpoints that have the block come last: better than nothing.
    return [...current, ...live.filter((e) => !current.includes(e))]
  }

  const attempt = async <T>(
    label: string,
    call: (client: RpcClient) => Promise<T>,
    opts: RequestOptions = {},
  ): Promise<T> => {
    const tried = candidates(opts.minBlock)
    if (tried.length === 0) {
      throw new NoEndpointError(
        opts.minBlock !== undefined && endpoints.some(isUsable)
          ? `${options.chainName}: no endpoint has reached block ${opts.minBlock} yet (${label})`
          : `${options.chainName}: every RPC endpoint is down (${label}): ${endpoints
              .map((e) => `${e.client.url}: ${e.lastError ?? 'no head yet'}`)
              .join('; ')}`,
      )
    }
    let lastError: unknown
    for (const endpoint of tried) {
      try {
        const result = await call(endpoint.client)
        markAlive(endpoint)
        return result
      } catch (err) {
        if (!(err instanceof RpcTransportError)) throw err
        markDead(endpoint, err)
        lastError = err
      }
    }
    throw new NoEndpointError(`${options.chainName}: no endpoint answered ${label}`, { cause: lastError })
  }

  return {
    get bestHead() {
      return bestHead
    },
    refreshHeads: async () => {
      const due = endpoints.filter((e) => isLive(e) && !e.probing)
      // Endpoints coming back from backoff are probed without holding up the poll:
      // a dead endpoint that times out must not slow every head refresh.
      const recovering = due.filter((e) => e.lastError !== undefined)
      for (const endpoint of recovering) {
        endpoint.probing = true
        void probe(endpoint).finally(() => (endpoint.probing = false))
      }
      await Promise.all(due.filter((e) => !recovering.includes(e)).map(probe))
      const heads = endpoints.filter(isUsable).map((e) => e.head as number)
      if (heads.length === 0) {
        throw new NoEndpointError(
          `${options.chainName}: every RPC endpoint is down: ${endpoints
            .map((e) => `${e.client.url}: ${e.lastError ?? 'probing'}`)
            .join('; ')}`,
        )
      }
      const head = Math.max(...heads)
      bestHead = Math.max(bestHead ?? 0, head)
      return head
    },
    request: <T>(method: string, params: unknown[], opts?: RequestOptions) =>
      attempt(method, (client) => client.request<T>(method, params), opts),
    batch: <T>(calls: RpcCall[], opts?: RequestOptions) =>
      attempt(`batch of ${calls.length} ${calls[0]?.method}`, (client) => client.batch<T>(calls), opts),
    status: () =>
      endpoints.map((e) => ({ url: e.client.url, head: e.head, alive: isUsable(e), lastError: e.lastError })),
  }
}
