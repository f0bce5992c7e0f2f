import { getAddress, Interface, type Result } from 'ethers'
import { BifrostError } from '../errors'
import { FORWARDER_FRAGMENTS, OPERATOR_FULFILL_FRAGMENTS } from './abi'
import type { DecodedEvent } from './decode'
import type { Json } from '../json'

/** What the node answered, read from the calldata of the transaction that emitted OracleResponse. */
export type Fulfillment =
  | {
      decoded: true
      method: 'fulfillOracleRequest' | 'fulfillOracleRequest2'
      /** The AuthorizedForwarder the node sent through, when it did */
      forwarder?: string
      /** The transaction's sender: the node's account */
      sender: string
      payment: string
      callbackAddress: string
      callbackFunctionId: string
      expiration: string
      /** fulfillOracleRequest: the bytes32 answer; fulfillOracleRequest2: the whole `data` (request id first) */
      data: string
      /** The answer as an unsigned decimal, when it is exactly one 32-byte word */
      value?: string
    }
  | { decoded: false; reason: string }

/** The request's own fields, remembered from its OracleRequest. */
export interface RequestFields {
  specId: string
  requester: string
  payment: string
  callbackAddress: string
  callbackFunctionId: string
  cancelExpiration: string
  dataVersion: string
  blockNumber: number
  transactionHash: string
}

export interface EnrichedEvent extends DecodedEvent {
  /** OracleResponse only */
  fulfillment?: Fulfillment
  /** OracleResponse and CancelOracleRequest, when this process saw the OracleRequest */
  request?: RequestFields
  /** OracleResponse: fulfilment block minus request block */
  latencyBlocks?: number
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

export class FulfillmentLookupError extends BifrostError {}

const operatorInterface = new Interface(OPERATOR_FULFILL_FRAGMENTS)
const forwarderInterface = new Interface(FORWARDER_FRAGMENTS)
const FULFILL_SELECTORS = new Set<string>()
operatorInterface.forEachFunction((f) => FULFILL_SELECTORS.add(f.selector))
const FORWARD_SELECTOR = forwarderInterface.getFunction('forward')!.selector

const fromCall = (call: Result, method: 'fulfillOracleRequest' | 'fulfillOracleRequest2', sender: string, forwarder?: string): Fulfillment => {
  const data = call[5] as string
  const words = (data.length - 2) / 64
  let value: string | undefined
  if (method === 'fulfillOracleRequest') value = BigInt(data).toString()
  // fulfillOracleRequest2's data starts with the request id; one more word is a single answer.
  else if (words === 2) value = BigInt(`0x${data.slice(66)}`).toString()
  return {
    decoded: true,
    method,
    ...(forwarder ? { forwarder } : {}),
    sender,
    payment: (call[1] as bigint).toString(),
    callbackAddress: getAddress(call[2] as string),
    callbackFunctionId: call[3] as string,
    expiration: (call[4] as bigint).toString(),
    data,
    ...(value !== undefined ? { value } : {}),
  }
}

/**
 * Finds the fulfilment of `requestId` in a transaction's calldata: a direct call
 * to the Operator, or one wrapped in an AuthorizedForwarder's `forward(address,bytes)`.
 * Anything else (a contract calling the Operator internally) is reported as not
 * decoded, with the reason, rather than guessed.
 */
export const decodeFulfillment = (tx: TransactionLike, operator: string, requestId: string): Fulfillment => {
  const input = (tx.input ?? tx.data ?? '0x').toLowerCase()
  const sender = getAddress(tx.from)
  const to = tx.to ? getAddress(tx.to) : null
  const operatorAddress = getAddress(operator)
  let call = input
  let forwarder: string | undefined
  if (to !== operatorAddress && input.startsWith(FORWARD_SELECTOR)) {
    try {
      const forwarded = forwarderInterface.decodeFunctionData('forward', input)
      if (getAddress(forwarded[0] as string) === operatorAddress) {
        call = (forwarded[1] as string).toLowerCase()
        forwarder = to ?? undefined
      }
    } catch {
      // Same selector, other layout: not a forwarder call after all.
    }
  }
  const selector = call.slice(0, 10)
  if ((to === operatorAddress || forwarder) && FULFILL_SELECTORS.has(selector)) {
    const fragment = operatorInterface.getFunction(selector)!
    let decoded: Result
    try {
      decoded = operatorInterface.decodeFunctionData(fragment, call)
    } catch (cause) {
      return { decoded: false, reason: `${fragment.name} calldata of ${tx.hash} does not decode: ${(cause as Error).message}` }
    }
    if ((decoded[0] as string).toLowerCase() !== requestId.toLowerCase()) {
      return { decoded: false, reason: `${fragment.name} in ${tx.hash} fulfils ${decoded[0] as string}, not this request` }
    }
    return fromCall(decoded, fragment.name as 'fulfillOracleRequest' | 'fulfillOracleRequest2', sender, forwarder)
  }
  return {
    decoded: false,
    reason: `transaction ${tx.hash} calls ${to ?? 'no contract'} with selector ${input.slice(0, 10)}: not the Operator's fulfillOracleRequest/fulfillOracleRequest2, directly or through an AuthorizedForwarder's forward(); the Operator was called from inside another contract`,
  }
}

export interface FulfillmentEnricherOptions {
  /**
   * Looks a transaction up by hash (through the chain's RPC failover, asking only endpoints that have reached its
   * block); null when the node does not know it
   */
  getTransaction(hash: string, blockNumber: number): Promise<TransactionLike | null>
  /** OracleRequests remembered for enrichment; the oldest are forgotten first (default 100,000) */
  maxRequests?: number
}

export interface FulfillmentEnricher {
  /**
   * Call with every confirmed event, in chain order. Remembers OracleRequests and
   * returns OracleResponse / CancelOracleRequest with their fulfilment and request
   * fields added; other events come back unchanged.
   */
  enrich(event: DecodedEvent, log: { blockNumber: number; transactionHash: string }): Promise<EnrichedEvent>
  /** How many requests are remembered (bounded by maxRequests) */
  readonly size: number
}

const str = (v: Json | undefined): string => String(v)

export const createFulfillmentEnricher = (options: FulfillmentEnricherOptions): FulfillmentEnricher => {
  const maxRequests = options.maxRequests ?? 100_000
  // Map iteration order is insertion order: the first key is the oldest request.
  const requests = new Map<string, RequestFields>()
  const remember = (requestId: string, fields: RequestFields) => {
    requests.delete(requestId)
    requests.set(requestId, fields)
    if (requests.size > maxRequests) requests.delete(requests.keys().next().value as string)
  }
  return {
    get size() {
      return requests.size
    },
    enrich: async (event, log) => {
      if (event.kind !== 'operator' || !event.requestId) return event
      if (event.event === 'OracleRequest') {
        const a = event.args
        remember(event.requestId, {
          specId: str(a['specId']),
          requester: str(a['requester']),
          payment: str(a['payment']),
          callbackAddress: str(a['callbackAddr']),
          callbackFunctionId: str(a['callbackFunctionId']),
          cancelExpiration: str(a['cancelExpiration']),
          dataVersion: str(a['dataVersion']),
          blockNumber: log.blockNumber,
          transactionHash: log.transactionHash,
        })
        return event
      }
      const request = requests.get(event.requestId)
      const enriched: EnrichedEvent = { ...event, ...(request ? { request } : {}) }
      if (event.event !== 'OracleResponse') return enriched
      let tx: TransactionLike | null
      try {
        tx = await options.getTransaction(log.transactionHash, log.blockNumber)
      } catch (cause) {
        throw new FulfillmentLookupError(`cannot fetch transaction ${log.transactionHash} of OracleResponse ${event.requestId}`, { cause })
      }
      // Nodes that prune their transaction index (geth keeps about a year by default) answer null for older ones:
      // waiting would stall the chain for good, so the event goes out without its fulfilment, saying why.
      enriched.fulfillment = tx
        ? decodeFulfillment(tx, event.address, event.requestId)
        : {
            decoded: false,
            reason: `the node does not know transaction ${log.transactionHash} (block ${log.blockNumber}): its transaction index does not reach back that far (pruned), so the answer cannot be read from the calldata`,
          }
      if (request) enriched.latencyBlocks = log.blockNumber - request.blockNumber
      return enriched
    },
  }
}
