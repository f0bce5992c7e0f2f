import { BifrostError } from '../errors'
import { checkHeader, type CheckedHeader } from './answers'
import type { ChainRpc } from './failover'

/** A block's place in the chain; hashes in lower case. */
export type BlockHeader = CheckedHeader

/** The chain changed below the oldest block still tracked: nothing reliable can be said about what left it. */
export class ReorgTooDeepError extends BifrostError {
  static override readonly code = 'BIFROST_REORG_TOO_DEEP'
}

/** An endpoint answered with a chain that does not hang together (it moved between two requests); ask again. */
export class ChainMovedError extends BifrostError {
  static override readonly code = 'BIFROST_CHAIN_MOVED'
}

export interface Reorg {
  /** Highest block both the old and the new canonical chain share */
  forkPoint: number
  /** Blocks of the old chain that left it */
  depth: number
}

export interface TrackerUpdate {
  /** The head advanced (or was replaced) */
  advanced: boolean
  reorg?: Reorg
}

/**
 * The recent canonical chain: number -> hash for the last `depth` blocks, kept
 * linked by parent hashes. A new block whose parent is not the tracked block
 * below it means a reorg, found by walking parent hashes back to a block we
 * hold (never from `removed: true` logs, which nodes deliver unreliably or not
 * at all). A head lower than ours is a lagging endpoint, not a reorg: ignored.
 */
export interface BlockTracker {
  readonly head: BlockHeader | undefined
  /** Lowest block number still tracked */
  readonly base: number
  /** Canonical hash of block `number`, when it is tracked */
  hashAt(number: number): string | undefined
  /** Timestamp (Unix seconds) of block `number`, when it is tracked */
  timestampAt(number: number): number | undefined
  update(): Promise<TrackerUpdate>
}

/** Headers fetched per round trip while catching up */
const MAX_HEADERS_PER_BATCH = 100

const hex = (n: number) => `0x${n.toString(16)}`

export const createBlockTracker = (rpc: ChainRpc, options: { depth: number }): BlockTracker => {
  const window = new Map<number, BlockHeader>()
  let head: BlockHeader | undefined
  let base = 0

  const fetchRange = async (from: number, to: number): Promise<BlockHeader[]> => {
    const blocks = await rpc.batch(
      Array.from({ length: to - from + 1 }, (_, i) => ({
        method: 'eth_getBlockByNumber',
        params: [hex(from + i), false],
      })),
      { minBlock: to, check: checkHeader },
    )
    const headers: BlockHeader[] = []
    for (const header of blocks) {
      const expected = from + headers.length
      // The endpoint reported this height a moment ago; it lost it since (a reorg to a
      // shorter chain, or a load balancer hopping between nodes): try again later.
      if (!header) throw new ChainMovedError(`block ${expected} vanished from the endpoint`)
      if (header.number !== expected) {
        throw new ChainMovedError(`asked for block ${expected}, the endpoint answered block ${header.number}`)
      }
      const previous = headers[headers.length - 1]
      if (previous && header.parentHash !== previous.hash) {
        throw new ChainMovedError(
          `blocks ${previous.number} and ${header.number} do not link: the chain moved mid-request`,
        )
      }
      headers.push(header)
    }
    return headers
  }

  const byHash = async (hash: string, minBlock: number): Promise<BlockHeader> => {
    const header = await rpc.request('eth_getBlockByHash', [hash, false], { minBlock, check: checkHeader })
    if (!header) throw new ChainMovedError(`block ${hash} vanished from the endpoint`)
    if (header.hash !== hash) throw new ChainMovedError(`asked for block ${hash}, the endpoint answered ${header.hash}`)
    return header
  }

  const append = (headers: BlockHeader[]) => {
    for (const header of headers) window.set(header.number, header)
    head = headers[headers.length - 1] ?? head
    if (!head) return
    const keepFrom = Math.max(0, head.number - options.depth + 1)
    for (let n = base; n < keepFrom; n++) window.delete(n)
    base = Math.max(base, keepFrom)
  }

  /** Walks the new chain's parent hashes down until it meets a tracked block. */
  const findForkPoint = async (first: BlockHeader): Promise<{ forkPoint: number; replaced: BlockHeader[] }> => {
    const replaced: BlockHeader[] = []
    let hash = first.parentHash
    for (let n = first.number - 1; n >= base; n--) {
      if (window.get(n)?.hash === hash) return { forkPoint: n, replaced: replaced.reverse() }
      const header = await byHash(hash, first.number)
      replaced.push(header)
      hash = header.parentHash
    }
    throw new ReorgTooDeepError(
      `the chain was reorganised below block ${base}, deeper than the ${options.depth} blocks tracked (maxReorgDepth)`,
    )
  }

  /** `headers` do not link onto the tracked head: find where they do and swap the old branch out. */
  const replaceFrom = async (headers: BlockHeader[]): Promise<TrackerUpdate> => {
    const oldHead = (head as BlockHeader).number
    const { forkPoint, replaced } = await findForkPoint(headers[0])
    for (let n = forkPoint + 1; n <= oldHead; n++) window.delete(n)
    head = window.get(forkPoint)
    append([...replaced, ...headers])
    return { advanced: true, reorg: { forkPoint, depth: oldHead - forkPoint } }
  }

  return {
    get head() {
      return head
    },
    get base() {
      return base
    },
    hashAt: (n) => window.get(n)?.hash,
    timestampAt: (n) => window.get(n)?.timestamp,
    update: async () => {
      const best = await rpc.refreshHeads()
      if (!head) {
        const from = Math.max(0, best - options.depth + 1)
        const headers: BlockHeader[] = []
        for (let start = from; start <= best; start += MAX_HEADERS_PER_BATCH) {
          const chunk = await fetchRange(start, Math.min(best, start + MAX_HEADERS_PER_BATCH - 1))
          if (headers.length && chunk[0].parentHash !== headers[headers.length - 1].hash) {
            throw new ChainMovedError(`blocks ${start - 1} and ${start} do not link: the chain moved mid-request`)
          }
          headers.push(...chunk)
        }
        base = from
        append(headers)
        return { advanced: true }
      }
      // A lower head is an endpoint lagging behind what we already saw, never a reorg.
      if (best < head.number) return { advanced: false }
      if (best === head.number) {
        // Same height: the head may still have been replaced (a reorg that did not lengthen the chain).
        const [latest] = await fetchRange(best, best)
        return latest.hash === head.hash ? { advanced: false } : replaceFrom([latest])
      }
      const headers = await fetchRange(head.number + 1, Math.min(best, head.number + MAX_HEADERS_PER_BATCH))
      if (headers[0].parentHash !== head.hash) return replaceFrom(headers)
      append(headers)
      return { advanced: true }
    },
  }
}
