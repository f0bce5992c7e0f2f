import { decodeRequestParams, type CborValue } from '../../chain/cbor'
import type { Json } from '../../json'
import type { DecodedEvent } from '../decode'
import type { ContractFamily, FamilyEnricher } from './family'
import { decodeFulfillment, type Fulfillment } from './operator-fulfillment'
import { transactionOf } from './transaction'

/** The request's own fields, remembered from its OracleRequest. */
export type RequestFields = {
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

export interface OperatorFields {
  /** Operator and client events: the Chainlink request id */
  requestId?: string
  /** OracleRequest only: the request's CBOR parameters, decoded (absent when they are not valid CBOR) */
  params?: Record<string, Json>
  /** OracleResponse only */
  fulfillment?: Fulfillment
  /** OracleResponse and CancelOracleRequest, when this process saw the OracleRequest */
  request?: RequestFields
  /** OracleResponse: fulfilment block minus request block */
  latencyBlocks?: number
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

const str = (v: Json | undefined): string => String(v)

/**
 * Remembers OracleRequests and adds their fields to the OracleResponse /
 * CancelOracleRequest that follow, and the fulfilment decoded from the
 * response's calldata.
 */
const createOperatorEnricher: ContractFamily['createEnricher'] = (options): FamilyEnricher => {
  const maxRequests = options.maxRequests ?? 100_000
  // Map iteration order is insertion order: the first key is the oldest request.
  const requests = new Map<string, RequestFields>()
  const observe = (event: DecodedEvent, log: { blockNumber: number; transactionHash: string }) => {
    if (event.event !== 'OracleRequest' || !event.requestId) return
    const a = event.args
    requests.delete(event.requestId)
    requests.set(event.requestId, {
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
    if (requests.size > maxRequests) requests.delete(requests.keys().next().value as string)
  }
  return {
    get size() {
      return requests.size
    },
    observe,
    enrich: async (event, log) => {
      if (!event.requestId) return event
      if (event.event === 'OracleRequest') {
        observe(event, log)
        return event
      }
      const request = requests.get(event.requestId)
      const enriched: DecodedEvent = { ...event, ...(request ? { request } : {}) }
      if (event.event !== 'OracleResponse') return enriched
      const found = await transactionOf(options, log, `OracleResponse ${event.requestId}`)
      enriched.fulfillment = found.tx
        ? decodeFulfillment(found.tx, event.address, event.requestId)
        : { decoded: false, reason: found.reason }
      if (request) enriched.latencyBlocks = log.blockNumber - request.blockNumber
      return enriched
    },
  }
}

/** Chainlink Operator (@chainlink/contracts operatorforwarder/Operator.sol): direct requests, keyed by request id. */
export const operator = {
  kind: 'operator',
  fragments: [
    'event OracleRequest(bytes32 indexed specId, address requester, bytes32 requestId, uint256 payment, address callbackAddr, bytes4 callbackFunctionId, uint256 cancelExpiration, uint256 dataVersion, bytes data)',
    'event OracleResponse(bytes32 indexed requestId)',
    'event CancelOracleRequest(bytes32 indexed requestId)',
  ],
  identify: ({ name, args, chainId }) => {
    const requestId = args['requestId'] as string
    const params = name === 'OracleRequest' ? requestParams(args['data']) : undefined
    return { key: `${chainId}:${requestId}`, fields: { requestId, ...(params ? { params } : {}) } }
  },
  createEnricher: createOperatorEnricher,
  describe: (e) => {
    const parts: string[] = []
    if (e.params) parts.push(`params ${JSON.stringify(e.params)}`)
    if (e.fulfillment?.decoded)
      parts.push(`value ${e.fulfillment.value ?? e.fulfillment.data} via ${e.fulfillment.method}`)
    else if (e.fulfillment) parts.push(`fulfilment not decoded: ${e.fulfillment.reason}`)
    if (e.latencyBlocks !== undefined) parts.push(`after ${e.latencyBlocks} block(s)`)
    return parts
  },
} as const satisfies ContractFamily
