import { setTimeout as sleep } from 'node:timers/promises'
import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import type { Kafka } from 'kafkajs'
import { stopInOrder, stopOnce } from '../lifecycle'
import { createBackoff } from '../retry'
import { createChainRpc } from '../chain/failover'
import type { Checkpoint, Halt } from './checkpoint'
import { ChainHaltedError, runChainPipeline } from './chain-pipeline'
import type { CcipStateReader } from './ccip-state'
import { createChainTracker } from './chain-status'
import type { ChainStatus } from '../status/snapshot'
import { isFenced } from '../kafka/fenced'
import { consumerGroups } from '../kafka/group-ids'
import { startLeaderElection, type LeaderElection } from './leader'
import { eventMetrics } from './metrics'
import type { ChainSettings, EventSettings } from './settings'

const logger = makeLogger('EventWatcher')

const FIRST_RESTART_MS = 500
const MAX_RESTART_MS = 30_000

export interface ChainWatcher {
  /**
   * undefined when ready, otherwise why not: only while joining the election or
   * recovering. A chain whose RPC is down, or halted by a too-deep reorg, is not
   * a reason: the adapter and the other chains still serve (see `condition`).
   */
  notReadyReason(): string | undefined
  /** What stops this chain publishing without making Bifrost unready (halted, every endpoint down); undefined when none */
  condition(): string | undefined
  /** For /status and the operator API: role in the election; progress, lag and endpoints while leading */
  status(): ChainStatus
  stop(): Promise<void>
}

export interface ChainWatcherOptions {
  kafka: Kafka
  settings: EventSettings
  chain: ChainSettings
  groupIdPrefix: string
  /** events.ccip.stateTopic as this instance reads it, when a chain watches CCIP ramps */
  ccipState?: CcipStateReader
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
  let halted: Halt | undefined
  const labels = { chain: chain.name }
  metrics.halted.set(labels, 0)
  const halt = (why: Halt) => {
    halted = why
    metrics.halted.set(labels, 1)
  }
  const tracker = createChainTracker()

  const supervise = async (initial: Checkpoint | undefined, signal: AbortSignal): Promise<void> => {
    let checkpoint = initial
    const backoff = createBackoff({ initialMs: FIRST_RESTART_MS, maxMs: MAX_RESTART_MS })
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
          ccipState: options.ccipState,
          onCheckpoint: (written) => (checkpoint = written),
          onRecovered: () => {
            recovering = false
            backoff.reset()
          },
        })
        return
      } catch (err) {
        if (signal.aborted) return
        if (err instanceof ChainHaltedError) {
          halt(err.halt)
          logger.error(err.message)
          return
        }
        if (isFenced(err)) {
          // Another instance initialised this chain's transactional id: it leads now, and this one is a zombie whose
          // send must never be retried. The election deposes it (aborting `signal`) within a session; should it still
          // say leader after that (the broker aborted a transaction that outlived its timeout), recover from Kafka.
          metrics.leader.set(labels, 0)
          logger.warn(`${chain.name}: fenced by a newer publisher of this chain; not publishing until elected again`)
          await sleep(settings.leaderSessionTimeoutMs, undefined, { signal }).catch(() => undefined)
          if (!signal.aborted) metrics.leader.set(labels, 1)
          continue
        }
        const wait = backoff.next()
        logger.error(
          `${chain.name}: publishing interrupted, resuming from Kafka in ${wait} ms: ${(err as Error).message}`,
        )
        await sleep(wait, undefined, { signal }).catch(() => undefined)
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

  const begin = (checkpoint: Checkpoint | undefined) => {
    const controller = new AbortController()
    metrics.leader.set(labels, 1)
    const done = supervise(checkpoint, controller.signal).finally(() => {
      if (run?.controller === controller) run = undefined
    })
    run = { controller, done }
  }

  let election: LeaderElection | undefined
  // Serialised so a quick lose-then-win never runs two pipelines at once.
  let transitions = Promise.resolve()
  election = await startLeaderElection({
    kafka,
    groupId: consumerGroups.eventsLeader(options.groupIdPrefix, chain.name),
    checkpointTopic: settings.checkpointTopic,
    chainName: chain.name,
    sessionTimeoutMs: settings.leaderSessionTimeoutMs,
    onElected: (checkpoint) => {
      transitions = transitions.then(async () => {
        await stopRun()
        if (checkpoint?.halt) {
          halt(checkpoint.halt)
          logger.error(new ChainHaltedError(chain.name, checkpoint.halt).message)
          return
        }
        halted = undefined
        metrics.halted.set(labels, 0)
        begin(checkpoint)
      })
    },
    onCheckpoint: (checkpoint) => {
      // Only an operator's resume lifts a halt: the record `bifrost events resume` wrote for this very halt (an older
      // record of the chain's own, read late, must not restart it).
      if (!halted || checkpoint.resumed?.haltSince !== halted.since || run) return
      transitions = transitions.then(async () => {
        if (!halted || run) return
        logger.info(`${chain.name}: resumed by an operator; publishing again after block ${checkpoint.tip.number}`)
        halted = undefined
        metrics.halted.set(labels, 0)
        begin(checkpoint)
      })
    },
    onDeposed: () => {
      // Abort now, synchronously: not one more send once another member may lead.
      run?.controller.abort()

      transitions = transitions.then(stopRun)
    },
  })

  return {
    condition: () => {
      if (halted) return `halted since ${halted.since}: ${halted.reason} (bifrost events resume --chain ${chain.name})`
      if (election?.state !== 'leader') return undefined
      const endpoints = rpc.status()
      if (endpoints.some((e) => e.alive) || !endpoints.some((e) => e.lastError)) return undefined
      return `every RPC endpoint is down: ${endpoints.map((e) => `${e.url}: ${e.lastError ?? 'not probed yet'}`).join('; ')}`
    },
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
        ...(halted ? { halted: `since ${halted.since}: ${halted.reason}` } : {}),
      }
    },
    stop: stopOnce(async () => {
      stopping.abort()
      run?.controller.abort()
      const leaving = election
      election = undefined
      // Leave first, so no late election starts a run; leaving may fail (the broker is gone): the run stops all the same.
      await stopInOrder([async () => leaving?.stop(), () => transitions.then(stopRun)])
    }),
  }
}
