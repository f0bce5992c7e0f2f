import { EventFragment, getAddress } from 'ethers'
import { decodeRequestParams, type CborValue } from '../chain/cbor'
import { BifrostError } from '../errors'
import type { Json } from '../json'
import { EVENT_FRAGMENTS } from './abi'
import { compileEventDecoder, type EventDecoder } from './event-decoder'

export type ContractKind = 'operator' | 'client' | 'aggregator' | 'custom'

export interface WatchedContract {
  address: string
  kind: ContractKind
  /** Human-readable event fragments; required for (and only used by) `custom` */
  abi?: string[]
}

/** A JSON value: what every decoded argument becomes, so messages serialise without loss. */

/** The fields of a log decoding needs; both ethers `Log` objects and raw JSON-RPC logs fit. */
export interface LogLike {
  address: string
  topics: readonly string[]
  data: string
  transactionHash: string
  /** Raw JSON-RPC logs: the hex quantity */
  logIndex?: number | string
  /** ethers `Log` objects */
  index?: number
}

export interface DecodedEvent {
  /** Event name, e.g. `OracleRequest` */
  event: string
  kind: ContractKind
  /** Emitting contract, checksummed */
  address: string
  /** Decoded arguments by name (position when unnamed): integers as decimal strings, bytes as 0x hex */
  args: Record<string, Json>
  /** Operator and client events */
  requestId?: string
  /** Aggregator events */
  roundId?: string
  /** OracleRequest only: the request's CBOR parameters, decoded (absent when they are not valid CBOR) */
  params?: Record<string, Json>
  /** Kafka key: all events of one request (or one feed round) share it, so they stay in order on one partition */
  key: string
}

export class LogDecodeError extends BifrostError {}

export interface LogFilter {
  address: string[]
  /** topic0 alternatives: any watched event signature */
  topics: [string[]]
}

interface WatchedEvent {
  kind: ContractKind
  fragment: EventFragment
  decode: EventDecoder
}

/** Which argument identifies the request (operator, client) or the round (aggregator). */
const REQUEST_ID_ARG: Record<string, string> = {
  OracleRequest: 'requestId',
  OracleResponse: 'requestId',
  CancelOracleRequest: 'requestId',
  ChainlinkRequested: 'id',
  ChainlinkFulfilled: 'id',
  ChainlinkCancelled: 'id',
}
const ROUND_ID_ARG: Record<string, string> = {
  AnswerUpdated: 'roundId',
  NewRound: 'roundId',
  NewTransmission: 'aggregatorRoundId',
}

const fragmentsOf = (contract: WatchedContract): readonly string[] => {
  if (contract.kind !== 'custom') return EVENT_FRAGMENTS[contract.kind]
  if (!contract.abi?.length) throw new LogDecodeError(`custom contract ${contract.address} needs an abi with at least one event`)
  return contract.abi
}

const compiled = new Map<string, WatchedEvent[]>()
/** Each fragment list parsed and compiled once per process, whatever the number of contracts using it. */
const eventsOf = (kind: ContractKind, fragments: readonly string[]): WatchedEvent[] => {
  const cacheKey = `${kind}\n${fragments.join('\n')}`
  let events = compiled.get(cacheKey)
  if (!events) {
    events = fragments.map((text) => {
      try {
        const fragment = EventFragment.from(text)
        return { kind, fragment, decode: compileEventDecoder(fragment) }
      } catch (cause) {
        throw new LogDecodeError(`invalid event fragment "${text}": ${(cause as Error).message}`, { cause })
      }
    })
    compiled.set(cacheKey, events)
  }
  return events
}

/** address (lower case) -> its checksummed form and topic0 -> event; built once per contracts array */
type WatchIndex = Map<string, { address: string; byTopic: Map<string, WatchedEvent> }>
const indexes = new WeakMap<readonly WatchedContract[], WatchIndex>()

const indexOf = (contracts: readonly WatchedContract[]): WatchIndex => {
  let index = indexes.get(contracts)
  if (index) return index
  index = new Map()
  for (const contract of contracts) {
    const key = contract.address.toLowerCase()
    const entry = index.get(key) ?? { address: getAddress(contract.address), byTopic: new Map<string, WatchedEvent>() }
    for (const event of eventsOf(contract.kind, fragmentsOf(contract))) {
      if (!event.fragment.anonymous) entry.byTopic.set(event.fragment.topicHash, event)
    }
    index.set(key, entry)
  }
  indexes.set(contracts, index)
  return index
}

/** The eth_getLogs filter selecting every watched event of every watched contract (and little else). */
export const logFilter = (contracts: readonly WatchedContract[]): LogFilter => {
  const index = indexOf(contracts)
  const topics = new Set<string>()
  for (const { byTopic } of index.values()) for (const topic of byTopic.keys()) topics.add(topic)
  return { address: [...index.values()].map((entry) => entry.address), topics: [[...topics]] }
}

const cborToJson = (value: CborValue): Json => {
  if (typeof value === 'bigint') return value.toString()
  if (value === undefined) return null
  if (Array.isArray(value)) return value.map(cborToJson)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cborToJson(v)]))
  }
  return value
}

const requestParams = (data: Json): Record<string, Json> | undefined => {
  try {
    return cborToJson(decodeRequestParams(data as string)) as Record<string, Json>
  } catch {
    // Malformed parameters are the node's problem, not the event's: the raw bytes stay in args.data.
    return undefined
  }
}

/**
 * Decodes a log of a watched contract. Returns undefined for a log that is not a
 * watched event of that address (eth_getLogs filters by address OR topic, so some
 * arrive that way); throws LogDecodeError when a watched signature carries data
 * that does not decode (a contract whose ABI differs from the one configured).
 */
export const decodeLog = (log: LogLike, contracts: readonly WatchedContract[], chainId: number | bigint): DecodedEvent | undefined => {
  const contract = indexOf(contracts).get(log.address.toLowerCase())
  const watched = contract?.byTopic.get(log.topics[0]?.toLowerCase() ?? '')
  if (!contract || !watched) return undefined
  const { kind, fragment, decode } = watched
  const logIndex = Number(log.logIndex ?? log.index)
  let args: Record<string, Json>
  try {
    args = decode(log.topics, log.data)
  } catch (cause) {
    throw new LogDecodeError(
      `cannot decode ${fragment.name} from ${log.address} (tx ${log.transactionHash}, log ${logIndex}): ${(cause as Error).message}`,
      { cause },
    )
  }
  const { address } = contract
  const decoded: DecodedEvent = { event: fragment.name, kind, address, args, key: '' }
  const requestArg = kind === 'operator' || kind === 'client' ? REQUEST_ID_ARG[fragment.name] : undefined
  const roundArg = kind === 'aggregator' ? ROUND_ID_ARG[fragment.name] : undefined
  if (requestArg) {
    decoded.requestId = args[requestArg] as string
    decoded.key = `${chainId}:${decoded.requestId}`
  } else if (roundArg) {
    decoded.roundId = args[roundArg] as string
    decoded.key = `${chainId}:${address}:${decoded.roundId}`
  } else {
    decoded.key = `${chainId}:${log.transactionHash}:${logIndex}`
  }
  if (fragment.name === 'OracleRequest' && kind === 'operator') {
    const params = requestParams(args['data'])
    if (params) decoded.params = params
  }
  return decoded
}
