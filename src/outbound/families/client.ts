import type { ContractFamily } from './family'

/** Any consumer built on ChainlinkClient.sol: its request's events, keyed like the Operator's so they share a partition. */
export const client = {
  kind: 'client',
  fragments: [
    'event ChainlinkRequested(bytes32 indexed id)',
    'event ChainlinkFulfilled(bytes32 indexed id)',
    'event ChainlinkCancelled(bytes32 indexed id)',
  ],
  identify: ({ args, chainId }) => {
    const requestId = args['id'] as string
    return { key: `${chainId}:${requestId}`, fields: { requestId } }
  },
} as const satisfies ContractFamily

export interface ClientFields {
  /** Operator and client events: the Chainlink request id */
  requestId?: string
}
