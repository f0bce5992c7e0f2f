import { AbiCoder, getAddress, Interface, type Result } from 'ethers'
import type { TransactionLike } from './family'

/** Data Streams' VerifierProxy entry point (llo-feeds VerifierProxy.sol), decoded from a ReportVerified's transaction. */
export const VERIFIER_PROXY_FRAGMENTS = [
  'function verify(bytes payload, bytes parameterPayload) payable returns (bytes)',
] as const

/** The report a ReportVerified verified: schema v3 (crypto streams) decoded, from the calldata of VerifierProxy.verify. */
export type VerifiedReport =
  | {
      decoded: true
      /** The transaction's sender: who asked for the verification */
      sender: string
      /** The report schema version: the first 2 bytes of the feed id */
      schema: 3
      feedId: string
      /** Unix seconds, decimal strings */
      validFromTimestamp: string
      observationsTimestamp: string
      expiresAt: string
      /** Verification fees in native and in LINK wei, decimal strings */
      nativeFee: string
      linkFee: string
      /** The benchmark price, bid and ask: int192 as decimal strings (18 decimals for most streams) */
      price: string
      bid: string
      ask: string
    }
  | { decoded: false; reason: string }

const proxyInterface = new Interface(VERIFIER_PROXY_FRAGMENTS)
const VERIFY_SELECTOR = proxyInterface.getFunction('verify')!.selector
const abi = AbiCoder.defaultAbiCoder()

/** verify()'s payload: what the DON signed, as the Verifier decodes it */
const SIGNED_REPORT = ['bytes32[3]', 'bytes', 'bytes32[]', 'bytes32[]', 'bytes32']
/** Report schema v3 (llo-feeds v0.3.0 reports: feedId, validFromTimestamp, observationsTimestamp, nativeFee, linkFee, expiresAt, benchmarkPrice, bid, ask) */
const REPORT_V3 = ['bytes32', 'uint32', 'uint32', 'uint192', 'uint192', 'uint32', 'int192', 'int192', 'int192']

/**
 * Finds the report behind a ReportVerified in its transaction's calldata: a
 * direct call of a VerifierProxy's `verify(payload, parameterPayload)`.
 * Anything else (verifyBulk, a contract calling the proxy) is reported as not
 * decoded, with the reason; so is a schema other than v3.
 */
export const decodeVerifiedReport = (tx: TransactionLike, feedId: string): VerifiedReport => {
  const input = (tx.input ?? tx.data ?? '0x').toLowerCase()
  if (!input.startsWith(VERIFY_SELECTOR)) {
    return {
      decoded: false,
      reason: `transaction ${tx.hash} calls ${tx.to ?? 'no contract'} with selector ${input.slice(
        0,
        10,
      )}: not a VerifierProxy's verify(bytes,bytes); the verification was asked for from inside another contract (or in bulk)`,
    }
  }
  let reportData: string
  try {
    const call = proxyInterface.decodeFunctionData('verify', input)
    reportData = (abi.decode(SIGNED_REPORT, call[0] as string)[1] as string).toLowerCase()
  } catch (cause) {
    return { decoded: false, reason: `verify() calldata of ${tx.hash} does not decode: ${(cause as Error).message}` }
  }
  const schema = Number.parseInt(reportData.slice(2, 6), 16)
  if (reportData.slice(0, 66) !== feedId.toLowerCase()) {
    return {
      decoded: false,
      reason: `verify() in ${tx.hash} verifies a report of feed ${reportData.slice(0, 66)}, not ${feedId}`,
    }
  }
  if (schema !== 3) {
    return { decoded: false, reason: `the report of ${feedId} is schema v${schema}; Bifrost decodes v3` }
  }
  let report: Result
  try {
    report = abi.decode(REPORT_V3, reportData)
  } catch (cause) {
    return { decoded: false, reason: `the v3 report in ${tx.hash} does not decode: ${(cause as Error).message}` }
  }
  const text = (i: number) => (report[i] as bigint).toString()
  return {
    decoded: true,
    sender: getAddress(tx.from),
    schema: 3,
    feedId: feedId.toLowerCase(),
    validFromTimestamp: text(1),
    observationsTimestamp: text(2),
    expiresAt: text(5),
    nativeFee: text(3),
    linkFee: text(4),
    price: text(6),
    bid: text(7),
    ask: text(8),
  }
}
