import type { IHeaders } from 'kafkajs'
import type { Json } from '../json'
import type { EnrichedEvent } from './enrich'
import type { ContractKind, FamilyFields } from './families'

export const CONTENT_TYPE = 'application/json'

/** Header names on every event message, so consumers can route without parsing the value. */
export const EVENT_HEADERS = {
  event: 'bifrost.event',
  status: 'bifrost.status',
  chainId: 'bifrost.chain-id',
  /** `<chainId>:<blockHash>:<logIndex>` (`:retracted` appended on a retraction): what a read_uncommitted consumer de-duplicates by */
  eventId: 'bifrost.event-id',
  contentType: 'content-type',
} as const
/** Bumped only on an incompatible change of the message value (schemas/oracle-event.schema.json) */
export const SCHEMA_VERSION = 1

export type EventStatus = 'confirmed' | 'retracted'

export interface PublishMeta {
  status: EventStatus
  /** Blocks on top of the event's block when it was published (0 when the chain's finality tag was used) */
  confirmations: number
  chainId: number | bigint
  blockNumber: number
  blockHash: string
  /** The block's timestamp, Unix seconds */
  blockTimestamp: number
  transactionHash: string
  logIndex: number
}

/** The value of every message on the events topic; documented in docs/oracle-events.md. */
export type OracleEventMessage = {
  schemaVersion: number
  event: string
  kind: ContractKind
  status: EventStatus
  chainId: number
  address: string
  blockNumber: number
  blockHash: string
  /** Absent only on messages published before Bifrost added it (and their retractions) */
  blockTimestamp?: number
  transactionHash: string
  logIndex: number
  confirmations: number
  args: Record<string, Json>
  /** Set by bound-message.ts when a long bytes or string value was replaced by its hash and length */
  truncated?: true
} & FamilyFields

export interface KafkaMessage {
  key: string
  value: Buffer
  headers: IHeaders
}

/**
 * An event as it goes to Kafka. A retraction carries the same key and fields as
 * the confirmed message it takes back, with `status: retracted`, so a consumer
 * (or a compacted topic) can match the two by key and coordinates.
 */
export const toKafkaMessage = (event: EnrichedEvent, meta: PublishMeta): KafkaMessage => {
  const chainId = Number(meta.chainId)
  // What a family adds (requestId, fulfillment, ...) goes to the top level as it is; undefined ones vanish in JSON.
  const { event: name, kind, address, args, key, ...fields } = event
  const value: OracleEventMessage = {
    schemaVersion: SCHEMA_VERSION,
    event: name,
    kind,
    status: meta.status,
    chainId,
    address,
    blockNumber: meta.blockNumber,
    blockHash: meta.blockHash,
    blockTimestamp: meta.blockTimestamp,
    transactionHash: meta.transactionHash,
    logIndex: meta.logIndex,
    confirmations: meta.confirmations,
    args,
    ...fields,
  }
  return {
    key,
    value: Buffer.from(JSON.stringify(value)),
    headers: {
      [EVENT_HEADERS.event]: name,
      [EVENT_HEADERS.status]: meta.status,
      [EVENT_HEADERS.chainId]: String(chainId),
      [EVENT_HEADERS.eventId]: `${chainId}:${meta.blockHash}:${meta.logIndex}${meta.status === 'retracted' ? ':retracted' : ''}`,
      [EVENT_HEADERS.contentType]: CONTENT_TYPE,
    },
  }
}
