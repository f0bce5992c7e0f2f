import { checkLogs, type CheckedLog } from './answers'
import type { ChainRpc } from './failover'
import { isRangeRefusal } from './provider-errors'
import { RpcError } from './rpc'

/** A log as eth_getLogs returns it (quantities in hex), checked field by field; hashes in lower case. */
export type RawLog = CheckedLog

/** Why a well-formed log of an answer is not used */
export type DroppedLogReason = 'duplicate' | 'out-of-range' | 'wrong-block' | 'removed'

export type OnDroppedLogs = (reason: DroppedLogReason, count: number) => void

/**
 * The logs of an answer that belong to the question: inside [from, to], of `blockHash` when the question named one,
 * not flagged removed, and each (block hash, log index) once. Providers have answered with duplicates, with logs
 * around the range asked and with logs of another block than the one asked; publishing those would double events or
 * publish ones that were never canonical, so they are dropped and counted, and the rest is used.
 */
export const screenLogs = (
  logs: RawLog[],
  expected: { from: number; to: number; blockHash?: string },
  onDropped?: OnDroppedLogs,
): RawLog[] => {
  const seen = new Set<string>()
  const dropped = new Map<DroppedLogReason, number>()
  const kept = logs.filter((log) => {
    const number = Number.parseInt(log.blockNumber, 16)
    const id = `${log.blockHash}:${Number.parseInt(log.logIndex, 16)}`
    let reason: DroppedLogReason | undefined
    if (number < expected.from || number > expected.to) reason = 'out-of-range'
    else if (expected.blockHash !== undefined && log.blockHash !== expected.blockHash) reason = 'wrong-block'
    else if (log.removed === true) reason = 'removed'
    else if (seen.has(id)) reason = 'duplicate'
    if (!reason) seen.add(id)
    else dropped.set(reason, (dropped.get(reason) ?? 0) + 1)
    return !reason
  })
  for (const [reason, count] of dropped) onDropped?.(reason, count)
  return kept
}

export interface LogQuery {
  address: string[]
  topics: [string[]]
}

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
  options: {
    maxBlocks: number
    targetLogs: number
    onRefusal?: (size: number, err: RpcError) => void
    onDropped?: OnDroppedLogs
  },
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
          const answer = await rpc.request(
            'eth_getLogs',
            [{ fromBlock: hex(from), toBlock: hex(end), address: query.address, topics: query.topics }],
            { minBlock: end, check: checkLogs },
          )
          logs = screenLogs(answer, { from, to: end }, options.onDropped)
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
