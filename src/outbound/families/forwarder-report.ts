import { getAddress, Interface, type Result } from 'ethers'
import type { TransactionLike } from './family'

/** KeystoneForwarder's entry point, decoded from a ReportProcessed's transaction. */
export const FORWARDER_REPORT_FRAGMENTS = [
  'function report(address receiver, bytes rawReport, bytes reportContext, bytes[] signatures)',
] as const

/** The report a CRE DON delivered, from the calldata of the transaction that emitted ReportProcessed. */
export type ForwarderReport =
  | {
      decoded: true
      /** The transaction's sender: the transmitting node */
      transmitter: string
      receiver: string
      /** rawReport metadata: integers as decimal strings, bytes as 0x hex */
      version: string
      workflowExecutionId: string
      timestamp: string
      donId: string
      donConfigVersion: string
      workflowId: string
      workflowName: string
      workflowOwner: string
      reportId: string
      /** What the receiver's onReport got as `report`: rawReport from byte 109 */
      payload: string
      /** The delivery's outcome, as ReportProcessed logged it */
      result: boolean
      /** How many DON signatures came with it (f + 1 when the forwarder accepted them) */
      signatures: number
    }
  | { decoded: false; reason: string }

const forwarderInterface = new Interface(FORWARDER_REPORT_FRAGMENTS)
const REPORT_SELECTOR = forwarderInterface.getFunction('report')!.selector

/** rawReport's metadata ends here; the payload follows */
const METADATA_LENGTH = 109

/** Byte ranges of rawReport's metadata (KeystoneForwarder._getMetadata, keystone/KeystoneForwarder.sol) */
const LAYOUT = {
  version: [0, 1, 'uint'],
  workflowExecutionId: [1, 33, 'bytes'],
  timestamp: [33, 37, 'uint'],
  donId: [37, 41, 'uint'],
  donConfigVersion: [41, 45, 'uint'],
  workflowId: [45, 77, 'bytes'],
  workflowName: [77, 87, 'bytes'],
  workflowOwner: [87, 107, 'address'],
  reportId: [107, 109, 'bytes'],
} as const

type Metadata = Record<keyof typeof LAYOUT, string>

const metadataOf = (raw: string): Metadata => {
  const out = {} as Metadata
  for (const [field, [from, to, type]] of Object.entries(LAYOUT) as Array<
    [keyof Metadata, (typeof LAYOUT)[keyof Metadata]]
  >) {
    const hex = raw.slice(2 + from * 2, 2 + to * 2)
    out[field] =
      type === 'uint' ? BigInt(`0x${hex}`).toString() : type === 'address' ? getAddress(`0x${hex}`) : `0x${hex}`
  }
  return out
}

export interface ReportedLog {
  /** The forwarder that logged ReportProcessed */
  forwarder: string
  receiver: string
  workflowExecutionId: string
  reportId: string
  result: boolean
}

/**
 * Finds the report behind a ReportProcessed in its transaction's calldata: a
 * direct call of the forwarder's `report`. Anything else (another contract
 * calling the forwarder) is reported as not decoded, with the reason.
 */
export const decodeForwarderReport = (tx: TransactionLike, log: ReportedLog): ForwarderReport => {
  const input = (tx.input ?? tx.data ?? '0x').toLowerCase()
  const to = tx.to ? getAddress(tx.to) : null
  if (to !== getAddress(log.forwarder) || !input.startsWith(REPORT_SELECTOR)) {
    return {
      decoded: false,
      reason: `transaction ${tx.hash} calls ${to ?? 'no contract'} with selector ${input.slice(
        0,
        10,
      )}: not the forwarder's report(); another contract called the forwarder`,
    }
  }
  let call: Result
  try {
    call = forwarderInterface.decodeFunctionData('report', input)
  } catch (cause) {
    return { decoded: false, reason: `report calldata of ${tx.hash} does not decode: ${(cause as Error).message}` }
  }
  const raw = (call[1] as string).toLowerCase()
  if ((raw.length - 2) / 2 < METADATA_LENGTH) {
    return {
      decoded: false,
      reason: `rawReport of ${tx.hash} has ${
        (raw.length - 2) / 2
      } bytes, fewer than the ${METADATA_LENGTH} of its metadata`,
    }
  }
  const metadata = metadataOf(raw)
  const receiver = getAddress(call[0] as string)
  if (
    receiver !== getAddress(log.receiver) ||
    metadata.workflowExecutionId !== log.workflowExecutionId.toLowerCase() ||
    metadata.reportId !== log.reportId.toLowerCase()
  ) {
    return {
      decoded: false,
      reason: `report() in ${tx.hash} delivers ${metadata.reportId} of execution ${metadata.workflowExecutionId} to ${receiver}, not this ReportProcessed's`,
    }
  }
  return {
    decoded: true,
    transmitter: getAddress(tx.from),
    receiver,
    ...metadata,
    payload: `0x${raw.slice(2 + METADATA_LENGTH * 2)}`,
    result: log.result,
    signatures: (call[3] as string[]).length,
  }
}
