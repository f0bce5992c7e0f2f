import { EventEmitter, once } from 'node:events'
import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import type { Admin, Consumer, IHeaders, Kafka } from 'kafkajs'
import type { CcipSendState } from './families/ccip'
import type { ChainSettings } from './settings'
import { untilAborted } from '../abort'
import { disconnectSoon } from '../kafka/client'
import { consumerGroups, throwawayGroup } from '../kafka/group-ids'
import { TopicReadError } from '../kafka/topic-errors'

const logger = makeLogger('EventCcipState')

/** The kinds whose chains write or read events.ccip.stateTopic */
export const CCIP_KINDS: readonly string[] = ['ccip-onramp', 'ccip-offramp']

/** The chain watches a CCIP ramp: it writes or reads events.ccip.stateTopic */
export const watchesCcip = (chain: Pick<ChainSettings, 'contracts'>): boolean =>
  chain.contracts.some((c) => CCIP_KINDS.includes(c.kind))

/** Header of every state record: why it was written (a tombstone says why it removes the send) */
export const STATE_HEADER = 'bifrost.ccip-state'
/** `restored`: the send again, once the SUCCESS that removed it was retracted */
export type StateReason = 'sent' | 'executed' | 'retracted' | 'restored'

/** A record for events.ccip.stateTopic: the send's state, or a tombstone (value null) */
export interface StateRecord {
  key: string
  value: Buffer | null
  headers: IHeaders
}

/** Message ids whose SUCCESS is remembered: enough for a send confirmed after its execution, bounded in memory */
const EXECUTED_REMEMBERED = 100_000

/** The state topic's lookup side, one per Bifrost instance, shared by its chains */
export interface CcipStateReader {
  /**
   * Resolves true once everything committed to the topic when called has been read; false after `waitMs`, when the
   * reader failed, or when `signal` aborts. Never rejects: a slow or absent state topic never stalls a chain.
   */
  catchUp(signal: AbortSignal, waitMs: number): Promise<boolean>
  /** The message's send, when its record has been read and no tombstone since */
  sendOf(messageId: string): CcipSendState | undefined
  /** A SUCCESS of the message has been read (its tombstone), recently enough to be remembered */
  executed(messageId: string): boolean
  /**
   * Messages whose send state was written after their SUCCESS's tombstone: the two chains published them at about the
   * same time, neither seeing the other's uncommitted record. Each needs another tombstone, or it stays forever.
   */
  stale(): string[]
  stop(): Promise<void>
}

export interface CcipStateReaderOptions {
  kafka: Kafka
  topic: string
  /** kafka.clientId: its throwaway consumer group's prefix (it never commits: every start reads the whole topic) */
  clientId: string
}

/**
 * Reads events.ccip.stateTopic read_committed from its start and keeps it in memory: a send appears once the
 * transaction that published it committed. A lookup first asks where the topic ends now and waits, bounded, until
 * the reader has passed that point, so what any chain committed before is seen.
 */
export const startCcipStateReader = async (options: CcipStateReaderOptions): Promise<CcipStateReader> => {
  const { kafka, topic } = options
  const sends = new Map<string, CcipSendState>()
  const executed = new Set<string>()
  const stale = new Set<string>()
  /** Per partition: the offset after the last record (or control record) read */
  const position = new Map<number, number>()
  /** Emits 'moved' when the position advanced, the reader failed or it stopped: what a waiting lookup checks again */
  const progress = new EventEmitter().setMaxListeners(0)
  /** The reader crashed for good, or was stopped: lookups answer at once from what was read */
  let failed: Error | undefined
  let stopped = false
  const moved = () => progress.emit('moved')

  const admin: Admin = kafka.admin()
  let consumer: Consumer | undefined
  const stop = async () => {
    stopped = true
    moved()
    if (consumer) await disconnectSoon(consumer, 'CCIP state reader')
    await admin.disconnect().catch(() => undefined)
  }
  try {
    await admin.connect()
    consumer = kafka.consumer({
      groupId: throwawayGroup(consumerGroups.eventsCcipState(options.clientId)),
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
      // Only what committed: a send whose transaction aborted never happened.
      readUncommitted: false,
    })
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return
      failed = payload.error
      logger.error(`reading ${topic} failed; CCIP executions carry send: null until restart: ${payload.error.message}`)
      moved()
    })
    // kafkajs calls eachBatch for no batch of only control records (a commit marker), but reports each here.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.topic !== topic) return
      position.set(payload.partition, Math.max(position.get(payload.partition) ?? 0, Number(payload.lastOffset) + 1))
      moved()
    })
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        const messageId = message.key?.toString('utf8')
        if (!messageId) return
        const reason = message.headers?.[STATE_HEADER]?.toString() as StateReason | undefined
        if (message.value) {
          try {
            const send = JSON.parse(message.value.toString('utf8')) as CcipSendState
            if (reason !== 'restored' && executed.has(messageId)) stale.add(messageId)
            else {
              sends.set(messageId, send)
              executed.delete(messageId)
            }
          } catch {
            // Only Bifrost writes this topic: a record it cannot read is a bug to see, not a send to guess at.
            logger.error(`unreadable record for ${messageId} in ${topic} at ${partition}@${message.offset}; skipped`)
          }
          return
        }
        sends.delete(messageId)
        stale.delete(messageId)
        if (reason === 'executed') {
          executed.delete(messageId)
          executed.add(messageId)
          if (executed.size > EXECUTED_REMEMBERED) executed.delete(executed.values().next().value as string)
        }
      },
    })
  } catch (cause) {
    await stop()
    throw new TopicReadError(`cannot read ${topic} (events.ccip.stateTopic): ${(cause as Error).message}`, {
      cause,
    })
  }

  const reached = (ends: Array<{ partition: number; low: string; high: string }>) =>
    ends.every((o) => Number(o.high) <= Number(o.low) || (position.get(o.partition) ?? 0) >= Number(o.high))

  const catchUp = async (signal: AbortSignal, waitMs: number): Promise<boolean> => {
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(waitMs)])
    try {
      // READ_COMMITTED offsets: the end a read_committed reader can reach, past every committed transaction
      const ends = await untilAborted(admin.fetchTopicOffsets(topic), deadline)
      while (!failed && !stopped && !reached(ends)) await once(progress, 'moved', { signal: deadline })
      return !failed && !stopped
    } catch (err) {
      if (!deadline.aborted) logger.warn(`cannot read where ${topic} ends: ${(err as Error).message}`)
      return false
    }
  }

  return {
    catchUp: async (signal, waitMs) => {
      if (failed || stopped) return false
      const done = await catchUp(signal, waitMs)
      if (!done && !signal.aborted) logger.warn(`${topic} not read to its end within ${waitMs} ms; publishing on`)
      return done
    },
    sendOf: (messageId) => sends.get(messageId),
    executed: (messageId) => executed.has(messageId),
    stale: () => [...stale],
    stop,
  }
}
