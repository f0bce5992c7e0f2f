import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { parseEther } from 'ethers'
import { startAnvil, type Anvil } from './anvil'
import { startCronJobSim } from './chainlink-cron-sim'
import { deployChainlink, type ChainlinkDeployment } from './contracts'
import { deployCre, startCreReporter, type CreDeployment } from './cre'
import { devProvider } from './transactions'

const logger = makeLogger('DemoChain')

export const DEMO_CHAIN_ID = 31337
/** The job the demo consumer asks for; the stand-in node serves any spec id */
export const DEMO_SPEC_ID = `0x${Buffer.from('bifrost-demo-job').toString('hex').padEnd(64, '0')}`
/** The demo feed's result (e.g. 3012.45) times 10^8, as on-chain feeds scale USD prices */
export const DEMO_TIMES = 100_000_000n
/** The feed the stand-in DON writes to the Data Feeds cache */
export const DEMO_CRE_FEED = 'ETH/USD'

export interface DemoChain {
  anvil: Anvil
  deployment: ChainlinkDeployment
  /** CRE: a KeystoneForwarder delivering the demo feed to a DataFeedsCache */
  cre: CreDeployment
  /** The events chain watching the aggregator the cron job writes to, the forwarder and the cache, as it goes into `events.chains` */
  chainConfig: Record<string, unknown>
  /**
   * Starts the stand-in Chainlink node running a `cron` job every `intervalMs`:
   * it asks `bridgeUrl` for `feed` (no id, meta present) and writes the answer to the aggregator;
   * and a stand-in DON delivering `price()` (the feed's value) to the cache as often.
   */
  startActors(options: {
    bridgeUrl: string
    feed: string
    price: () => number
    intervalMs?: number
  }): Promise<{ stop(): Promise<void> }>
  stop(): Promise<void>
}

/**
 * The chain half of `bifrost dev`: anvil mining a block a second, the real
 * Chainlink contracts, and the actors that make oracle traffic on it.
 */
export const startDemoChain = async (): Promise<DemoChain> => {
  const anvil = await startAnvil({ blockTime: 1 })
  const provider = devProvider(anvil.rpcUrl, 250)
  const stop = async () => {
    provider.destroy()
    await anvil.stop()
  }
  try {
    const deployer = await provider.getSigner(0)
    const node = await provider.getSigner(1)
    const deployment = await deployChainlink(deployer, {
      nodes: [await node.getAddress()],
      consumerLink: parseEther('100000'),
    })
    const cre = await deployCre(deployer, { feeds: [DEMO_CRE_FEED] })
    const fromBlock = await provider.getBlockNumber()
    return {
      anvil,
      deployment,
      cre,
      chainConfig: {
        name: 'anvil',
        chainId: DEMO_CHAIN_ID,
        rpcUrls: [anvil.rpcUrl],
        confirmations: 2,
        fromBlock,
        pollIntervalMs: 250,
        contracts: [
          { address: deployment.addresses.aggregator, kind: 'aggregator' },
          { address: cre.addresses.forwarder, kind: 'forwarder' },
          { address: cre.addresses.cache, kind: 'data-feeds-cache' },
        ],
      },
      startActors: async ({ bridgeUrl, feed, price, intervalMs = 5000 }) => {
        // The first run waits one interval, so the adapter has read the demo feed from Kafka by then.
        const job = startCronJobSim({
          node,
          bridgeUrl,
          contract: deployment.addresses.aggregator,
          feed,
          times: DEMO_TIMES,
          intervalMs,
        })
        logger.info(
          `Stand-in node runs a cron job every ${intervalMs} ms: ${feed} from ${bridgeUrl} to ${deployment.addresses.aggregator}`,
        )
        const reporter = startCreReporter({
          cre,
          transmitter: await provider.getSigner(3),
          // 8 decimals, as the cache's data id says
          value: () => BigInt(Math.round(price() * 1e8)),
          intervalMs,
        })
        return {
          stop: async () => {
            reporter.stop()
            await job.stop()
          },
        }
      },
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}
