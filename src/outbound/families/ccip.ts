import { z } from 'zod'
import type { Json } from '../../json'
import type { WatchedContract } from '../decode'
import { selectorTable, type SelectorTable } from './ccip-selectors'
import type { EnricherOptions } from './family'

export type CcipVersion = '1.5' | '1.6'

/** CCIP's Internal.MessageExecutionState, by number */
export const EXECUTION_STATES = ['UNTOUCHED', 'IN_PROGRESS', 'SUCCESS', 'FAILURE'] as const

const selector = z.string().regex(/^[0-9]{1,20}$/, 'expected a CCIP chain selector: a decimal uint64')

/** Settings both ramps take */
export const versionSetting = z
  .enum(['1.5', '1.6'])
  .meta({ description: "Pins the CCIP version the ramp speaks (default: recognised from each event's topic)." })

export const selectorSetting = (description: string) => selector.meta({ description })

/** The events of the contract's version when it pins one, else all */
export const fragmentsOfVersion = (
  byVersion: Record<CcipVersion, string>,
  contract: WatchedContract,
): readonly string[] =>
  contract['version'] ? [byVersion[contract['version'] as CcipVersion]] : Object.values(byVersion)

/** A CCIP message's send, as the source chain's OnRamp logged it */
export type CcipSend = {
  role: 'send'
  version: CcipVersion
  /** The watched chain's `name` (events.chains) */
  chain: string
  sourceChainSelector: string
  sourceChain?: string
  /** Absent for a v1.5 OnRamp without its `destChainSelector` setting */
  destChainSelector?: string
  destChain?: string
  sequenceNumber: string
  nonce: string
  sender: string
  /** v1.5: an address; v1.6: the encoded receiver bytes */
  receiver: string
  feeToken: string
  feeTokenAmount: string
  tokenAmounts: Array<{ token?: string; sourcePoolAddress?: string; amount: string }>
}

/** One execution attempt of a CCIP message, as the destination chain's OffRamp logged it */
export type CcipExecution = {
  role: 'execution'
  version: CcipVersion
  chain: string
  /** v1.6 logs it; v1.5 from the OffRamp's `sourceChainSelector` setting (absent without it) */
  sourceChainSelector?: string
  sourceChain?: string
  /** The watched chain's selector, when the table knows its chain id */
  destChainSelector?: string
  destChain?: string
  sequenceNumber: string
  state: (typeof EXECUTION_STATES)[number] | 'UNKNOWN'
  stateCode: number
  returnData: string
  /** v1.6 only */
  messageHash?: string
  gasUsed?: string
}

/** What the state topic knows of a message's send: the value of its record, keyed by message id */
export type CcipSendState = {
  /** The source chain's `name` (events.chains) and chain id */
  chain: string
  chainId: number
  blockNumber: number
  blockHash: string
  blockTimestamp: number
  transactionHash: string
  logIndex: number
  sourceChainSelector: string
  destChainSelector?: string
  sequenceNumber: string
  sender: string
  receiver: Json
  feeToken: string
  feeTokenAmount: string
  tokenAmounts: Json
}

export interface CcipFields {
  /** CCIP events: the message id, which the key carries too */
  messageId?: string
  ccip?: CcipSend | CcipExecution
  /** An execution: its message's send as events.ccip.stateTopic had it when the execution was published, else null */
  send?: CcipSendState | null
  /** An execution whose send was known: its block's timestamp minus the send's, in seconds */
  latencySeconds?: number
}

/** The chain names a ramp's messages carry: the selector table with events.ccip.chainSelectors applied */
export const chainsOf = (options: EnricherOptions): { table: SelectorTable; name: string; chainId: number } => ({
  table: selectorTable(options.ccipChainSelectors),
  name: options.chain?.name ?? '',
  chainId: options.chain?.chainId ?? 0,
})

/** `{ <what>ChainSelector, <what>Chain }` for a selector, the name only when known */
export const named = (
  what: 'source' | 'dest',
  selector: string | undefined,
  table: SelectorTable,
): Record<string, Json> => {
  if (selector === undefined) return {}
  const name = table.nameOf(selector)
  return { [`${what}ChainSelector`]: selector, ...(name ? { [`${what}Chain`]: name } : {}) }
}

export const ccipKey = (messageId: string) => ({ key: `ccip:${messageId}`, fields: { messageId } })
