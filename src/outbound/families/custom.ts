import type { ContractFamily } from './family'

/** Any contract, with the event fragments configured in its `abi`; each log is its own key. */
export const custom = {
  kind: 'custom',
  watches: 'the events of `abi`',
  identify: ({ chainId, transactionHash, logIndex }) => ({ key: `${chainId}:${transactionHash}:${logIndex}` }),
} as const satisfies ContractFamily
