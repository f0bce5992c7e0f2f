import { z } from 'zod'

/**
 * A chain's resume point, one record per chain (keyed by chain name) on the
 * compacted checkpoint topic. It is written only after everything it claims
 * has been acknowledged by Kafka, so it may lag the truth but never lead it:
 * whatever went out after it is found by scanning the events topic from
 * `scanFrom`, which also finds every published event that could still be
 * retracted.
 */
export interface Checkpoint {
  version: 1
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
}

const checkpointSchema = z.object({
  version: z.literal(1),
  chain: z.string(),
  chainId: z.number().int(),
  topic: z.string(),
  tip: z.object({ number: z.number().int(), hash: z.string().optional() }),
  finalBelow: z.number().int(),
  scanFrom: z.record(z.string(), z.number().int().min(0)),
  writtenAt: z.string(),
})

export const encodeCheckpoint = (checkpoint: Checkpoint): { key: string; value: Buffer } => ({
  key: checkpoint.chain,
  value: Buffer.from(JSON.stringify(checkpoint)),
})

/** undefined for a record that is not a checkpoint of ours (another version, or garbage): it is skipped, never trusted. */
export const decodeCheckpoint = (value: Buffer | null): Checkpoint | undefined => {
  if (!value) return undefined
  try {
    const parsed = checkpointSchema.safeParse(JSON.parse(value.toString('utf8')))
    return parsed.success ? (parsed.data as Checkpoint) : undefined
  } catch {
    return undefined
  }
}
