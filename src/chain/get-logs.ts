import { RpcError } from './rpc'
import type { ChainRpc } from './failover'

/** A log as eth_getLogs returns it (quantities in hex). */
export interface RawLog {
  address: string
  topics: string[]
  data: string
  blockNumber: string
  blockHash: string
  transactionHash: string
  transactionIndex: string
  logIndex: string
  /** The block's timestamp (hex), from nodes that follow the 2024 JSON-RPC spec (anvil, geth, reth, erigon) */
  blockTimestamp?: string
  removed?: boolean
}

export interface LogQuery {
  address: string[]
  topics: [string[]]
}

/**
 * How providers say "ask for less": Infura/geth "query returned more than 10000
 * results", Alchemy "Log response size exceeded", QuickNode "limited to a 10,000
 * range", BSC/Polygon "exceed maximum block range", Ankr "block range is too wide",
 * Nethermind/Erigon timeouts on huge ranges.
 */
const REFUSAL =
  /more than [\d,]+ results|response size (exceeded|is larger)|limited to (a )?[\d,]+|block range|range (is )?too (large|wide|big)|too many (logs|results|blocks)|query timeout|timed? ?out|exceed(s|ed)? max/i

export const isRangeRefusal = (err: unknown): err is RpcError => err instanceof RpcError && REFUSAL.test(err.rpcMessage)

const hex = (n: number) => `0x${n.toString(16)}`

/** Successes in a row at one range size before it may double again, once the provider has refused a range */
const STEADY_SUCCESSES = 4

/**
 * eth_getLogs over block ranges that adapt: halved when the provider refuses the
 * range (too many results, range too large) or returns more than `targetLogs`,
 * doubled back (up to `maxBlocks`) after a few comfortable answers in a row.
 */
export interface LogRangeReader {
  /** Logs of [from, to'] for the largest to' <= to the current range size allows */
  read(from: number, to: number): Promise<{ logs: RawLog[]; to: number }>
  readonly rangeSize: number
}

export const createLogRangeReader = (
  rpc: ChainRpc,
  query: LogQuery,
  options: { maxBlocks: number; targetLogs: number; onRefusal?: (size: number, err: RpcError) => void },
): LogRangeReader => {
  // Density is unknown until the first answer: start at one block, so the first answer is as small as can be.
  let size = 1
  let steady = 0
  let refused = false
  return {
    get rangeSize() {
      return size
    },
    read: async (from, to) => {
      for (;;) {
        const end = Math.min(to, from + size - 1)
        let logs: RawLog[]
        try {
          logs = await rpc.request<RawLog[]>(
            'eth_getLogs',
            [{ fromBlock: hex(from), toBlock: hex(end), address: query.address, topics: query.topics }],
            { minBlock: end },
          )
        } catch (err) {
          const requested = end - from + 1
          if (!isRangeRefusal(err)) {
            // No answer at all may also be a range too big to answer in time: retry smaller.
            if (!(err instanceof RpcError)) size = Math.max(1, Math.floor(requested / 2))
            throw err
          }
          if (end === from) throw err
          options.onRefusal?.(requested, err)
          size = Math.max(1, Math.floor(requested / 2))
          refused = true
          steady = 0
          continue
        }
        if (logs.length > options.targetLogs) {
          size = Math.max(1, Math.floor(size / 2))
          steady = 0
        } else if (
          end - from + 1 === size &&
          logs.length < options.targetLogs / 2 &&
          ++steady >= (refused ? STEADY_SUCCESSES : 1)
        ) {
          size = Math.min(options.maxBlocks, size * 2)
          steady = 0
        }
        return { logs, to: end }
      }
    },
  }
}
