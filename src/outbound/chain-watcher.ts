import { setTimeout as sleep } from 'node:timers/promises'
import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import type { Kafka } from 'kafkajs'
import { ReorgTooDeepError } from '../chain/block-tracker'
import { createChainRpc } from '../chain/failover'
import type { Checkpoint } from './checkpoint'
import { runChainPipeline } from './chain-pipeline'
import { createChainTracker } from './chain-status'
import type { ChainStatus } from '../status/snapshot'
import { startLeaderElection, type LeaderElection } from './leader'
import { eventMetrics } from './metrics'
import type { ChainSettings, EventSettings } from './settings'

const logger = makeLogger('EventWatcher')

const FIRST_RESTART_MS = 500
const MAX_RESTART_MS = 30_000

export interface ChainWatcher {
  /**
   * undefined when ready, otherwise why not: only while joining the election or
   * recovering. A chain whose RPC is down, or halted by a too-deep reorg, says so
   * in its logs and metrics, not here: the adapter and the other chains still serve.
   */
  notReadyReason(): string | undefined
  /** For /status and the operator API: role in the election; progress, lag and endpoints while leading */
  status(): ChainStatus
  stop(): Promise<void>
}

export interface ChainWatcherOptions {
  kafka: Kafka
  settings: EventSettings
  chain: ChainSettings
  groupIdPrefix: string
}

/**
 * One chain: its RPC endpoints, its leader election and, while this instance
 * is the elected publisher, its pipeline. A pipeline that fails (Kafka down,
 * say) is restarted with backoff from the newest acknowledged checkpoint, and
 * recovers from Kafka again; nothing here is shared with the other chains.
 */
export const startChainWatcher = async (options: ChainWatcherOptions): Promise<ChainWatcher> => {
  const { kafka, settings, chain } = options
  const metrics = eventMetrics()
  // Aborted first thing in stop(): RPC calls in flight end now, not at their timeout
  const stopping = new AbortController()
  const rpc = createChainRpc(chain.rpcUrls, {
    chainId: chain.chainId,
    timeoutMs: chain.rpcTimeoutMs,
    signal: stopping.signal,
    maxLagBlocks: chain.maxLagBlocks,
    chainName: chain.name,
  })
  let run: { controller: AbortController; done: Promise<void> } | undefined
  let recovering = false
  let halted: string | undefined
  const tracker = createChainTracker()

  const supervise = async (initial: Checkpoint | undefined, signal: AbortSignal): Promise<void> => {
    let checkpoint = initial
    let backoff = FIRST_RESTART_MS
    while (!signal.aborted) {
      recovering = true
      try {
        await runChainPipeline({
          kafka,
          settings,
          chain,
          rpc,
          checkpoint,
          signal,
          groupIdPrefix: options.groupIdPrefix,
          status: tracker,
          onCheckpoint: (written) => (checkpoint = written),
          onRecovered: () => {
            recovering = false
            backoff = FIRST_RESTART_MS
          },
        })
        return
      } catch (err) {
        if (signal.aborted) return
        if (err instanceof ReorgTooDeepError) {
          halted = err.message
          logger.error(`${chain.name}: halted, publishing nothing more until restarted: ${err.message}`)
          return
        }
        logger.error(
          `${chain.name}: publishing interrupted, resuming from Kafka in ${backoff} ms: ${(err as Error).message}`,
        )
        await sleep(backoff, undefined, { signal }).catch(() => undefined)
        backoff = Math.min(backoff * 2, MAX_RESTART_MS)
      }
    }
  }

  const stopRun = async () => {
    const current = run
    run = undefined
    metrics.leader.set({ chain: chain.name }, 0)
    if (!current) return
    current.controller.abort()
    await current.done
  }

  let election: LeaderElection | undefined
  // Serialised so a quick lose-then-win never runs two pipelines at once.
  let transitions = Promise.resolve()
  election = await startLeaderElection({
    kafka,
    groupId: `${options.groupIdPrefix}.events.${chain.name}`,
    checkpointTopic: settings.checkpointTopic,
    chainName: chain.name,
    sessionTimeoutMs: settings.leaderSessionTimeoutMs,
    onElected: (checkpoint) => {
      transitions = transitions.then(async () => {
        await stopRun()
        if (halted) return
        const controller = new AbortController()
        metrics.leader.set({ chain: chain.name }, 1)

        run = { controller, done: supervise(checkpoint, controller.signal) }
      })
    },
    onDeposed: () => {
      // Abort now, synchronously: not one more send once another member may lead.
      run?.controller.abort()

      transitions = transitions.then(stopRun)
    },
  })

  return {
    notReadyReason: () => {
      const state = election?.state
      if (state === 'joining') return `chain ${chain.name}: joining its leader election`
      if (state === 'reading checkpoint' || (state === 'leader' && recovering))
        return `chain ${chain.name}: recovering from Kafka`
      return undefined
    },
    status: () => {
      const role = election?.state ?? 'joining'
      return {
        name: chain.name,
        chainId: chain.chainId,
        role,
        // A standby does not follow the chain: figures from when it led would look current.
        ...(role === 'leader' ? tracker.progress(rpc.status()) : {}),
        ...(halted ? { halted } : {}),
      }
    },
    stop: async () => {
      stopping.abort()
      run?.controller.abort()
      await election?.stop()
      election = undefined
      await transitions
      await stopRun()
    },
  }
}
