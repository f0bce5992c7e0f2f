import type { Kafka } from 'kafkajs'
import { stopInOrder, stopTogether } from '../lifecycle'
import type { ReadinessCheck } from '../http/readiness'
import type { ChainStatus } from '../status/snapshot'
import { startCcipStateReader, watchesCcip, type CcipStateReader } from './ccip-state'
import { startChainWatcher, type ChainWatcher } from './chain-watcher'
import type { EventSettings } from './settings'

export interface EventPublisher {
  readiness: ReadinessCheck
  /** For /status and the operator API: every configured chain */
  status(): ChainStatus[]
  stop(): Promise<void>
}

export interface EventPublisherOptions {
  kafka: Kafka
  settings: EventSettings
  /** Prefix of the consumer groups (leader election, read-back): kafka.clientId (see src/kafka/group-ids.ts) */
  groupIdPrefix: string
}

/** Longest the start waits for the CCIP state reader to read the state topic up to its end */
const STATE_START_WAIT_MS = 30_000

/**
 * Chain -> Kafka: every configured chain watched independently (its own RPC
 * endpoints, leader election, checkpoint and producer), so one chain failing
 * does not hold up the others.
 */
export const startEventPublisher = async ({
  kafka,
  settings,
  groupIdPrefix,
}: EventPublisherOptions): Promise<EventPublisher> => {
  const watchers: Array<{ chain: string; watcher: ChainWatcher }> = []
  let ccipState: CcipStateReader | undefined
  // Chains are independent: they stop together, and one that fails to stop does not keep the others running.
  const stopChains = () => stopTogether(watchers.splice(0).map(({ watcher }) => watcher.stop))
  // The CCIP state reader the chains look sends up in goes after them.
  const stopState = async () => {
    await ccipState?.stop()
    ccipState = undefined
  }
  const stop = () => stopInOrder([stopChains, stopState])
  try {
    // One reader of the CCIP state per instance, before any chain may publish an execution that looks a send up
    if (settings.chains.some(watchesCcip)) {
      ccipState = await startCcipStateReader({ kafka, topic: settings.ccip.stateTopic, clientId: groupIdPrefix })
      // Read what the topic holds before publishing: a fresh reader first joins its group (seconds on a real broker),
      // and a step's own wait is too short for that. Bounded too: an unreadable topic delays the start, never stops it.
      await ccipState.catchUp(new AbortController().signal, STATE_START_WAIT_MS)
    }
    for (const chain of settings.chains) {
      const watcher = await startChainWatcher({ kafka, settings, chain, groupIdPrefix, ccipState })
      watchers.push({ chain: chain.name, watcher })
    }
  } catch (err) {
    await stop()
    throw err
  }
  return {
    readiness: {
      name: 'events',
      notReadyReason: () =>
        watchers
          .map(({ watcher }) => watcher.notReadyReason())
          .filter((r): r is string => r !== undefined)
          .join('; ') || undefined,
      conditions: () => {
        const out: Record<string, string> = {}
        for (const { chain, watcher } of watchers) {
          const condition = watcher.condition()
          if (condition) out[chain] = condition
        }
        return out
      },
    },
    status: () => watchers.map(({ watcher }) => watcher.status()),
    stop,
  }
}
