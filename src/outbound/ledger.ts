import type { KafkaMessage } from './message'
import { EVENT_HEADERS } from './message'

/** A confirmed message of this chain that is in Kafka and not (yet) final. */
export interface LedgerEntry {
  /** `<blockHash>:<logIndex>`: one log of one block, whatever the key */
  id: string
  blockNumber: number
  blockHash: string
  logIndex: number
  message: KafkaMessage
  partition: number
  offset: number
}

export const eventId = (blockHash: string, logIndex: number): string => `${blockHash.toLowerCase()}:${logIndex}`

export interface LedgerBlock {
  number: number
  hash: string
  entries: Map<string, LedgerEntry>
}

/**
 * What this chain has out in Kafka that still matters: every confirmed event
 * whose block could yet be reorganised away (to retract it), and every event
 * published beyond the checkpointed tip (so it is not published twice).
 */
export interface Ledger {
  has(id: string): boolean
  add(entry: LedgerEntry): void
  remove(id: string): void
  /** Blocks with tracked entries (a height can hold two hashes while a retraction is under way) */
  blocks(): IterableIterator<LedgerBlock>
  /** Forgets the entries of blocks below `number` */
  pruneBelow(number: number): void
  /** Per partition, the lowest offset of a tracked entry */
  lowestOffsets(): Map<number, number>
  readonly size: number
}

export const createLedger = (): Ledger => {
  const byId = new Map<string, LedgerEntry>()
  const byHash = new Map<string, LedgerBlock>()
  return {
    has: (id) => byId.has(id),
    add: (entry) => {
      byId.set(entry.id, entry)
      let block = byHash.get(entry.blockHash)
      if (!block)
        byHash.set(entry.blockHash, (block = { number: entry.blockNumber, hash: entry.blockHash, entries: new Map() }))
      block.entries.set(entry.id, entry)
    },
    remove: (id) => {
      const entry = byId.get(id)
      if (!entry) return
      byId.delete(id)
      const block = byHash.get(entry.blockHash)
      block?.entries.delete(id)
      if (block && block.entries.size === 0) byHash.delete(entry.blockHash)
    },
    blocks: () => byHash.values(),
    pruneBelow: (number) => {
      for (const [hash, block] of byHash) {
        if (block.number >= number) continue
        for (const id of block.entries.keys()) byId.delete(id)
        byHash.delete(hash)
      }
    },
    lowestOffsets: () => {
      const lowest = new Map<number, number>()
      for (const entry of byId.values()) {
        const current = lowest.get(entry.partition)
        if (current === undefined || entry.offset < current) lowest.set(entry.partition, entry.offset)
      }
      return lowest
    },
    get size() {
      return byId.size
    },
  }
}

/**
 * The message that takes a confirmed one back: same key (same partition, so it
 * lands after it), same fields, `status: retracted`.
 */
export const retractionOf = (confirmed: KafkaMessage): KafkaMessage => {
  const value = JSON.parse(confirmed.value.toString('utf8')) as Record<string, unknown>
  value['status'] = 'retracted'
  return {
    key: confirmed.key,
    value: Buffer.from(JSON.stringify(value)),
    headers: {
      ...confirmed.headers,
      [EVENT_HEADERS.status]: 'retracted',
      [EVENT_HEADERS.eventId]: `${value['chainId']}:${value['blockHash']}:${value['logIndex']}:retracted`,
    },
  }
}
