import { getAddress, Interface, type Result } from 'ethers'
import type { TransactionLike } from './family'

/** The Operator's fulfilment entry points, decoded from an OracleResponse's transaction. */
export const OPERATOR_FULFILL_FRAGMENTS = [
  'function fulfillOracleRequest(bytes32 requestId, uint256 payment, address callbackAddress, bytes4 callbackFunctionId, uint256 expiration, bytes32 data)',
  'function fulfillOracleRequest2(bytes32 requestId, uint256 payment, address callbackAddress, bytes4 callbackFunctionId, uint256 expiration, bytes data)',
] as const

/** AuthorizedForwarder: nodes that send through a forwarder wrap the Operator call in this. */
export const AUTHORIZED_FORWARDER_FRAGMENTS = ['function forward(address to, bytes data)'] as const

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

const operatorInterface = new Interface(OPERATOR_FULFILL_FRAGMENTS)
const forwarderInterface = new Interface(AUTHORIZED_FORWARDER_FRAGMENTS)
const FULFILL_SELECTORS = new Set<string>()
operatorInterface.forEachFunction((f) => FULFILL_SELECTORS.add(f.selector))
const FORWARD_SELECTOR = forwarderInterface.getFunction('forward')!.selector

const fromCall = (
  call: Result,
  method: 'fulfillOracleRequest' | 'fulfillOracleRequest2',
  sender: string,
  forwarder?: string,
): Fulfillment => {
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
      return {
        decoded: false,
        reason: `${fragment.name} calldata of ${tx.hash} does not decode: ${(cause as Error).message}`,
      }
    }
    if ((decoded[0] as string).toLowerCase() !== requestId.toLowerCase()) {
      return {
        decoded: false,
        reason: `${fragment.name} in ${tx.hash} fulfils ${decoded[0] as string}, not this request`,
      }
    }
    return fromCall(decoded, fragment.name as 'fulfillOracleRequest' | 'fulfillOracleRequest2', sender, forwarder)
  }
  return {
    decoded: false,
    reason: `transaction ${tx.hash} calls ${to ?? 'no contract'} with selector ${input.slice(
      0,
      10,
    )}: not the Operator's fulfillOracleRequest/fulfillOracleRequest2, directly or through an AuthorizedForwarder's forward(); the Operator was called from inside another contract`,
  }
}
