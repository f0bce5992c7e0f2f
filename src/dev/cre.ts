import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { keccak256, type Contract, type Signer } from 'ethers'
import { deploy } from './contracts'
import {
  configureDon,
  createDon,
  decimalReports,
  reportArgs,
  workflowName,
  type Don,
  type Workflow,
} from './cre-don-sim'
import { mined } from './transactions'

const logger = makeLogger('DemoCre')

/** A decimal feed's data id: byte 7 is 0x20 + decimals (DataFeedsCache._getDecimals) */
export const decimalDataId = (feed: string, decimals: number): string =>
  `0x01${keccak256(Buffer.from(feed)).slice(2, 14)}${(0x20 + decimals).toString(16)}${'00'.repeat(8)}`

/** CRE as a price feed writes on-chain: a KeystoneForwarder with its DON, delivering to a DataFeedsCache */
export interface CreDeployment {
  forwarder: Contract
  cache: Contract
  don: Don
  workflow: Workflow
  /** The decimal feeds the workflow may write */
  dataIds: string[]
  addresses: Record<'forwarder' | 'cache', string>
}

/**
 * Deploys the forwarder and configures its DON (4 signers, f = 1 unless given),
 * and a cache whose feed admin (the deployer) lets `workflow`, delivered
 * through this forwarder, write each of `feeds` (8 decimals).
 */
export const deployCre = async (
  deployer: Signer,
  options: { feeds: string[]; don?: Don; workflow?: Workflow },
): Promise<CreDeployment> => {
  const owner = await deployer.getAddress()
  const don = options.don ?? createDon({ donId: 1 })
  const workflow = options.workflow ?? {
    id: keccak256(Buffer.from('bifrost-demo-workflow')),
    name: workflowName('bifrostdev'),
    owner,
  }
  const forwarder = await deploy('KeystoneForwarder', deployer)
  await mined(configureDon(forwarder, don))
  const cache = await deploy('DataFeedsCache', deployer)
  await mined(cache.getFunction('setFeedAdmin')(owner, true))
  const dataIds = options.feeds.map((feed) => decimalDataId(feed, 8))
  const forwarderAddress = await forwarder.getAddress()
  await mined(
    cache.getFunction('setDecimalFeedConfigs')(dataIds, options.feeds, [
      { allowedSender: forwarderAddress, allowedWorkflowOwner: workflow.owner, allowedWorkflowName: workflow.name },
    ]),
  )
  return {
    forwarder,
    cache,
    don,
    workflow,
    dataIds,
    addresses: { forwarder: forwarderAddress, cache: await cache.getAddress() },
  }
}

/**
 * The CRE half of the demo chain, a stand-in for a DON (which cannot run here):
 * every `intervalMs`, a report with `value()` for the first feed, signed by f+1
 * of the DON's keys, delivered by `transmitter` through the forwarder to the cache.
 */
export const startCreReporter = (options: {
  cre: CreDeployment
  transmitter: Signer
  value: () => bigint | undefined
  intervalMs?: number
}): { stop(): void } => {
  const { cre } = options
  const forwarder = cre.forwarder.connect(options.transmitter) as Contract
  let sequence = 0
  let lastTimestamp = 0
  let busy = false
  const deliver = async () => {
    const answer = options.value()
    if (busy || answer === undefined) return
    busy = true
    try {
      sequence++
      // The cache refuses a report not newer than the last one it stored.
      const timestamp = Math.max(Math.floor(Date.now() / 1000), lastTimestamp + 1)
      const payload = decimalReports([{ dataId: cre.dataIds[0], timestamp, answer }])
      const metadata = {
        workflowExecutionId: keccak256(Buffer.from(`bifrost-demo-execution-${sequence}-${timestamp}`)),
        timestamp,
        workflow: cre.workflow,
        reportId: '0x0001',
      }
      const receipt = await mined(
        forwarder.getFunction('report')(...reportArgs(cre.don, cre.addresses.cache, metadata, payload, sequence), {
          gasLimit: 1_000_000n,
        }),
      )
      lastTimestamp = timestamp
      logger.info(`Demo DON delivered ${answer} to the Data Feeds cache in block ${receipt.blockNumber}`)
    } catch (err) {
      logger.warn(`Demo CRE report failed: ${(err as Error).message}`)
    } finally {
      busy = false
    }
  }
  const timer = setInterval(() => void deliver(), options.intervalMs ?? 5000)
  return { stop: () => clearInterval(timer) }
}
