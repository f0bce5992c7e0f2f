import type { EndpointStatus } from '../chain/failover'
import type { ChainStatus } from '../status/snapshot'
import { redactUrl } from '../redact'

/** Last few minutes of lag, one point per poll at most every LAG_SPACING_MS. */
const LAG_POINTS = 60
const LAG_SPACING_MS = 5000
/** Heads remembered with the time they were first seen, to tell how long the oldest unpublished block waits */
const SEEN_HEADS = 4096

/** What the operator sees of a leading chain beyond its election role: progress, lag, reorgs, endpoints. */
export type ChainProgress = Omit<ChainStatus, 'name' | 'chainId' | 'role' | 'halted'>

/** What the chain's pipeline reports as it goes, for /status and the operator API. */
export interface ChainTracker {
  head(head: number, now?: number): void
  published(block: number): void
  reorg(reorg: { depth: number; forkPoint: number; reachedPublished: boolean }): void
  retracted(count: number): void
  progress(rpc: EndpointStatus[], now?: number): ChainProgress
}

export const createChainTracker = (): ChainTracker => {
  let head: number | undefined
  let publishedBlock: number | undefined
  let reorgs = 0
  let retractions = 0
  let lastReorg: ChainStatus['lastReorg']
  const seenAt = new Map<number, number>()
  const lagHistory: Array<[number, number]> = []

  const sample = (now: number) => {
    if (head === undefined || publishedBlock === undefined) return
    const last = lagHistory[lagHistory.length - 1]
    if (last && now - last[0] < LAG_SPACING_MS) return
    lagHistory.push([now, Math.max(0, head - publishedBlock)])
    if (lagHistory.length > LAG_POINTS) lagHistory.shift()
  }

  return {
    head: (number, now = Date.now()) => {
      head = number
      if (!seenAt.has(number)) {
        seenAt.set(number, now)
        if (seenAt.size > SEEN_HEADS) seenAt.delete(seenAt.keys().next().value as number)
      }
      sample(now)
    },
    published: (block) => {
      publishedBlock = block
    },
    reorg: (reorg) => {
      reorgs++
      lastReorg = { at: Date.now(), ...reorg }
    },
    retracted: (count) => {
      retractions += count
    },
    progress: (rpc, now = Date.now()) => {
      const out: ChainProgress = { reorgs, retractions, lagHistory: [...lagHistory] }
      if (head !== undefined) out.head = head
      if (publishedBlock !== undefined) out.publishedBlock = publishedBlock
      if (head !== undefined && publishedBlock !== undefined) {
        // The first block not yet published: how long ago it was first seen (one seen before our first poll counts from then).
        let since: number | undefined
        for (let n = publishedBlock + 1; n <= head && since === undefined; n++) since = seenAt.get(n)
        out.lagBlocks = Math.max(0, head - publishedBlock)
        out.lagSeconds = head > publishedBlock ? (now - (since ?? now)) / 1000 : 0
      }
      if (lastReorg) out.lastReorg = lastReorg
      out.rpc = rpc.map((e) => ({
        // ChainRpc.status already shows scheme and host only; redacting again is harmless and keeps this safe on its own
        endpoint: redactUrl(e.url),
        alive: e.alive,
        ...(e.head !== undefined ? { head: e.head } : {}),
        ...(e.lastError ? { lastError: e.lastError.split(e.url).join(redactUrl(e.url)) } : {}),
      }))
      return out
    },
  }
}
