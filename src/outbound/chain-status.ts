import type { EndpointStatus } from '../chain/failover'

/** Last few minutes of lag, one point per poll at most every LAG_SPACING_MS. */
const LAG_POINTS = 60
const LAG_SPACING_MS = 5000
/** Heads remembered with the time they were first seen, to tell how long the oldest unpublished block waits */
const SEEN_HEADS = 4096

export type ChainRole = 'joining' | 'leader' | 'standby' | 'halted'

/** One chain as the operator API shows it. RPC endpoints carry scheme and host only: paths and user info may hold keys. */
export interface ChainView {
  name: string
  chainId: number
  role: ChainRole
  /** Why publishing stopped, when role is halted */
  halted?: string
  /** Latest block seen on the chain (this instance's own poll; only the leader polls) */
  head?: number
  /** Every event up to this block is published */
  publishedBlock?: number
  lagBlocks?: number
  /** How long the oldest confirmed-or-not block above publishedBlock has been known: 0 when nothing waits */
  lagSeconds?: number
  reorgs: number
  lastReorg?: { at: number; depth: number; forkPoint: number; reachedPublished: boolean }
  retractions: number
  /** [epoch ms, lag in blocks], oldest first */
  lagHistory: Array<[number, number]>
  rpc: Array<{ endpoint: string; alive: boolean; head?: number; lastError?: string }>
}

/** Keeps scheme, host and port: a URL's path, query or user info can carry an API key. */
export const endpointLabel = (url: string): string => {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}`
  } catch {
    return '(invalid URL)'
  }
}

/** What the chain's watcher and pipeline report as they go; read by the operator API. */
export interface ChainStatus {
  role(role: ChainRole, reason?: string): void
  head(head: number, now?: number): void
  published(block: number): void
  reorg(reorg: { depth: number; forkPoint: number; reachedPublished: boolean }): void
  retracted(count: number): void
  view(rpc: EndpointStatus[], now?: number): ChainView
}

export const createChainStatus = (chain: { name: string; chainId: number }): ChainStatus => {
  let role: ChainRole = 'joining'
  let halted: string | undefined
  let head: number | undefined
  let publishedBlock: number | undefined
  let reorgs = 0
  let retractions = 0
  let lastReorg: ChainView['lastReorg']
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
    role: (next, reason) => {
      role = next
      halted = next === 'halted' ? reason : undefined
    },
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
    view: (rpc, now = Date.now()) => {
      let lagSeconds: number | undefined
      if (head !== undefined && publishedBlock !== undefined) {
        // The first block not yet published: how long ago it was first seen (a block seen before our first poll counts from then).
        let since: number | undefined
        for (let n = publishedBlock + 1; n <= head && since === undefined; n++) since = seenAt.get(n)
        lagSeconds = head > publishedBlock ? (now - (since ?? now)) / 1000 : 0
      }
      return {
        ...chain,
        role,
        ...(halted ? { halted } : {}),
        head,
        publishedBlock,
        lagBlocks: head !== undefined && publishedBlock !== undefined ? Math.max(0, head - publishedBlock) : undefined,
        lagSeconds,
        reorgs,
        lastReorg,
        retractions,
        lagHistory: [...lagHistory],
        rpc: rpc.map((e) => ({
          endpoint: endpointLabel(e.url),
          alive: e.alive,
          ...(e.head !== undefined ? { head: e.head } : {}),
          // Error texts name the endpoint: by its label only.
          ...(e.lastError ? { lastError: e.lastError.split(e.url).join(endpointLabel(e.url)) } : {}),
        })),
      }
    },
  }
}
