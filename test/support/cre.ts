import { keccak256, type JsonRpcProvider, type JsonRpcSigner, type TransactionReceipt } from 'ethers'
import type { Anvil } from '../../src/dev/anvil'
import { deployCre, type CreDeployment } from '../../src/dev/cre'
import { decimalReports, reportArgs, type Workflow } from '../../src/dev/cre-don-sim'
import { mined } from '../../src/dev/transactions'
import { createAttacher } from '../../src/outbound/attach'
import { decodeLog, type DecodedEvent, type WatchedContract } from '../../src/outbound/decode'
import { startAnvilWithProvider } from './chainlink'

/** The feeds the cache is configured for (8 decimals each), in dataIds order */
export const FEEDS = ['ETH/USD', 'BTC/USD', 'LINK/USD']

/** Gas that passes the forwarder's own checks but leaves the cache's onReport of three new feeds short: a failed delivery */
export const TOO_LITTLE_GAS = 230_000n

export interface DeliveryOptions {
  gasLimit?: bigint
  /** The same one again is a retry */
  workflowExecutionId?: string
  workflow?: Workflow
  /** The report's timestamp (default: one second after the last) */
  timestamp?: number
}

export interface Delivery {
  receipt: TransactionReceipt
  workflowExecutionId: string
  rawReport: string
  payload: string
  timestamp: number
}

/** A real anvil with the real KeystoneForwarder (a DON of 4 signers, f = 1) delivering to a real DataFeedsCache */
export interface CreChain {
  anvil: Anvil
  chainId: number
  provider: JsonRpcProvider
  /** The transmitting node's account */
  transmitter: JsonRpcSigner
  cre: CreDeployment
  /** The forwarder and the cache, as Bifrost is configured to watch them */
  watched: WatchedContract[]
  /**
   * One report() of decimal reports for the feeds (index into FEEDS), signed by f+1 of the DON;
   * the same workflowExecutionId again is a retry
   */
  deliver(
    answers: Array<{ feed: number; answer: bigint; timestamp?: number }>,
    options?: DeliveryOptions,
  ): Promise<Delivery>
  /** One report() of any payload (what the receiver's onReport gets as `report`) */
  send(payload: string, options?: DeliveryOptions): Promise<Delivery>
  /** Every watched event of a receipt, decoded, followers attached as the pipeline does */
  decode(receipt: TransactionReceipt): DecodedEvent[]
  stop(): Promise<void>
}

export const startCreChain = async (options: { chainId?: number; blockTime?: number } = {}): Promise<CreChain> => {
  const chainId = options.chainId ?? 31337
  const { anvil, provider, stop } = await startAnvilWithProvider({ chainId, blockTime: options.blockTime })
  try {
    const deployer = await provider.getSigner(0)
    const transmitter = await provider.getSigner(1)
    const cre = await deployCre(deployer, { feeds: FEEDS })
    const forwarder = cre.forwarder.connect(transmitter) as typeof cre.forwarder
    const watched: WatchedContract[] = [
      { address: cre.addresses.forwarder, kind: 'forwarder' },
      { address: cre.addresses.cache, kind: 'data-feeds-cache' },
    ]
    let sequence = 0
    let clock = Math.floor(Date.now() / 1000)
    const send = async (payload: string, opts: DeliveryOptions = {}, timestamp = opts.timestamp ?? ++clock) => {
      sequence++
      const workflowExecutionId = opts.workflowExecutionId ?? keccak256(Buffer.from(`execution-${sequence}`))
      const metadata = { workflowExecutionId, timestamp, workflow: opts.workflow ?? cre.workflow, reportId: '0x0001' }
      const args = reportArgs(cre.don, cre.addresses.cache, metadata, payload, sequence)
      const receipt = await mined(forwarder.getFunction('report')(...args, { gasLimit: opts.gasLimit ?? 2_000_000n }))
      return { receipt, workflowExecutionId, rawReport: args[1], payload, timestamp }
    }
    return {
      anvil,
      chainId,
      provider,
      transmitter,
      cre,
      watched,
      deliver: (answers, opts = {}) => {
        const timestamp = opts.timestamp ?? ++clock
        const reports = answers.map((a) => ({
          dataId: cre.dataIds[a.feed],
          timestamp: a.timestamp ?? timestamp,
          answer: a.answer,
        }))
        return send(decimalReports(reports), opts, timestamp)
      },
      send,
      decode: (receipt) => {
        const attacher = createAttacher()
        return receipt.logs.flatMap((log) => {
          const event = decodeLog(log, watched, chainId)
          return event && !attacher.attach(event, { transactionHash: log.transactionHash, logIndex: log.index })
            ? [event]
            : []
        })
      },
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}
