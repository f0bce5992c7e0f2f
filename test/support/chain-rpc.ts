import { createChainRpc, type ChainRpc } from '../../src/chain/failover'

/** RPC failover over `urls` as a chain watcher sets it up, for tests of what sits on top of it */
export const testChainRpc = (chainId: number, urls: string[], timeoutMs = 2000): ChainRpc =>
  createChainRpc(urls, { chainId, timeoutMs, maxLagBlocks: 2, chainName: 'test' })
