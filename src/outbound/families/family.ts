import type { z } from 'zod'
import type { Json } from '../../json'
import type { DecodedEvent, WatchedContract } from '../decode'
import type { OracleEventMessage } from '../message'

/** Where a decoded event sits on the chain, as enrichment needs it. */
export interface EventLocation {
  blockNumber: number
  transactionHash: string
}

/** One log of a family's contract, decoded: what its key and top-level fields are derived from. */
export interface FamilyLog {
  /** Event name, e.g. `OracleRequest` */
  name: string
  args: Record<string, Json>
  /** Emitting contract, checksummed */
  address: string
  chainId: number | bigint
  transactionHash: string
  logIndex: number
  /** The watched contract as configured (its family's own settings included) */
  contract: WatchedContract
}

/** The parts of a transaction the decoding needs (ethers TransactionResponse and raw RPC objects both fit). */
export interface TransactionLike {
  hash: string
  from: string
  to: string | null
  /** `input` in JSON-RPC, `data` in ethers */
  input?: string
  data?: string
}

export interface EnricherOptions {
  /**
   * Looks a transaction up by hash (through the chain's RPC failover, asking only endpoints that have reached its
   * block); null when the node does not know it
   */
  getTransaction(hash: string, blockNumber: number): Promise<TransactionLike | null>
  /** Events a family remembers for enriching later ones (requests awaiting their response); the oldest go first (default 100,000) */
  maxRequests?: number
  /** The watched chain, as configured (families that name chains) */
  chain?: { name: string; chainId: number }
  /** events.ccip.chainSelectors: chain id -> CCIP chain selector and name, added to or overriding the built-in table */
  ccipChainSelectors?: Record<string, { selector: string; name?: string }>
}

/** A family's per-chain enrichment state: what the log alone does not say, from calldata or from earlier events. */
export interface FamilyEnricher {
  /** An event already in Kafka (read again after a restart): learn from it, fetch nothing */
  observe(event: DecodedEvent, log: EventLocation): void
  /** The event with the family's enrichment fields added */
  enrich(event: DecodedEvent, log: EventLocation): Promise<DecodedEvent>
  /** How many events are remembered (bounded by maxRequests) */
  readonly size: number
}

/**
 * One family of Chainlink contracts (the `kind` of a watched contract): which
 * events it emits, how they are keyed, and what Bifrost adds to them. Every
 * family lives in this folder and is listed in ./index.ts; nothing outside the
 * folder names one.
 */
export interface ContractFamily {
  /** The `kind` in settings and messages: public contract, never renamed */
  readonly kind: string
  /** Built-in event fragments (ethers human-readable); absent when the contract's configured `abi` supplies them */
  readonly fragments?: readonly string[]
  /** For the configuration reference when there are no built-in fragments: what is watched */
  readonly watches?: string
  /** Settings of this family's contracts beyond address and kind (zod leaves with descriptions); other kinds refuse them */
  readonly settings?: Record<string, z.ZodType>
  /** The fragments a contract watches when its settings narrow the built-in ones (e.g. a pinned version) */
  fragmentsFor?(contract: WatchedContract): readonly string[]
  /** The Kafka key and the family's top-level message fields of one decoded event */
  identify(log: FamilyLog): { key: string; fields?: Record<string, Json> }
  /**
   * Called with each event logged right after `previous` (same contract, same
   * transaction, consecutive log indexes, its `logIndex` given): folds it into
   * `previous` and returns true when it is part of it; such an event is not
   * published on its own.
   */
  attach?(previous: DecodedEvent, event: DecodedEvent, logIndex: number): boolean
  /** Per-chain enrichment; absent when the log says everything */
  createEnricher?(options: EnricherOptions): FamilyEnricher
  /** Extra parts of the one-line summary `bifrost events` prints */
  describe?(message: OracleEventMessage): string[]
}
