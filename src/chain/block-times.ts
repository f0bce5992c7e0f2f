import { ChainMovedError } from './block-tracker'
import type { ChainRpc } from './failover'

/** Headers fetched per round trip */
const MAX_HEADERS_PER_BATCH = 100

/**
 * The timestamps (Unix seconds) of blocks, by hash: those the logs carry (most
 * nodes put `blockTimestamp` in every log) or `known` supplies (the block
 * tracker's window holds its headers already) cost nothing, the others one
 * header each, fetched in batches.
 */
export const blockTimestamps = async (
  rpc: ChainRpc,
  blocks: ReadonlyArray<{ number: number; hash: string; timestamp?: number }>,
  known: (number: number, hash: string) => number | undefined,
): Promise<Map<string, number>> => {
  const times = new Map<string, number>()
  const missing: Array<{ number: number; hash: string }> = []
  const seen = new Set<string>()
  for (const block of blocks) {
    if (seen.has(block.hash)) continue
    seen.add(block.hash)
    const time = block.timestamp ?? known(block.number, block.hash)
    if (time === undefined) missing.push(block)
    else times.set(block.hash, time)
  }
  for (let i = 0; i < missing.length; i += MAX_HEADERS_PER_BATCH) {
    const chunk = missing.slice(i, i + MAX_HEADERS_PER_BATCH)
    const headers = await rpc.batch<{ hash: string; timestamp: string } | null>(
      chunk.map((block) => ({ method: 'eth_getBlockByHash', params: [block.hash, false] })),
      { minBlock: Math.max(...chunk.map((block) => block.number)) },
    )
    headers.forEach((header, j) => {
      // Its logs were read a moment ago: a block gone since left the chain; read again.
      if (!header) throw new ChainMovedError(`block ${chunk[j].hash} vanished from the endpoint`)
      times.set(chunk[j].hash, Number.parseInt(header.timestamp, 16))
    })
  }
  return times
}
