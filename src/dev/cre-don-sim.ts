import { AbiCoder, concat, keccak256, toBeHex, Wallet, zeroPadValue, type Contract } from 'ethers'
import { BifrostError } from '../errors'

export class CreDonSimError extends BifrostError {
  static override readonly code = 'BIFROST_DEV_CRE_DON_SIM_FAILED'
}

/** The workflow a report comes from, as rawReport carries it */
export interface Workflow {
  /** bytes32 */
  id: string
  /** bytes10 */
  name: string
  owner: string
}

/** rawReport's metadata (KeystoneForwarder._getMetadata) */
export interface ReportMetadata {
  version?: number
  workflowExecutionId: string
  /** Unix seconds */
  timestamp: number
  donId: number
  donConfigVersion: number
  workflow: Workflow
  /** bytes2 */
  reportId: string
}

/** A DON's signing keys and its fault tolerance, as KeystoneForwarder.setConfig takes them */
export interface Don {
  donId: number
  configVersion: number
  f: number
  signers: Wallet[]
}

/** A DON of `n` deterministic signers (test keys, never funded), tolerating `f` faults */
export const createDon = (options: {
  donId: number
  configVersion?: number
  n?: number
  f?: number
  seed?: string
}): Don => {
  const n = options.n ?? 4
  const f = options.f ?? 1
  const seed = options.seed ?? 'bifrost-dev-don'
  return {
    donId: options.donId,
    configVersion: options.configVersion ?? 1,
    f,
    signers: Array.from({ length: n }, (_, i) => new Wallet(keccak256(Buffer.from(`${seed}:${options.donId}:${i}`)))),
  }
}

const uint = (value: number | bigint, bytes: number) => toBeHex(value, bytes)

/**
 * version u8 | workflowExecutionId bytes32 | timestamp u32 | donId u32 |
 * donConfigVersion u32 | workflowId bytes32 | workflowName bytes10 |
 * workflowOwner address | reportId bytes2 | payload: 109 bytes of metadata, then the payload.
 */
export const encodeRawReport = (metadata: ReportMetadata, payload: string): string =>
  concat([
    uint(metadata.version ?? 1, 1),
    zeroPadValue(metadata.workflowExecutionId, 32),
    uint(metadata.timestamp, 4),
    uint(metadata.donId, 4),
    uint(metadata.donConfigVersion, 4),
    zeroPadValue(metadata.workflow.id, 32),
    metadata.workflow.name,
    metadata.workflow.owner,
    metadata.reportId,
    payload,
  ])

/**
 * f+1 signatures over keccak256(abi.encodePacked(keccak256(rawReport), reportContext)),
 * each r || s || v with v in {0, 1}: what KeystoneForwarder.report verifies with ecrecover(v + 27).
 */
export const signReport = (don: Don, rawReport: string, reportContext: string, signers = don.f + 1): string[] => {
  if (signers > don.signers.length)
    throw new CreDonSimError(`the DON has ${don.signers.length} signers, not ${signers}`)
  const digest = keccak256(concat([keccak256(rawReport), reportContext]))
  return don.signers.slice(0, signers).map((wallet) => {
    const signature = wallet.signingKey.sign(digest)
    return concat([signature.r, signature.s, uint(signature.v - 27, 1)])
  })
}

/** OCR3's report context: config digest, sequence number, and a zero word */
export const reportContext = (sequence: number | bigint): string =>
  concat([keccak256(Buffer.from('bifrost-dev-config')), uint(sequence, 32), new Uint8Array(32)])

/** A DataFeedsCache decimal report payload: abi.encode(ReceivedDecimalReport[]) of (bytes32 dataId, uint32 timestamp, uint224 answer) */
export const decimalReports = (reports: Array<{ dataId: string; timestamp: number; answer: bigint }>): string =>
  AbiCoder.defaultAbiCoder().encode(
    ['tuple(bytes32,uint32,uint224)[]'],
    [reports.map((r) => [`${r.dataId}${'0'.repeat(66 - r.dataId.length)}`, r.timestamp, r.answer])],
  )

/** The DON's signers, for KeystoneForwarder.setConfig(donId, configVersion, f, signers) */
export const configureDon = async (forwarder: Contract, don: Don) =>
  forwarder.getFunction('setConfig')(
    don.donId,
    don.configVersion,
    don.f,
    don.signers.map((s) => s.address),
  )

/** Calldata args of KeystoneForwarder.report for `payload`, signed by f+1 of the DON */
export const reportArgs = (
  don: Don,
  receiver: string,
  metadata: Omit<ReportMetadata, 'donId' | 'donConfigVersion'>,
  payload: string,
  sequence: number | bigint,
): [string, string, string, string[]] => {
  const raw = encodeRawReport({ ...metadata, donId: don.donId, donConfigVersion: don.configVersion }, payload)
  const context = reportContext(sequence)
  return [receiver, raw, context, signReport(don, raw, context)]
}

/** bytes10 of a short ASCII name, as workflow names appear in reports */
export const workflowName = (name: string): string => {
  const bytes = Buffer.from(name, 'utf8')
  if (bytes.length > 10) throw new CreDonSimError(`workflow name ${name} is longer than 10 bytes`)
  return `0x${Buffer.concat([bytes, Buffer.alloc(10 - bytes.length)]).toString('hex')}`
}
