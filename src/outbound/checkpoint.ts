import { z } from 'zod'

/** The version this Bifrost writes; it reads this one and every older one (docs/outbound.md, "Checkpoint format"). */
export const CHECKPOINT_VERSION = 2

/** Why a chain publishes nothing until an operator runs `bifrost events resume`. */
export interface Halt {
  /** What happened, e.g. the reorg deeper than maxReorgDepth */
  reason: string
  /** ISO 8601 */
  since: string
  /** The head the chain had when it halted */
  headBlock?: number
}

/**
 * A chain's resume point, one record per chain (keyed by chain name) on the
 * compacted checkpoint topic. It is written only after everything it claims
 * has been acknowledged by Kafka, so it may lag the truth but never lead it:
 * whatever went out after it is found by scanning the events topic from
 * `scanFrom`, which also finds every published event that could still be
 * retracted. It also carries a halt, so a halted chain stays halted across
 * restarts and on whichever instance leads it next.
 *
 * Versions: 1 had no `halt`; 2 added it. A reader takes every version up to its
 * own and upgrades it; a record of a later version is not trusted (skipped).
 * Fields an older reader may safely ignore are added without a new version;
 * one whose loss an older writer would cause harm by (transaction state, the
 * instance a spread chain is assigned to) comes with the next version.
 */
export interface Checkpoint {
  version: typeof CHECKPOINT_VERSION
  chain: string
  chainId: number
  /** The events topic the offsets refer to */
  topic: string
  /** Every block up to and including this one is published; its hash when it was still reorg-able */
  tip: { number: number; hash?: string }
  /** Blocks below this are final: never retracted, never re-read */
  finalBelow: number
  /** Per partition of `topic`: the first offset that may hold a message of this chain that still matters */
  scanFrom: Record<string, number>
  writtenAt: string
  /** Present while the chain is halted */
  halt?: Halt
  /** Written by `bifrost events resume`: which halt it lifts, so a leader never takes an older record for a resume */
  resumed?: Resumption
}

export interface Resumption {
  /** `since` of the halt it lifts */
  haltSince: string
  /** ISO 8601 */
  at: string
  /** When the chain re-reads from a block */
  fromBlock?: number
}

const common = {
  chain: z.string(),
  chainId: z.number().int(),
  topic: z.string(),
  tip: z.object({ number: z.number().int(), hash: z.string().optional() }),
  finalBelow: z.number().int(),
  scanFrom: z.record(z.string(), z.number().int().min(0)),
  writtenAt: z.string(),
}

const readers = z.discriminatedUnion('version', [
  z.object({ version: z.literal(1), ...common }),
  z.object({
    version: z.literal(2),
    ...common,
    halt: z.object({ reason: z.string(), since: z.string(), headBlock: z.number().int().optional() }).optional(),
    resumed: z.object({ haltSince: z.string(), at: z.string(), fromBlock: z.number().int().optional() }).optional(),
  }),
])

export const encodeCheckpoint = (checkpoint: Checkpoint): { key: string; value: Buffer } => ({
  key: checkpoint.chain,
  value: Buffer.from(JSON.stringify(checkpoint)),
})

/** undefined for a record that is not a checkpoint of ours (a later version, or garbage): it is skipped, never trusted. */
export const decodeCheckpoint = (value: Buffer | null): Checkpoint | undefined => {
  if (!value) return undefined
  let parsed
  try {
    parsed = readers.safeParse(JSON.parse(value.toString('utf8')))
  } catch {
    return undefined
  }
  if (!parsed.success) return undefined
  // Every older version is this one without what it lacked.
  return { ...parsed.data, version: CHECKPOINT_VERSION }
}
