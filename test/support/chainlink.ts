import type { JsonRpcProvider, JsonRpcSigner, Log, TransactionReceipt } from 'ethers'
import { startAnvil, type Anvil } from '../../src/dev/anvil'
import { deployChainlink, type ChainlinkDeployment } from '../../src/dev/contracts'
import { DEMO_CHAIN_ID, DEMO_SPEC_ID, DEMO_TIMES } from '../../src/dev/demo-chain'
import { devProvider, mined } from '../../src/dev/transactions'
import { decodeLog, type DecodedEvent, type WatchedContract } from '../../src/outbound/decode'

export const CHAIN_ID = DEMO_CHAIN_ID
export const SPEC_ID = DEMO_SPEC_ID
export const TIMES = DEMO_TIMES
export const PAYMENT = 10n ** 17n

/** A real anvil with the real Chainlink contracts deployed: the chain every outbound test starts from */
export interface ChainlinkChain {
  anvil: Anvil
  provider: JsonRpcProvider
  deployer: JsonRpcSigner
  /** The Chainlink node's account (authorized on the Operator and the forwarder) */
  node: JsonRpcSigner
  deployment: ChainlinkDeployment
  /** Operator, consumer (client) and aggregator, as Bifrost would be configured to watch them */
  watched: WatchedContract[]
  /** Consumer request: `requestChainlink` (dataVersion 1) or `requestOperator` (dataVersion 2) */
  request(dataVersion: 1 | 2, feed?: string): Promise<TransactionReceipt>
  /** Every watched event of a receipt, decoded */
  decode(receipt: TransactionReceipt): DecodedEvent[]
  stop(): Promise<void>
}

/** anvil and a provider on it; `stop` ends both. For chains whose setup may fail half-way: call stop, rethrow. */
export const startAnvilWithProvider = async (options: { blockTime?: number; chainId?: number } = {}) => {
  const anvil = await startAnvil(options)
  const provider = devProvider(anvil.rpcUrl, 50)
  const stop = async () => {
    provider.destroy()
    await anvil.stop()
  }
  return { anvil, provider, stop }
}

export const startChainlinkChain = async (options: { blockTime?: number } = {}): Promise<ChainlinkChain> => {
  const { anvil, provider, stop } = await startAnvilWithProvider(options)
  try {
    const deployer = await provider.getSigner(0)
    const node = await provider.getSigner(1)
    const deployment = await deployChainlink(deployer, { nodes: [await node.getAddress()] })
    const watched: WatchedContract[] = [
      { address: deployment.addresses.operator, kind: 'operator' },
      { address: deployment.addresses.consumer, kind: 'client' },
      { address: deployment.addresses.aggregator, kind: 'aggregator' },
    ]
    return {
      anvil,
      provider,
      deployer,
      node,
      deployment,
      watched,
      request: (dataVersion, feed = 'ETH/USD') =>
        mined(
          deployment.consumer.getFunction(dataVersion === 1 ? 'requestChainlink' : 'requestOperator')(
            SPEC_ID,
            feed,
            TIMES,
            PAYMENT,
          ),
        ),
      decode: (receipt) =>
        receipt.logs
          .map((log: Log) => decodeLog(log, watched, CHAIN_ID))
          .filter((e): e is DecodedEvent => e !== undefined),
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}
