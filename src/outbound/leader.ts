import { setTimeout as sleep } from 'node:timers/promises'
import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import { AssignerProtocol, type Consumer, type Kafka, type PartitionAssigner } from 'kafkajs'
import { BifrostError } from '../errors'
import { withRetry } from '../retry'
import { decodeCheckpoint, type Checkpoint } from './checkpoint'

/** A chain could not join its leader election: the checkpoint topic is missing or may not be read. */
export class LeaderElectionError extends BifrostError {
  static override readonly code = 'BIFROST_LEADER_ELECTION_FAILED'
}

const logger = makeLogger('EventLeader')

/** The one partition of the checkpoint topic that elects (and holds the checkpoints) */
export const CHECKPOINT_PARTITION = 0

const ASSIGNER_NAME = 'BifrostEventLeader'
/*
 * librdkafka's mock cluster (the test broker) answers a follower's SyncGroup that
 * arrives after the leader's with INVALID_REQUEST; real brokers hand out the
 * stored assignment. Letting the followers' SyncGroups arrive first costs a real
 * broker nothing but this pause on each rebalance.
 */
const ASSIGN_DELAY_MS = 300
const RESTART_DELAY_MS = 1000

export interface LeaderElectionOptions {
  kafka: Kafka
  groupId: string
  checkpointTopic: string
  chainName: string
  sessionTimeoutMs: number
  /** This instance now publishes the chain, resuming from `checkpoint` (the chain's latest one on the topic) */
  onElected(checkpoint: Checkpoint | undefined): void
  /** Another member may publish from now on: stop at once */
  onDeposed(): void
  /** While leading: a checkpoint of the chain read from the topic (its own, or one `bifrost events resume` wrote) */
  onCheckpoint?(checkpoint: Checkpoint): void
}

export type ElectionState = 'joining' | 'reading checkpoint' | 'leader' | 'standby'

export interface LeaderElection {
  readonly state: ElectionState
  stop(): Promise<void>
}

/**
 * Every member gets an entry (the mock refuses a sync that leaves one out), the
 * partition goes to the member that held it most recently, so a standby joining
 * does not move publishing away from a healthy leader.
 */
const stickyLeaderAssigner =
  (heldSince: () => number): PartitionAssigner =>
  () => ({
    name: ASSIGNER_NAME,
    version: 0,
    assign: async ({ members, topics }) => {
      if (members.length > 1) await sleep(ASSIGN_DELAY_MS)
      const since = (m: (typeof members)[number]) => {
        const userData = AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData
        return userData?.length ? Number(userData.toString()) || 0 : 0
      }
      const ranked = [...members].sort((a, b) => since(b) - since(a) || a.memberId.localeCompare(b.memberId))
      return ranked.map((member, i) => ({
        memberId: member.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 0,
          assignment: i === 0 ? Object.fromEntries(topics.map((t) => [t, [CHECKPOINT_PARTITION]])) : {},
          userData: Buffer.alloc(0),
        }),
      }))
    },
    protocol: ({ topics }) => ({
      name: ASSIGNER_NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 0,
        topics,
        userData: Buffer.from(String(heldSince())),
      }),
    }),
  })

/**
 * One publisher per chain across every Bifrost instance: members of a consumer
 * group on the single-partition checkpoint topic; the member assigned the
 * partition publishes, the others are hot standbys. A dead leader's session
 * expires and a standby is assigned the partition. On election the partition is
 * read from the start to its end, so the new leader resumes from the chain's
 * latest checkpoint as Kafka holds it.
 */
export const startLeaderElection = async (options: LeaderElectionOptions): Promise<LeaderElection> => {
  const { kafka, checkpointTopic, chainName } = options
  const admin = kafka.admin()
  await admin.connect()
  let state: ElectionState = 'joining'
  let heldSince = 0
  // Aborted by stop(): ends the rejoining and its waits
  const stopping = new AbortController()
  let consumer: Consumer | undefined
  /** Bumped on every assignment: answers about an older one are ignored */
  let epoch = 0
  /** After an assignment: elect once the partition has been read up to here */
  let catchUp: { epoch: number; endOffset: number } | undefined
  // The partition is append-only (compaction only drops older records of a key), so the
  // chain's record at the highest offset read is its latest checkpoint.
  let latest: Checkpoint | undefined
  let position = -1

  const depose = (why: string) => {
    if (state === 'leader') logger.info(`${chainName}: no longer the publisher (${why})`)
    if (state === 'leader' || state === 'reading checkpoint') options.onDeposed()
    state = 'joining'
    catchUp = undefined
  }

  const electIfCaughtUp = () => {
    if (state === 'reading checkpoint' && catchUp?.epoch === epoch && position >= catchUp.endOffset - 1) elect(latest)
  }

  const elect = (checkpoint: Checkpoint | undefined) => {
    catchUp = undefined
    state = 'leader'
    logger.info(
      `${chainName}: elected publisher; resuming ${
        checkpoint ? `after block ${checkpoint.tip.number}` : 'without a checkpoint'
      }`,
    )
    options.onElected(checkpoint)
  }

  const onAssigned = async (assigned: boolean) => {
    // A member the coordinator forgot (its session expired while it was paused) rejoins without REBALANCING: the
    // assignment is the first it hears of it, and another member may have published meanwhile.
    depose('rejoined the group')
    const mine = ++epoch
    if (!assigned) {
      heldSince = 0
      state = 'standby'
      logger.info(`${chainName}: standby (another instance publishes)`)
      return
    }
    heldSince = Date.now()
    state = 'reading checkpoint'
    const offsets = await admin.fetchTopicOffsets(checkpointTopic)
    const end = Number(offsets.find((o) => o.partition === CHECKPOINT_PARTITION)?.high ?? 0)
    const low = Number(offsets.find((o) => o.partition === CHECKPOINT_PARTITION)?.low ?? 0)
    if (mine !== epoch || state !== 'reading checkpoint') return
    if (end <= low) elect(undefined)
    else {
      catchUp = { epoch: mine, endOffset: end }
      electIfCaughtUp()
    }
  }

  const start = async (): Promise<void> => {
    const c = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      // Checkpoints written in a transaction count once committed; an aborted one (a fenced zombie's) never does.
      readUncommitted: false,
      rebalanceTimeout: Math.max(options.sessionTimeoutMs, 5000),
      heartbeatInterval: Math.max(100, Math.floor(options.sessionTimeoutMs / 5)),
      maxWaitTimeInMs: Math.min(1000, Math.max(100, Math.floor(options.sessionTimeoutMs / 5))),
      partitionAssigners: [stickyLeaderAssigner(() => heldSince)],
    })
    consumer = c
    c.on(c.events.REBALANCING, () => depose('rebalance'))
    c.on(c.events.GROUP_JOIN, ({ payload }) => {
      const assigned = (payload.memberAssignment[checkpointTopic] ?? []).includes(CHECKPOINT_PARTITION)
      onAssigned(assigned).catch((err: unknown) => {
        logger.error(`${chainName}: cannot read the end of ${checkpointTopic}: ${(err as Error).message}`)
        depose('cannot read the checkpoint topic')
        void restart()
      })
    })
    // The read_committed end of a partition written in transactions lies after a commit marker, a control record
    // kafkajs never hands to eachBatch; a batch of nothing else (the last one, always) is only reported here. Counting
    // only the records eachBatch sees, a new leader would never reach the end, and so never be elected.
    c.on(c.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.topic !== checkpointTopic || payload.partition !== CHECKPOINT_PARTITION) return
      position = Math.max(position, Number(payload.lastOffset))
      electIfCaughtUp()
    })
    c.on(c.events.CRASH, ({ payload }) => {
      depose(`consumer failed: ${payload.error.message}`)
      if (!payload.restart) void restart()
    })
    await c.connect()
    await c.subscribe({ topic: checkpointTopic, fromBeginning: true })
    await c.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (batch.partition !== CHECKPOINT_PARTITION) return
        for (const message of batch.messages) {
          const offset = Number(message.offset)
          if (offset <= position) continue
          position = offset
          if (message.key?.toString() !== chainName) continue
          const checkpoint = decodeCheckpoint(message.value)
          if (!checkpoint) continue
          latest = checkpoint
          if (state === 'leader') options.onCheckpoint?.(checkpoint)
        }
      },
    })
  }

  let restarting: Promise<void> | undefined
  const restart = (): Promise<void> =>
    (restarting ??= (async () => {
      await consumer?.disconnect().catch(() => undefined)
      await sleep(RESTART_DELAY_MS, undefined, { signal: stopping.signal })
      // A steady pace, not a growing one: the group must be rejoined within a session, whatever failed before.
      await withRetry(start, {
        initialMs: RESTART_DELAY_MS,
        maxMs: RESTART_DELAY_MS,
        signal: stopping.signal,
        shouldRetry: () => true,
        onRetry: async (err) => {
          logger.warn(`${chainName}: leader election cannot rejoin yet: ${(err as Error).message}`)
          await consumer?.disconnect().catch(() => undefined)
        },
      })
    })()
      // Only a stop ends the rejoining: what rejects here is its abort
      .catch(() => undefined)
      .finally(() => (restarting = undefined)))

  try {
    await start()
  } catch (cause) {
    await consumer?.disconnect().catch(() => undefined)
    await admin.disconnect().catch(() => undefined)
    throw new LeaderElectionError(
      `${chainName}: cannot join the leader election on ${checkpointTopic} (does the topic exist?): ${
        (cause as Error).message
      }`,
      { cause },
    )
  }
  return {
    get state() {
      return state
    },
    stop: async () => {
      stopping.abort()
      depose('stopping')
      await restarting
      await consumer?.disconnect().catch(() => undefined)
      await admin.disconnect().catch(() => undefined)
    },
  }
}
