import type { Json } from '../../json'
import { ccipKey, chainsOf, fragmentsOfVersion, named, selectorSetting, versionSetting, type CcipSend } from './ccip'
import type { ContractFamily } from './family'

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

/** The send as the log says it; the chain names are added per chain by the enricher */
const sendOf = (name: string, args: Record<string, Json>, destSetting: string | undefined): CcipSend => {
  const message = args['message'] as Obj
  if (name === 'CCIPSendRequested') {
    return {
      role: 'send',
      version: '1.5',
      chain: '',
      sourceChainSelector: message['sourceChainSelector'] as string,
      ...(destSetting !== undefined ? { destChainSelector: destSetting } : {}),
      sequenceNumber: message['sequenceNumber'] as string,
      nonce: message['nonce'] as string,
      sender: message['sender'] as string,
      receiver: message['receiver'] as string,
      feeToken: message['feeToken'] as string,
      feeTokenAmount: message['feeTokenAmount'] as string,
      tokenAmounts: (message['tokenAmounts'] as Obj[]).map((t) => ({
        token: t['token'] as string,
        amount: t['amount'] as string,
      })),
    }
  }
  const header = message['header'] as Obj
  return {
    role: 'send',
    version: '1.6',
    chain: '',
    sourceChainSelector: header['sourceChainSelector'] as string,
    destChainSelector: header['destChainSelector'] as string,
    sequenceNumber: header['sequenceNumber'] as string,
    nonce: header['nonce'] as string,
    sender: message['sender'] as string,
    receiver: message['receiver'] as string,
    feeToken: message['feeToken'] as string,
    feeTokenAmount: message['feeTokenAmount'] as string,
    tokenAmounts: (message['tokenAmounts'] as Obj[]).map((t) => ({
      sourcePoolAddress: t['sourcePoolAddress'] as string,
      amount: t['amount'] as string,
    })),
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
      'v1.5 OnRamps serve one lane and do not log the destination: its chain selector, carried by every send.'
    ),
  },
  fragmentsFor: (contract) => fragmentsOfVersion(FRAGMENTS, contract),
  identify: ({ name, args, contract }) => {
    const { key, fields } = ccipKey(messageIdOf(name, args))
    return { key, fields: { ...fields, ccip: sendOf(name, args, contract['destChainSelector'] as string | undefined) } }
  },
  createEnricher: (options) => {
    const { table, name: chain } = chainsOf(options)
    return {
      size: 0,
      observe: () => undefined,
      enrich: async (event) => {
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
      },
    }
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
