import type { IHeaders } from 'kafkajs'
import type { Config } from '../../config/schema'
import { EVENT_HEADERS, type OracleEventMessage } from '../../outbound/message'
import { ApiQueryError, stringParam } from './query'

/** Which events a reader wants; matched on the record's key and headers, so nothing is parsed to skip it. */
export interface EventFilter {
  chainId?: string
  event?: string
  key?: string
}

/** `chain` is a configured chain name or a chain id; `event` an event name such as OracleRequest; `key` the exact record key. */
export const parseEventFilter = (query: Record<string, unknown>, config: Config): EventFilter => {
  const filter: EventFilter = {}
  const chain = stringParam(query, 'chain')
  if (chain !== undefined) {
    const named = config.events.chains.find((c) => c.name === chain)
    if (named) filter.chainId = String(named.chainId)
    else if (/^\d+$/.test(chain)) filter.chainId = chain
    else {
      const names = config.events.chains.map((c) => c.name).join(', ') || 'none configured'
      throw new ApiQueryError('chain', `"${chain}" is neither a configured chain name (${names}) nor a chain id`)
    }
  }
  const event = stringParam(query, 'event')
  if (event !== undefined) filter.event = event
  const key = stringParam(query, 'key')
  if (key !== undefined) filter.key = key
  return filter
}

const header = (headers: IHeaders | undefined, name: string): string | undefined => {
  const value = headers?.[name]
  return value === undefined ? undefined : String(value)
}

export const matchesEvent = (filter: EventFilter, key: Buffer | null, headers: IHeaders | undefined): boolean =>
  (filter.chainId === undefined || header(headers, EVENT_HEADERS.chainId) === filter.chainId) &&
  (filter.event === undefined || header(headers, EVENT_HEADERS.event) === filter.event) &&
  (filter.key === undefined || key?.toString('utf8') === filter.key)

/** One record of the events topic as the API returns it. */
export interface ApiEvent {
  partition: number
  offset: number
  /** Kafka's record timestamp, ISO 8601 */
  timestamp: string
  key: string
  status?: string
  event?: string
  /** The message as published (docs/oracle-events.md); null when the record is not JSON */
  value: OracleEventMessage | null
}

export const toApiEvent = (record: {
  partition: number
  offset: number
  timestamp: string
  key: Buffer | null
  value: Buffer | null
  headers?: IHeaders
}): ApiEvent => {
  let value: OracleEventMessage | null = null
  try {
    value = record.value ? (JSON.parse(record.value.toString('utf8')) as OracleEventMessage) : null
  } catch {
    value = null
  }
  return {
    partition: record.partition,
    offset: record.offset,
    timestamp: new Date(Number(record.timestamp)).toISOString(),
    key: record.key?.toString('utf8') ?? '',
    status: header(record.headers, EVENT_HEADERS.status),
    event: header(record.headers, EVENT_HEADERS.event),
    value,
  }
}
