import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { Interface, type Signer } from 'ethers'
import type { Json } from '../json'
import { bridgeTask, multiplyTask } from './bridge-task'
import { mined } from './transactions'

const logger = makeLogger('ChainlinkCronSim')

/** The ethabiencode task's abi in the job spec (`bifrost jobspec --type cron`) */
const UPDATE_ANSWER = new Interface(['function updateAnswer(int256 answer)'])

export interface CronJobSimOptions {
  /** The node's account, which sends the ethtx */
  node: Signer
  /** Bifrost's External Adapter, where the bridge task POSTs */
  bridgeUrl: string
  /** The consumer contract whose updateAnswer(int256) the job calls */
  contract: string
  feed: string
  /** The multiply task's `times` */
  times: bigint
  /** The schedule, as `@every <intervalMs>ms` */
  intervalMs: number
  /** Gas limit of the ethtx (default 200,000) */
  gasLimit?: bigint
}

/** One run of the cron job. */
export interface CronRun {
  /** What was POSTed to the bridge: the job's requestData and the run's (empty) meta; no id */
  bridgeBody: { data: Record<string, Json>; meta: Record<string, Json> }
  result?: unknown
  /** The int256 written on chain */
  answer?: bigint
  tx?: string
  error?: string
}

export interface CronJobSim {
  /** Runs the job once now (a scheduled run waits for it), resolving with the run */
  runOnce(): Promise<CronRun>
  readonly runs: readonly CronRun[]
  stop(): Promise<void>
}

/**
 * A stand-in for a current Chainlink node running the `cron` job that
 * `bifrost jobspec --type cron` prints (the node is the one part that cannot
 * run here): on its schedule, bridge -> jsonparse -> multiply -> ethabiencode
 * -> ethtx. The bridge body is what the node's bridge task sends for a cron run:
 * the requestData and `meta: {}`, no `id`. Runs never overlap.
 */
export const startCronJobSim = (options: CronJobSimOptions): CronJobSim => {
  const { node, bridgeUrl, contract, feed, times } = options
  const gasLimit = options.gasLimit ?? 200_000n
  const runs: CronRun[] = []
  let current: Promise<CronRun> = Promise.resolve({} as CronRun)

  const run = async (): Promise<CronRun> => {
    const cron: CronRun = { bridgeBody: { data: { feed }, meta: {} } }
    try {
      cron.result = await bridgeTask(bridgeUrl, cron.bridgeBody)
      cron.answer = multiplyTask(cron.result, times)
      const data = UPDATE_ANSWER.encodeFunctionData('updateAnswer', [cron.answer])
      cron.tx = (await mined(node.sendTransaction({ to: contract, data, gasLimit }))).hash
      logger.info(`Cron run wrote ${feed} = ${cron.answer} to ${contract} in ${cron.tx}`)
    } catch (err) {
      cron.error = (err as Error).message
      logger.warn(`Cron run for ${feed} failed: ${cron.error}`)
    }
    runs.push(cron)
    return cron
  }

  let busy = false
  const runOnce = (): Promise<CronRun> => {
    busy = true
    current = current.then(run).finally(() => (busy = false))
    return current
  }
  // A tick while a run is under way is skipped, so a slow chain does not pile runs up
  const timer = setInterval(() => busy || void runOnce(), options.intervalMs)
  return {
    runOnce,
    runs,
    stop: async () => {
      clearInterval(timer)
      await current
    },
  }
}
