import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { BifrostError } from '../errors'
import { createBackoff, type Backoff } from '../retry'
import { checkQuantity, type AnswerCheck, type AnswerProblemCode } from './answers'
import { classifyRpcFailure, type RpcFailure } from './provider-errors'
import { createRpcClient, type RpcCall, type RpcClient } from './rpc'

const logger = makeLogger('ChainRpc')

const FIRST_BACKOFF_MS = 500
const MAX_BACKOFF_MS = 30_000

/** No endpoint can serve the request right now (all down, or none has the block yet). */
export class NoEndpointError extends BifrostError {
  static override readonly code = 'BIFROST_RPC_NO_ENDPOINT'
}

/** An endpoint answered, but not with what the method returns (a non-hex block number, a block without a hash). */
export class MalformedAnswerError extends BifrostError {
  static override readonly code = 'BIFROST_RPC_MALFORMED_ANSWER'
  constructor(
    readonly endpoint: string,
    readonly method: string,
    readonly problem: AnswerProblemCode,
    readonly reason: string,
  ) {
    super(`${method} on ${endpoint} answered something malformed (${problem}): ${reason}`)
  }
}

export interface EndpointStatus {
  /** Scheme and host only: the rest of an RPC URL may hold its API key */
  url: string
  head?: number
  alive: boolean
  lastError?: string
}

export interface RequestOptions<T> {
  /** Only endpoints whose head has reached this block are asked */
  minBlock?: number
  /** Checks the result (each result, for a batch) before it is used; a failed check skips the endpoint */
  check?: AnswerCheck<T>
}

/**
 * A chain's RPC endpoints behind one interface. The first endpoint is preferred. Each failure is classified
 * (provider-errors.ts): an endpoint that does not answer, is rate limited, cannot serve the method or answers
 * something malformed is skipped and retried with backoff; one that lacks a block its head claims is treated as
 * lagging; one whose head is more than `maxLagBlocks` behind the best is skipped while others are ahead. A request
 * about block N only goes to endpoints that have seen N, so a lagging endpoint answers "no such block" to nobody and
 * can never look like a reorg. Errors and logs name endpoints by scheme and host only.
 */
export interface ChainRpc {
  /** Asks every live endpoint for its head; resolves with the highest head an endpoint can serve now. */
  refreshHeads(): Promise<number>
  /** The highest head any endpoint ever reported: what "lagging" is measured against */
  readonly bestHead: number | undefined
  request<T>(method: string, params: unknown[], options?: RequestOptions<T>): Promise<T>
  batch<T>(calls: RpcCall[], options?: RequestOptions<T>): Promise<T[]>
  status(): EndpointStatus[]
}

interface Endpoint {
  client: RpcClient
  head?: number
  verified: boolean
  /** Date.now() until which the endpoint is not asked */
  deadUntil: number
  backoff: Backoff
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

/** What the skipped endpoint is told in the log line */
const SKIP_REASON: Partial<Record<RpcFailure | 'malformed', string>> = {
  'rate-limited': 'rate limited',
  unsupported: 'does not serve the method',
  malformed: 'malformed answer',
}

const checked = <T>(endpoint: string, method: string, raw: unknown, check: AnswerCheck<T>): T => {
  const result = check(raw)
  if (!result.ok) throw new MalformedAnswerError(endpoint, method, result.code, result.reason)
  return result.value
}

export const createChainRpc = (urls: string[], options: ChainRpcOptions): ChainRpc => {
  const endpoints: Endpoint[] = urls.map((url) => ({
    client: createRpcClient(url, { timeoutMs: options.timeoutMs, signal: options.signal }),
    verified: false,
    deadUntil: 0,
    backoff: createBackoff({ initialMs: FIRST_BACKOFF_MS, maxMs: MAX_BACKOFF_MS }),
    wrongChain: false,
    probing: false,
  }))
  let bestHead: number | undefined

  const markDead = (endpoint: Endpoint, err: unknown, why?: string) => {
    const message = (err as Error).message
    if (Date.now() >= endpoint.deadUntil) {
      logger.warn(
        `${options.chainName}: skipping ${endpoint.client.label} for ${endpoint.backoff.peek()} ms${
          why ? ` (${why})` : ''
        }: ${message}`,
      )
    }
    endpoint.lastError = message
    endpoint.deadUntil = Date.now() + endpoint.backoff.next()
  }

  const markAlive = (endpoint: Endpoint) => {
    if (endpoint.lastError && endpoint.backoff.backingOff) {
      logger.info(`${options.chainName}: ${endpoint.client.label} answers again`)
    }
    endpoint.backoff.reset()
    endpoint.deadUntil = 0
    endpoint.lastError = undefined
  }

  const isLive = (e: Endpoint) => !e.wrongChain && Date.now() >= e.deadUntil
  /** Live and not waiting for its first answer after a failure */
  const isUsable = (e: Endpoint) => isLive(e) && e.lastError === undefined && e.head !== undefined

  /** eth_blockNumber, preceded on first contact by a chain id check in the same round trip. */
  const probe = async (endpoint: Endpoint): Promise<void> => {
    try {
      let head: number
      if (endpoint.verified) {
        head = checked(
          endpoint.client.label,
          'eth_blockNumber',
          await endpoint.client.request('eth_blockNumber', []),
          checkQuantity,
        )
      } else {
        const [chainIdAnswer, latest] = await endpoint.client.batch<unknown>([
          { method: 'eth_chainId', params: [] },
          { method: 'eth_blockNumber', params: [] },
        ])
        const chainId = checked(endpoint.client.label, 'eth_chainId', chainIdAnswer, checkQuantity)
        head = checked(endpoint.client.label, 'eth_blockNumber', latest, checkQuantity)
        if (chainId !== options.chainId) {
          endpoint.wrongChain = true
          endpoint.lastError = `serves chain ${chainId}, not ${options.chainId}`
          logger.error(`${options.chainName}: ${endpoint.client.label} ${endpoint.lastError}; it will not be used`)
          return
        }
        endpoint.verified = true
      }
      endpoint.head = head
      markAlive(endpoint)
    } catch (err) {
      markDead(
        endpoint,
        err,
        err instanceof MalformedAnswerError ? SKIP_REASON.malformed : SKIP_REASON[classifyRpcFailure(err)],
      )
    }
  }

  const candidates = (minBlock: number | undefined): Endpoint[] => {
    const live = endpoints.filter((e) => isUsable(e) && (minBlock === undefined || (e.head as number) >= minBlock))
    const best = bestHead ?? 0
    const current = live.filter((e) => (e.head as number) >= best - options.maxLagBlocks)
    // Lagging endpoints that have the block come last: better than nothing.
    return [...current, ...live.filter((e) => !current.includes(e))]
  }

  const downList = (fallback: string) =>
    endpoints.map((e) => `${e.client.label}: ${e.lastError ?? fallback}`).join('; ')

  const attempt = async <T>(
    label: string,
    call: (client: RpcClient) => Promise<T>,
    opts: { minBlock?: number } = {},
  ): Promise<T> => {
    const tried = candidates(opts.minBlock)
    if (tried.length === 0) {
      throw new NoEndpointError(
        opts.minBlock !== undefined && endpoints.some(isUsable)
          ? `${options.chainName}: no endpoint has reached block ${opts.minBlock} yet (${label})`
          : `${options.chainName}: every RPC endpoint is down (${label}): ${downList('no head yet')}`,
      )
    }
    let lastError: unknown
    for (const endpoint of tried) {
      try {
        const result = await call(endpoint.client)
        markAlive(endpoint)
        return result
      } catch (err) {
        const failure = err instanceof MalformedAnswerError ? 'malformed' : classifyRpcFailure(err)
        if (failure === 'refused' || failure === 'range-refused') throw err
        lastError = err
        if (failure === 'behind') {
          // Its head claims the block, its answer says otherwise: it is behind until its next head says more.
          if (opts.minBlock !== undefined) endpoint.head = Math.min(endpoint.head as number, opts.minBlock - 1)
          logger.debug(`${options.chainName}: ${endpoint.client.label} lacks what ${label} asks; asking the next`)
          continue
        }
        markDead(endpoint, err, SKIP_REASON[failure])
      }
    }
    throw new NoEndpointError(`${options.chainName}: no endpoint answered ${label}: ${(lastError as Error).message}`, {
      cause: lastError,
    })
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
        throw new NoEndpointError(`${options.chainName}: every RPC endpoint is down: ${downList('probing')}`)
      }
      const head = Math.max(...heads)
      bestHead = Math.max(bestHead ?? 0, head)
      return head
    },
    request: <T>(method: string, params: unknown[], opts: RequestOptions<T> = {}) =>
      attempt(
        method,
        async (client) => {
          const raw = await client.request<T>(method, params)
          return opts.check ? checked(client.label, method, raw, opts.check) : raw
        },
        opts,
      ),
    batch: <T>(calls: RpcCall[], opts: RequestOptions<T> = {}) =>
      attempt(
        `batch of ${calls.length} ${calls[0]?.method}`,
        async (client) => {
          const raw = await client.batch<T>(calls)
          const check = opts.check
          return check ? raw.map((r, i) => checked(client.label, calls[i].method, r, check)) : raw
        },
        opts,
      ),
    status: () =>
      endpoints.map((e) => ({ url: e.client.label, head: e.head, alive: isUsable(e), lastError: e.lastError })),
  }
}
