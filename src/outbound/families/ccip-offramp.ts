import type { Json } from '../../json'
import {
  ccipKey,
  chainsOf,
  EXECUTION_STATES,
  fragmentsOfVersion,
  named,
  selectorSetting,
  versionSetting,
  type CcipExecution,
} from './ccip'
import type { ContractFamily } from './family'
import { stateless } from './stateless'

const FRAGMENTS = {
  '1.5':
    'event ExecutionStateChanged(uint64 indexed sequenceNumber, bytes32 indexed messageId, uint8 state, bytes returnData)',
  '1.6':
    'event ExecutionStateChanged(uint64 indexed sourceChainSelector, uint64 indexed sequenceNumber, bytes32 indexed messageId, bytes32 messageHash, uint8 state, bytes returnData, uint256 gasUsed)',
} as const

/** The execution as the log says it; the chain names are added per chain by the enricher */
const executionOf = (args: Record<string, Json>, sourceSetting: string | undefined): CcipExecution => {
  const stateCode = Number(args['state'])
  const v16 = args['gasUsed'] !== undefined
  const source = v16 ? (args['sourceChainSelector'] as string) : sourceSetting
  return {
    role: 'execution',
    version: v16 ? '1.6' : '1.5',
    chain: '',
    ...(source !== undefined ? { sourceChainSelector: source } : {}),
    sequenceNumber: args['sequenceNumber'] as string,
    state: EXECUTION_STATES[stateCode] ?? 'UNKNOWN',
    stateCode,
    returnData: args['returnData'] as string,
    ...(v16 ? { messageHash: args['messageHash'] as string, gasUsed: args['gasUsed'] as string } : {}),
  }
}

/**
 * A CCIP lane's OffRamp on the destination chain (v1.5 EVM2EVMOffRamp, v1.6 OffRamp): every execution attempt
 * (a failure can be retried manually), keyed `ccip:<messageId>` like the message's send on the source chain.
 */
export const ccipOffRamp = {
  kind: 'ccip-offramp',
  fragments: Object.values(FRAGMENTS),
  settings: {
    version: versionSetting,
    sourceChainSelector: selectorSetting(
      'v1.5 OffRamps serve one lane and do not log the source: its chain selector, carried by every execution.',
    ),
  },
  fragmentsFor: (contract) => fragmentsOfVersion(FRAGMENTS, contract),
  identify: ({ args, contract }) => {
    const { key, fields } = ccipKey(args['messageId'] as string)
    return {
      key,
      fields: { ...fields, ccip: executionOf(args, contract['sourceChainSelector'] as string | undefined) },
    }
  },
  createEnricher: (options) => {
    const { table, name: chain, chainId } = chainsOf(options)
    const own = table.byChainId(chainId)
    return stateless(async (event) => {
      const execution = event.ccip as CcipExecution
      return {
        ...event,
        ccip: {
          ...execution,
          chain,
          ...named('source', execution.sourceChainSelector, table),
          ...named('dest', own?.selector, table),
        } as CcipExecution,
      }
    })
  },
  describe: (e) =>
    e.ccip?.role === 'execution'
      ? [
          `${e.ccip.state} of the message from ${
            e.ccip.sourceChain ?? e.ccip.sourceChainSelector ?? 'its lane'
          }, sequence ${e.ccip.sequenceNumber}`,
        ]
      : [],
} as const satisfies ContractFamily
