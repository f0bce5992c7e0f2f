import type { Json } from '../../json'
import { ccipKey, chainsOf, fragmentsOfVersion, named, selectorSetting, versionSetting, type CcipSend } from './ccip'
import type { ContractFamily } from './family'
import { stateless } from './stateless'

const FRAGMENTS = {
  '1.5':
    'event CCIPSendRequested((uint64 sourceChainSelector, address sender, address receiver, uint64 sequenceNumber, uint256 gasLimit, bool strict, uint64 nonce, address feeToken, uint256 feeTokenAmount, bytes data, (address token, uint256 amount)[] tokenAmounts, bytes[] sourceTokenData, bytes32 messageId) message)',
  '1.6':
    'event CCIPMessageSent(uint64 indexed destChainSelector, uint64 indexed sequenceNumber, ((bytes32 messageId, uint64 sourceChainSelector, uint64 destChainSelector, uint64 sequenceNumber, uint64 nonce) header, address sender, bytes data, bytes receiver, bytes extraArgs, address feeToken, uint256 feeTokenAmount, uint256 feeValueJuels, (address sourcePoolAddress, bytes destTokenAddress, bytes extraData, uint256 amount, bytes destExecData)[] tokenAmounts) message)',
} as const

type Obj = Record<string, Json>

const messageIdOf = (name: string, args: Record<string, Json>): string => {
  const message = args['message'] as Obj
  return (name === 'CCIPSendRequested' ? message['messageId'] : (message['header'] as Obj)['messageId']) as string
}

const str = (o: Obj, k: string) => o[k] as string

/** The send as the log says it; the chain names are added per chain by the enricher */
const sendOf = (name: string, args: Record<string, Json>, destSetting: string | undefined): CcipSend => {
  const message = args['message'] as Obj
  const v15 = name === 'CCIPSendRequested'
  // v1.5 keeps the routing fields in the message, v1.6 in its header
  const routing = v15 ? message : (message['header'] as Obj)
  const dest = v15 ? destSetting : str(routing, 'destChainSelector')
  return {
    role: 'send',
    version: v15 ? '1.5' : '1.6',
    chain: '',
    sourceChainSelector: str(routing, 'sourceChainSelector'),
    ...(dest !== undefined ? { destChainSelector: dest } : {}),
    sequenceNumber: str(routing, 'sequenceNumber'),
    nonce: str(routing, 'nonce'),
    sender: str(message, 'sender'),
    receiver: str(message, 'receiver'),
    feeToken: str(message, 'feeToken'),
    feeTokenAmount: str(message, 'feeTokenAmount'),
    tokenAmounts: (message['tokenAmounts'] as Obj[]).map((t) =>
      v15
        ? { token: str(t, 'token'), amount: str(t, 'amount') }
        : { sourcePoolAddress: str(t, 'sourcePoolAddress'), amount: str(t, 'amount') },
    ),
  }
}

/**
 * A CCIP lane's OnRamp on the source chain (v1.5 EVM2EVMOnRamp, v1.6 OnRamp): every message sent, keyed
 * `ccip:<messageId>` like its executions on the destination chain, so one partition holds a message's whole life.
 */
export const ccipOnRamp = {
  kind: 'ccip-onramp',
  fragments: Object.values(FRAGMENTS),
  settings: {
    version: versionSetting,
    destChainSelector: selectorSetting(
      'v1.5 OnRamps serve one lane and do not log the destination: its chain selector, carried by every send.',
    ),
  },
  fragmentsFor: (contract) => fragmentsOfVersion(FRAGMENTS, contract),
  identify: ({ name, args, contract }) => {
    const { key, fields } = ccipKey(messageIdOf(name, args))
    return { key, fields: { ...fields, ccip: sendOf(name, args, contract['destChainSelector'] as string | undefined) } }
  },
  createEnricher: (options) => {
    const { table, name: chain } = chainsOf(options)
    return stateless(async (event) => {
      const send = event.ccip as CcipSend
      return {
        ...event,
        ccip: {
          ...send,
          chain,
          ...named('source', send.sourceChainSelector, table),
          ...named('dest', send.destChainSelector, table),
        } as CcipSend,
      }
    })
  },
  describe: (e) =>
    e.ccip?.role === 'send'
      ? [
          `sent to ${e.ccip.destChain ?? e.ccip.destChainSelector ?? 'its lane'} by ${e.ccip.sender}, sequence ${
            e.ccip.sequenceNumber
          }`,
        ]
      : [],
} as const satisfies ContractFamily
