import { EventFragment, getAddress } from 'ethers'
import { BifrostError } from '../errors'
import type { Json } from '../json'
import { compileEventDecoder, type EventDecoder } from './event-decoder'
import { familyOf, type ContractFamily, type ContractKind, type FamilyFields } from './families'

export type { ContractKind } from './families'

export interface WatchedContract {
  address: string
  kind: ContractKind
  /** Human-readable event fragments; required for (and only used by) families without built-in ones (`custom`) */
  abi?: string[]
  /** A family's own settings (ContractFamily.settings) */
  [setting: string]: unknown
}

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

export type DecodedEvent = {
  /** Event name, e.g. `OracleRequest` */
  event: string
  kind: ContractKind
  /** Emitting contract, checksummed */
  address: string
  /** Decoded arguments by name (position when unnamed): integers as decimal strings, bytes as 0x hex */
  args: Record<string, Json>
  /** Kafka key: all events of one request (or one feed round) share it, so they stay in order on one partition */
  key: string
} & FamilyFields

export class LogDecodeError extends BifrostError {
  static override readonly code = 'BIFROST_LOG_DECODE_FAILED'
}

export interface LogFilter {
  address: string[]
  /** topic0 alternatives: any watched event signature */
  topics: [string[]]
}

interface WatchedEvent {
  family: ContractFamily
  fragment: EventFragment
  decode: EventDecoder
}

const familyOfContract = (contract: WatchedContract): ContractFamily => {
  const family = familyOf(contract.kind)
  if (!family) throw new LogDecodeError(`contract ${contract.address} has unknown kind ${contract.kind}`)
  return family
}

const fragmentsOf = (contract: WatchedContract, family: ContractFamily): readonly string[] => {
  if (family.fragmentsFor) return family.fragmentsFor(contract)
  if (family.fragments) return family.fragments
  if (!contract.abi?.length) {
    throw new LogDecodeError(`${contract.kind} contract ${contract.address} needs an abi with at least one event`)
  }
  return contract.abi
}

const compiled = new Map<string, WatchedEvent[]>()
/** Each fragment list parsed and compiled once per process, whatever the number of contracts using it. */
const eventsOf = (family: ContractFamily, fragments: readonly string[]): WatchedEvent[] => {
  const cacheKey = `${family.kind}\n${fragments.join('\n')}`
  let events = compiled.get(cacheKey)
  if (!events) {
    events = fragments.map((text) => {
      try {
        const fragment = EventFragment.from(text)
        return { family, fragment, decode: compileEventDecoder(fragment) }
      } catch (cause) {
        throw new LogDecodeError(`invalid event fragment "${text}": ${(cause as Error).message}`, { cause })
      }
    })
    compiled.set(cacheKey, events)
  }
  return events
}

/** address (lower case) -> its checksummed form, its settings and topic0 -> event; built once per contracts array */
type WatchIndex = Map<string, { address: string; contract: WatchedContract; byTopic: Map<string, WatchedEvent> }>
const indexes = new WeakMap<readonly WatchedContract[], WatchIndex>()

const indexOf = (contracts: readonly WatchedContract[]): WatchIndex => {
  let index = indexes.get(contracts)
  if (index) return index
  index = new Map()
  for (const contract of contracts) {
    const key = contract.address.toLowerCase()
    const entry = index.get(key) ?? {
      address: getAddress(contract.address),
      contract,
      byTopic: new Map<string, WatchedEvent>(),
    }
    const family = familyOfContract(contract)
    for (const event of eventsOf(family, fragmentsOf(contract, family))) {
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

/**
 * Decodes a log of a watched contract. Returns undefined for a log that is not a
 * watched event of that address (eth_getLogs filters by address OR topic, so some
 * arrive that way); throws LogDecodeError when a watched signature carries data
 * that does not decode (a contract whose ABI differs from the one configured).
 */
export const decodeLog = (
  log: LogLike,
  contracts: readonly WatchedContract[],
  chainId: number | bigint,
): DecodedEvent | undefined => {
  const contract = indexOf(contracts).get(log.address.toLowerCase())
  const watched = contract?.byTopic.get(log.topics[0]?.toLowerCase() ?? '')
  if (!contract || !watched) return undefined
  const { family, fragment, decode } = watched
  const logIndex = Number(log.logIndex ?? log.index)
  let args: Record<string, Json>
  try {
    args = decode(log.topics, log.data)
  } catch (cause) {
    throw new LogDecodeError(
      `cannot decode ${fragment.name} from ${log.address} (tx ${log.transactionHash}, log ${logIndex}): ${
        (cause as Error).message
      }`,
      { cause },
    )
  }
  const { address } = contract
  const { key, fields } = family.identify({
    name: fragment.name,
    args,
    address,
    chainId,
    transactionHash: log.transactionHash,
    logIndex,
    contract: contract.contract,
  })
  return { event: fragment.name, kind: family.kind as ContractKind, address, args, ...fields, key }
}
