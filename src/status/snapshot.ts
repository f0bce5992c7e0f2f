import type { Config } from '../config/schema'
import { redactConfig } from '../config/load'

/** The feed part: has it re-read its topics, and what does it hold. */
export interface FeedsStatus {
  /** Every feed partition has been re-read up to where it ended at start-up */
  caughtUp: boolean
  /** Why it is not answering yet; absent when it is */
  notReadyReason?: string
  topics: string[]
  /** Feeds held (each with one value per source) */
  feeds: number
  /** Feeds whose newest source value is older than feeds.maxAgeSeconds */
  stale: number
}

/** The request part: what is in flight on this instance. */
export interface RequestsStatus {
  /** requests.enabled: off on feed replicas */
  enabled: boolean
  /** Why it is not answering yet; absent when it is */
  notReadyReason?: string
  /** Requests waiting for their reply from the enterprise system */
  open: number
  /** Answered (or expired) requests whose callbacks to the node are still being delivered */
  delivering: number
  /** Age of the oldest open request, in seconds; absent when none is open */
  oldestOpenSeconds?: number
}

/** One watched chain, as this instance sees it. */
export interface ChainStatus {
  name: string
  chainId: number
  /** This instance's part in the chain's leader election: only the leader publishes */
  role: 'joining' | 'reading checkpoint' | 'leader' | 'standby'
  /** Latest block number seen from the RPC endpoints while leading; absent on a standby */
  head?: number
  /** Highest block whose confirmed events are in Kafka; absent on a standby */
  publishedBlock?: number
  /** Why the chain publishes nothing more until restarted (e.g. a reorg deeper than maxReorgDepth) */
  halted?: string
  /** head - publishedBlock, while leading */
  lagBlocks?: number
  /** How long the first unpublished block has been known (0 when nothing waits), while leading */
  lagSeconds?: number
  /** Reorgs this instance saw while leading */
  reorgs?: number
  lastReorg?: { at: number; depth: number; forkPoint: number; reachedPublished: boolean }
  /** Events this instance retracted after reorgs */
  retractions?: number
  /** [epoch ms, lag in blocks] of the last minutes, oldest first */
  lagHistory?: Array<[number, number]>
  /** The chain's RPC endpoints, scheme and host only, and whether each answers */
  rpc?: Array<{ endpoint: string; alive: boolean; head?: number; lastError?: string }>
}

/** A client of the streaming bridge (the node's connection manager). */
export interface StreamingClientStatus {
  /** Where it connected from */
  peer: string
  connectedAt: string
  /** Assets it subscribed that are served */
  subscriptions: number
  /** Assets it subscribed that the stream does not serve (each logged once with the reason) */
  refused: number
}

export interface StreamingStatus {
  clients: StreamingClientStatus[]
}

/**
 * What each part reports. A part added later declares its own section without
 * editing this file, by augmenting the interface from its module:
 *
 *     declare module '../status/snapshot' {
 *       interface StatusSections { ccip: CcipStatus }
 *     }
 */
export interface StatusSections {
  feeds: FeedsStatus
  requests: RequestsStatus
  chains: ChainStatus[]
  streaming: StreamingStatus
}

export type StatusSection = keyof StatusSections

/**
 * What the node sees when it polls `/status`, and what the operator API serves:
 * one model. A section is absent while no running part provides it (no chains
 * configured, no streaming bridge), so readers tell "none" from "not running".
 */
export type StatusSnapshot = Partial<StatusSections> & {
  takenAt: string
  /** Bifrost's configuration, secrets replaced and URLs cut to scheme and host */
  settings: Record<string, unknown>
}

export interface StatusBoard {
  /**
   * Registers the part that fills `section`, asked on every snapshot; returns
   * the call that withdraws it (a part that stops takes its section with it).
   * One provider per section: a second one replaces the first.
   */
  provide<K extends StatusSection>(section: K, collect: () => StatusSections[K]): () => void
  /** The state of every part, now. A provider that throws reports `{ error }` instead of breaking the answer. */
  snapshot(): StatusSnapshot
}

export const createStatusBoard = (config: Config): StatusBoard => {
  // Computed once: the configuration does not change while Bifrost runs
  const settings = redactConfig(config)
  const providers = new Map<StatusSection, () => unknown>()
  return {
    provide: (section, collect) => {
      providers.set(section, collect)
      return () => {
        if (providers.get(section) === collect) providers.delete(section)
      }
    },
    snapshot: () => {
      const out: Record<string, unknown> = { takenAt: new Date().toISOString(), settings }
      for (const [section, collect] of providers) {
        try {
          out[section] = collect()
        } catch (err) {
          out[section] = { error: (err as Error).message }
        }
      }
      return out as StatusSnapshot
    },
  }
}
