import { setTimeout as sleep } from 'node:timers/promises'
import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import type { Kafka } from 'kafkajs'
import { createBlockTracker, ReorgTooDeepError, type BlockTracker } from '../chain/block-tracker'
import { blockTimestamps } from '../chain/block-times'
import type { ChainRpc } from '../chain/failover'
import { checkHeader, checkLogs, checkTransaction } from '../chain/answers'
import { createLogRangeReader, screenLogs, type DroppedLogReason, type RawLog } from '../chain/get-logs'
import { untilAborted } from '../abort'
import { BifrostError } from '../errors'
import { createAttacher } from './attach'
import { stateRecordsOf, withSend } from './ccip-correlation'
import { CCIP_KINDS, watchesCcip, type CcipStateReader } from './ccip-state'
import { CHECKPOINT_VERSION, type Checkpoint, type Halt } from './checkpoint'
import type { ChainTracker } from './chain-status'
import { decodeLog, logFilter, LogDecodeError, type DecodedEvent } from './decode'
import { createEventSender, type EventSender } from './event-sender'
import { createEventEnricher } from './enrich'
import { createLedger, eventId, retractionOf } from './ledger'
import { DLQ_HEADERS } from '../kafka/dead-letter'
import { consumerGroups } from '../kafka/group-ids'
import { TopicReadError } from '../kafka/topic-errors'
import { createBackoff } from '../retry'
import type { Json } from '../json'
import { boundJson, boundMessage, type EventDeadLetterCode } from './bound-message'
import { EVENT_HEADERS, toKafkaMessage, type KafkaMessage } from './message'
import { eventMetrics } from './metrics'
import { readBack } from './read-back'
import { createProgress } from './progress'
import { finalityOf, type ChainSettings, type EventSettings } from './settings'

const logger = makeLogger('EventPipeline')

/** Blocks read per round trip (one eth_getLogs by block hash each) while following the head */
const LIVE_BATCH_BLOCKS = 100
/** Back to the head tracker (reorg check, checkpoint) at least this often during a long backfill */
const ADVANCE_BUDGET_MS = 1000

/** Kafka did not take a send: the run stops and the chain resumes from what Kafka holds. */
export class PublishError extends BifrostError {
  static override readonly code = 'BIFROST_EVENT_PUBLISH_FAILED'
}

/** The chain is halted (its checkpoint says so): nothing is published until `bifrost events resume` lifts it. */
export class ChainHaltedError extends BifrostError {
  static override readonly code = 'BIFROST_CHAIN_HALTED'
  constructor(
    readonly chain: string,
    readonly halt: Halt,
    options?: { cause?: unknown },
  ) {
    super(
      `${chain}: halted since ${halt.since}: ${halt.reason}; run \`bifrost events resume --chain ${chain}\` once the operator has decided (docs/outbound.md)`,
      options,
    )
  }
}

/** How often a chain's checkpoint moves its scan start past what other chains published meanwhile, at most */
const FRONTIER_REFRESH_MIN_MS = 1000
/** Block headers per round trip when published blocks beyond the tip are checked against the chain */
const HEADERS_PER_BATCH = 100

export interface PipelineOptions {
  kafka: Kafka
  settings: EventSettings
  chain: ChainSettings
  rpc: ChainRpc
  /** The chain's latest checkpoint as Kafka holds it (or as this process last had acknowledged) */
  checkpoint: Checkpoint | undefined
  /** Aborted when this instance stops being the chain's publisher, or stops */
  signal: AbortSignal
  /** Every acknowledged checkpoint, so a restart after a Kafka failure resumes from the newest */
  onCheckpoint(checkpoint: Checkpoint): void
  /** The pipeline has recovered its state from Kafka and publishes */
  onRecovered(): void
  /** Prefix of the throwaway consumer groups that read the events topic back */
  groupIdPrefix: string
  /** Told the head, the published block, reorgs and retractions, for /status and the operator API */
  status?: ChainTracker
  /** events.ccip.stateTopic as this instance has read it: what CCIP executions learn their send from */
  ccipState?: CcipStateReader
}

interface Tip {
  number: number
  hash?: string
}

type Batch = { logs: RawLog[]; to: number; toHash?: string }

const abortable = (ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal }).catch(() => undefined)

/**
 * One chain, while this instance is its publisher: recover what is already in
 * Kafka, then publish every confirmed event exactly once, in chain order, and
 * retract what a deep reorg takes back. Each step publishes, waits for Kafka's
 * acknowledgement, and only then moves the tip: Kafka slow or down means no
 * further blocks are read. Returns when `signal` aborts; throws when Kafka fails
 * (the caller restarts it, which recovers from Kafka again).
 */
export const runChainPipeline = async (options: PipelineOptions): Promise<void> => {
  const { kafka, settings, chain, rpc, signal, status } = options
  const metrics = eventMetrics()
  const labels = { chain: chain.name }
  const finality = finalityOf(chain)
  const contracts = chain.contracts
  const query = logFilter(contracts)
  const ccip = watchesCcip(chain) ? options.ccipState : undefined
  // Bounded well inside the transaction timeout (the leader session): the wait may happen in an open transaction.
  const stateWaitMs = Math.min(settings.ccip.stateWaitMs, settings.leaderSessionTimeoutMs / 2)

  if (options.checkpoint?.halt) throw new ChainHaltedError(chain.name, options.checkpoint.halt)
  let sender: EventSender | undefined
  const admin = kafka.admin()
  try {
    await admin.connect()
    const readOffsets = () =>
      admin
        .fetchTopicOffsets(settings.topic)
        .then((list) => list.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) })))
        .catch((cause: unknown) => {
          // The cause tells a missing topic from a partition whose leader just died (a broker fault): both end up here.
          throw new TopicReadError(
            `${chain.name}: cannot read the offsets of ${settings.topic}: ${cause instanceof Error ? cause.message : String(cause)}`,
            { cause },
          )
        })
    const transactional = settings.transactions === 'on'
    const stateTopic = settings.ccip.stateTopic
    const stateOffsets = ccip
      ? await admin.fetchTopicOffsets(stateTopic).catch((cause: unknown) => {
          throw new TopicReadError(`${chain.name}: cannot read the offsets of ${stateTopic} (does it exist?)`, {
            cause,
          })
        })
      : []
    sender = await createEventSender({
      kafka,
      topic: settings.topic,
      partitions: (await readOffsets()).length,
      checkpointTopic: settings.checkpointTopic,
      deadLetterTopic: settings.deadLetterTopic,
      ...(ccip ? { stateTopic: { topic: stateTopic, partitions: stateOffsets.length } } : {}),
      ...(transactional
        ? {
            transaction: {
              id: `${options.groupIdPrefix}.events.${chain.name}`,
              timeoutMs: settings.leaderSessionTimeoutMs,
            },
          }
        : {}),
      onDeadLetterDropped: (count, error) => metrics.deadLettersDropped.inc({ ...labels, error }, count),
    })
    const tx = sender
    // Read once the sender has fenced the previous publisher: its open transaction, now aborted, no longer holds
    // back the read_committed end (kafkajs asks for READ_COMMITTED offsets).
    const offsets = await readOffsets()

    // --- Recovery: the checkpoint, then everything of this chain after it ---
    const checkpoint = options.checkpoint?.topic === settings.topic ? options.checkpoint : undefined
    if (options.checkpoint && !checkpoint) {
      logger.warn(
        `${chain.name}: checkpoint is for topic ${options.checkpoint.topic}; publishing to ${settings.topic} from its tip`,
      )
    }
    let tip: Tip = options.checkpoint?.tip ?? { number: chain.fromBlock - 1 }
    let finalBelow = options.checkpoint?.finalBelow ?? 0
    /** Per partition: the offset after our last acknowledged message (the end when we started) */
    const frontier = new Map(offsets.map((o) => [o.partition, o.high]))
    let ledger = createLedger()
    if (checkpoint) {
      const back = await readBack({
        kafka,
        topic: settings.topic,
        chain: chain.name,
        chainId: chain.chainId,
        checkpoint,
        offsets,
        groupPrefix: consumerGroups.eventsScan(options.groupIdPrefix, chain.name),
        signal,
      })
      ledger = back.ledger
      ledger.pruneBelow(Math.min(finalBelow, tip.number + 1))
      logger.info(
        `${chain.name}: resuming after block ${tip.number}; ${back.read} messages read back, ${ledger.size} still retractable or beyond the checkpoint`,
      )
    } else {
      logger.info(`${chain.name}: no checkpoint; starting at block ${tip.number + 1}`)
    }

    let lastCheckpointAt = 0
    let lastCheckpointTip: number | undefined
    let frontierReadAt = Date.now()
    /**
     * Other chains sharing the topic move its end on; messages of theirs before the end are never ours, so the scan
     * start moves past them even while this chain publishes nothing (a quiet chain's read-back would otherwise only
     * grow, until it no longer fits the scan's time limit). Nothing of ours is in flight while a checkpoint is written.
     */
    const advanceFrontier = async () => {
      if (Date.now() - frontierReadAt < Math.max(settings.checkpointIntervalMs, FRONTIER_REFRESH_MIN_MS)) return
      frontierReadAt = Date.now()
      for (const { partition, high } of await readOffsets()) {
        frontier.set(partition, Math.max(frontier.get(partition) ?? 0, high))
      }
    }
    const writeCheckpoint = async (halt?: Halt) => {
      await advanceFrontier()
      const scanFrom: Record<string, number> = {}
      const lowest = ledger.lowestOffsets()
      for (const [partition, next] of frontier)
        scanFrom[String(partition)] = Math.min(next, lowest.get(partition) ?? next)
      const record: Checkpoint = {
        version: CHECKPOINT_VERSION,
        chain: chain.name,
        chainId: chain.chainId,
        topic: settings.topic,
        tip,
        finalBelow,
        scanFrom,
        writtenAt: new Date().toISOString(),
        ...(halt ? { halt } : {}),
      }
      guard()
      try {
        await untilAborted((sender as EventSender).sendCheckpoint(record), signal)
      } catch (cause) {
        throw new PublishError(`${chain.name}: checkpoint not acknowledged: ${(cause as Error).message}`, { cause })
      }
      lastCheckpointAt = Date.now()
      lastCheckpointTip = tip.number
      options.onCheckpoint(record)
    }

    /** Not the publisher any more: not one more message. */
    const guard = () => {
      if (signal.aborted) throw new PublishError(`${chain.name}: publishing stopped`)
    }

    /** The CCIP state records of published messages; in their transaction when there is one, else right after them */
    const publishStates = async (messages: readonly KafkaMessage[]) => {
      if (!ccip) return
      const states = stateRecordsOf(messages, ccip)
      if (states.length === 0) return
      guard()
      try {
        await untilAborted((sender as EventSender).sendStates(states), signal)
      } catch (cause) {
        throw new PublishError(
          `${chain.name}: ${states.length} records of ${stateTopic} not acknowledged: ${(cause as Error).message}`,
          { cause },
        )
      }
    }

    /** Sends and, once acknowledged, records; blocks below `retainFrom` are final: nothing to remember of them. */
    const publish = async (
      messages: KafkaMessage[],
      blocks: Array<{ number: number; hash: string; logIndex: number }>,
      retainFrom = 0,
    ) => {
      if (messages.length === 0) return
      guard()
      let sent
      try {
        // Abandoned when publishing stops: whatever Kafka took of it, the next publisher reads back
        sent = await untilAborted((sender as EventSender).send(messages), signal)
      } catch (cause) {
        throw new PublishError(
          `${chain.name}: ${messages.length} messages not acknowledged: ${(cause as Error).message}`,
          { cause },
        )
      }
      sent.forEach(({ partition, offset }, i) => {
        frontier.set(partition, Math.max(frontier.get(partition) ?? 0, offset + 1))
        const message = messages[i]
        const status = message.headers[EVENT_HEADERS.status] as string
        metrics.published.inc({ ...labels, status })
        const { number, hash, logIndex } = blocks[i]
        const id = eventId(hash, logIndex)
        if (status === 'retracted') ledger.remove(id)
        else if (number >= retainFrom) {
          ledger.add({ id, blockNumber: number, blockHash: hash, logIndex, message, partition, offset })
        }
      })
      await publishStates(messages)
    }

    // Without transactions a state record follows its event's acknowledgement: the previous publisher may have
    // stopped in between. Writing them again for what is still in the ledger is idempotent (compacted, by key).
    if (checkpoint && ccip && !transactional) {
      const entries = [...ledger.blocks()]
        .flatMap((b) => [...b.entries.values()])
        .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex)
      await ccip.catchUp(signal, stateWaitMs)
      await publishStates(entries.map((e) => e.message))
    }
    if (!checkpoint) await writeCheckpoint()

    const tracker: BlockTracker = createBlockTracker(rpc, { depth: chain.maxReorgDepth + 1 })
    const dropped = (reason: DroppedLogReason, count: number) => {
      metrics.logsDropped.inc({ ...labels, reason }, count)
      logger.warn(`${chain.name}: an eth_getLogs answer held ${count} logs it should not (${reason}); dropped`)
    }
    const reader = createLogRangeReader(rpc, query, {
      maxBlocks: chain.getLogsMaxBlocks,
      targetLogs: chain.getLogsTargetLogs,
      onRefusal: (size, err) =>
        logger.debug(`${chain.name}: eth_getLogs over ${size} blocks refused (${err.rpcMessage}); halving`),
      onDropped: dropped,
    })
    const enricher = createEventEnricher({
      getTransaction: (hash, blockNumber) =>
        rpc.request('eth_getTransactionByHash', [hash], { minBlock: blockNumber, check: checkTransaction }),
      chain: { name: chain.name, chainId: chain.chainId },
      ccipChainSelectors: settings.ccip.chainSelectors,
    })
    const progress = createProgress(chain.name, tip.number, (line) => logger.info(line))

    /** Retracts what left the canonical chain, and moves the tip back below the fork; in one transaction. */
    const reconcile = (head: number) => tx.atomically(() => retractStale(head))
    const retractStale = async (head: number) => {
      const stale = [...ledger.blocks()].filter(
        (b) => b.number >= tracker.base && b.number <= head && tracker.hashAt(b.number) !== b.hash,
      )
      const tipStale =
        tip.hash !== undefined &&
        tip.number >= tracker.base &&
        tip.number <= head &&
        tracker.hashAt(tip.number) !== tip.hash
      if (stale.length === 0 && !tipStale) return
      const entries = stale
        .flatMap((b) => [...b.entries.values()])
        .sort((a, b) => a.blockNumber - b.blockNumber || a.offset - b.offset)
      logger.warn(
        `${chain.name}: reorg below published block ${tip.number}: retracting ${entries.length} events of ${stale.length} blocks that left the chain`,
      )
      await publish(
        entries.map((e) => retractionOf(e.message)),
        entries.map((e) => ({ number: e.blockNumber, hash: e.blockHash, logIndex: e.logIndex })),
      )
      status?.retracted(entries.length)
      if (tipStale) {
        // Resume above the highest published block still on the chain; blocks without
        // events carry nothing to retract, so re-reading from there is exact.
        let resume: Tip = { number: Math.max(tracker.base, finalBelow) - 1 }
        for (const block of ledger.blocks()) {
          if (
            block.number <= tip.number &&
            block.number > resume.number &&
            tracker.hashAt(block.number) === block.hash
          ) {
            resume = { number: block.number, hash: block.hash }
          }
        }
        tip = resume
        metrics.publishedBlock.set(labels, tip.number)
        status?.published(tip.number)
      }
      await writeCheckpoint()
    }

    /**
     * Published blocks beyond the tip that are below the tracked window: after a downtime, or a resume from an
     * earlier block. Each is checked against the canonical chain now, and the events of those that left it are
     * retracted (inside the window, `reconcile` does this from the tracker's hashes).
     */
    const retractOrphansBeyondTip = () => tx.atomically(retractOrphans)
    const retractOrphans = async () => {
      const unchecked = [...ledger.blocks()].filter((b) => b.number > tip.number && b.number < tracker.base)
      const stale: typeof unchecked = []
      for (let i = 0; i < unchecked.length; i += HEADERS_PER_BATCH) {
        const chunk = unchecked.slice(i, i + HEADERS_PER_BATCH)
        const headers = await rpc.batch(
          chunk.map((b) => ({ method: 'eth_getBlockByNumber', params: [`0x${b.number.toString(16)}`, false] })),
          { minBlock: Math.max(...chunk.map((b) => b.number)), check: checkHeader },
        )
        chunk.forEach((b, j) => {
          if (headers[j]?.hash !== b.hash) stale.push(b)
        })
      }
      if (stale.length === 0) return
      const entries = stale
        .flatMap((b) => [...b.entries.values()])
        .sort((a, b) => a.blockNumber - b.blockNumber || a.offset - b.offset)
      logger.warn(
        `${chain.name}: ${entries.length} published events of ${stale.length} blocks after block ${tip.number} are no longer on the chain: retracting them`,
      )
      await publish(
        entries.map((e) => retractionOf(e.message)),
        entries.map((e) => ({ number: e.blockNumber, hash: e.blockHash, logIndex: e.logIndex })),
      )
      await writeCheckpoint()
    }

    const confirmedHead = async (head: number): Promise<number> => {
      if ('confirmations' in finality) return head - finality.confirmations
      const block = await rpc.request('eth_getBlockByNumber', [finality.tag, false], { check: checkHeader })
      if (!block) return -1
      const { number } = block
      // Ahead of our tracker, or a tag block on a branch we do not hold: publish nothing until they agree.
      if (number > head) return -1
      const known = tracker.hashAt(number)
      return known === undefined || known === block.hash ? number : -1
    }

    const readLive = async (from: number, to: number): Promise<Batch> => {
      const hashes = Array.from({ length: to - from + 1 }, (_, i) => tracker.hashAt(from + i) as string)
      const perBlock = await rpc.batch(
        hashes.map((blockHash) => ({
          method: 'eth_getLogs',
          params: [{ blockHash, address: query.address, topics: query.topics }],
        })),
        { minBlock: to, check: checkLogs },
      )
      // Logs asked for by block hash belong to that block, or the node lied: never publish those.
      const logs = perBlock.flatMap((answer, i) =>
        screenLogs(answer, { from: from + i, to: from + i, blockHash: hashes[i] }, dropped),
      )
      return { logs, to, toHash: hashes[hashes.length - 1] }
    }

    const toMessages = async (batch: Batch, head: number) => {
      const messages: KafkaMessage[] = []
      const blocks: Array<{ number: number; hash: string; logIndex: number }> = []
      const deadLetters: Array<{ message: KafkaMessage; origin: string }> = []
      const attacher = createAttacher()
      const decodedLogs: Array<{
        decoded: DecodedEvent
        log: RawLog
        blockNumber: number
        blockHash: string
        logIndex: number
      }> = []
      for (const log of batch.logs) {
        const blockNumber = Number.parseInt(log.blockNumber, 16)
        const logIndex = Number.parseInt(log.logIndex, 16)
        const blockHash = log.blockHash
        let decoded
        try {
          decoded = decodeLog(log, contracts, chain.chainId)
        } catch (err) {
          // Decoding is pure: whatever it throws is about this log's content, never worth a retry.
          const reason = err instanceof LogDecodeError ? err.message : `cannot decode: ${(err as Error).message}`
          deadLetters.push(deadLetterOf(log, 'undecodable', reason))
          continue
        }
        if (!decoded || attacher.attach(decoded, { transactionHash: log.transactionHash, logIndex })) continue
        decodedLogs.push({ decoded, log, blockNumber, blockHash, logIndex })
      }
      // A backfill far below the head has nothing in the ledger: skip building ids there.
      const isOut = (hash: string, logIndex: number) => ledger.size > 0 && ledger.has(eventId(hash, logIndex))
      const times = await blockTimestamps(
        rpc,
        decodedLogs
          .filter((d) => !isOut(d.blockHash, d.logIndex))
          .map((d) => ({
            number: d.blockNumber,
            hash: d.blockHash,
            ...(d.log.blockTimestamp ? { timestamp: Number.parseInt(d.log.blockTimestamp, 16) } : {}),
          })),
        (number, hash) => (tracker.hashAt(number) === hash ? tracker.timestampAt(number) : undefined),
      )
      // Once per batch with CCIP events: executions see every send committed before, a send whether it ran already.
      if (ccip && decodedLogs.some((d) => CCIP_KINDS.includes(d.decoded.kind) && !isOut(d.blockHash, d.logIndex))) {
        await ccip.catchUp(signal, stateWaitMs)
      }
      for (const { decoded, log, blockNumber, blockHash, logIndex } of decodedLogs) {
        const out = isOut(blockHash, logIndex)
        const location = { blockNumber, transactionHash: log.transactionHash }
        // Already published ones still teach the enricher (a request's fields); no RPC for those.
        if (out) {
          enricher.observe(decoded, location)
          continue
        }
        const enriched = await enricher.enrich(decoded, location)
        const blockTimestamp = times.get(blockHash) as number
        const bounded = boundMessage(
          toKafkaMessage(ccip ? withSend(enriched, blockTimestamp, ccip) : enriched, {
            status: 'confirmed',
            confirmations: 'confirmations' in finality ? head - blockNumber : 0,
            chainId: chain.chainId,
            blockNumber,
            blockHash,
            blockTimestamp,
            transactionHash: log.transactionHash,
            logIndex,
          }),
          settings,
        )
        if (!bounded.ok) {
          deadLetters.push(deadLetterOf(log, 'too-large', bounded.reason))
          continue
        }
        if (bounded.truncated) metrics.truncated.inc(labels)
        messages.push(bounded.message)
        blocks.push({ number: blockNumber, hash: blockHash, logIndex })
      }
      return { messages, blocks, deadLetters }
    }

    /** The log as read, its long fields bounded like an event's, so the letter itself fits the broker. */
    const deadLetterOf = (log: RawLog, code: EventDeadLetterCode, reason: string) => {
      const logIndex = Number.parseInt(log.logIndex, 16)
      const bounded = boundJson(log as unknown as Json, settings.maxFieldBytes)
      const message: KafkaMessage = {
        key: `${chain.chainId}:${log.transactionHash}:${logIndex}`,
        value: Buffer.from(
          JSON.stringify({ chain: chain.name, chainId: chain.chainId, code, reason, log: bounded.value }),
        ),
        headers: {
          [DLQ_HEADERS.code]: code,
          [DLQ_HEADERS.reason]: reason,
          [EVENT_HEADERS.chainId]: String(chain.chainId),
          'content-type': 'application/json',
        },
      }
      const block = Number.parseInt(log.blockNumber, 16)
      return { message, origin: `${chain.name} block ${block} tx ${log.transactionHash} log ${logIndex}` }
    }

    type Prepared = Batch & Awaited<ReturnType<typeof toMessages>>
    const prepare = async (read: Promise<Batch>, head: number): Promise<Prepared> => {
      const batch = await read
      return { ...batch, ...(await toMessages(batch, head)) }
    }
    /**
     * The next final range, read and decoded while the current one is published:
     * the provider, the decoding and Kafka work in parallel. One range ahead, no
     * more: Kafka slow means reading stops.
     */
    let prefetch: { from: number; prepared: Promise<Prepared> } | undefined

    /** Publishes confirmed blocks from tip+1 towards `confirmed`, for at most ADVANCE_BUDGET_MS. */
    const advance = async (confirmed: number, head: number) => {
      const before = tip.number
      let events = 0
      // With transactions, one per call: its batches and the checkpoint covering them commit together. A transaction
      // per batch would cost more than the batch on small ranges: the coordinator answers the next AddPartitionsToTxn
      // with CONCURRENT_TRANSACTIONS until the last commit's markers are written, and kafkajs backs off 300 ms.
      await tx.atomically(async () => {
        await advanceBatches(confirmed, head, (count) => (events += count))
        if (transactional && tip.number !== before) await writeCheckpoint()
      })
      if (tip.number === before) return
      // Only once committed: with transactions, nothing of the batches is visible before.
      metrics.publishedBlock.set(labels, tip.number)
      status?.published(tip.number)
      progress.advanced(tip.number, confirmed, events)
    }

    const advanceBatches = async (confirmed: number, head: number, published: (events: number) => void) => {
      const started = Date.now()
      while (tip.number < confirmed && !signal.aborted && Date.now() - started < ADVANCE_BUDGET_MS) {
        const from = tip.number + 1
        let prepared: Prepared
        if (from < tracker.base) {
          const to = Math.min(confirmed, tracker.base - 1)
          const ready = prefetch?.from === from ? prefetch.prepared : prepare(reader.read(from, to), head)
          prefetch = undefined
          prepared = await ready
          if (prepared.to < to) {
            const next = { from: prepared.to + 1, prepared: prepare(reader.read(prepared.to + 1, to), head) }
            // A failed read surfaces when (if) the range is awaited.
            next.prepared.catch(() => undefined)
            prefetch = next
          }
        } else {
          prepared = await prepare(readLive(from, Math.min(confirmed, from + LIVE_BATCH_BLOCKS - 1)), head)
        }
        await commit(prepared, head)
        published(prepared.messages.length)
      }
    }

    /** Dead letters and events of a batch; without transactions, the checkpoint when one is due */
    const commit = async (prepared: Prepared, head: number) => {
      const { messages, blocks, deadLetters } = prepared
      if (deadLetters.length) {
        guard()
        await (sender as EventSender).sendDeadLetters(deadLetters, signal).catch((cause: unknown) => {
          throw new PublishError(`${chain.name}: dead letters not acknowledged: ${(cause as Error).message}`, {
            cause,
          })
        })
        metrics.deadLettered.inc(labels, deadLetters.length)
        logger.error(
          `${chain.name}: ${deadLetters.length} logs not published (${
            deadLetters[0].message.headers[DLQ_HEADERS.reason]
          }); sent to ${settings.deadLetterTopic}`,
        )
      }
      const nextFinal = Math.max(finalBelow, Math.min(head - chain.maxReorgDepth, prepared.to + 1))
      await publish(messages, blocks, nextFinal)
      tip = { number: prepared.to, hash: prepared.toHash }
      finalBelow = nextFinal
      ledger.pruneBelow(finalBelow)
      if (!transactional && Date.now() - lastCheckpointAt >= settings.checkpointIntervalMs) await writeCheckpoint()
    }

    status?.published(tip.number)
    options.onRecovered()
    let rpcFailures = 0
    // The poll interval doubled per failure, five times at most, and never past 30 s
    const maxMs = Math.min(chain.pollIntervalMs * 32, 30_000)
    const backoff = createBackoff({ initialMs: Math.min(chain.pollIntervalMs * 2, maxMs), maxMs })
    let orphansChecked = false
    while (!signal.aborted) {
      let head: number
      let confirmed: number
      try {
        let update
        try {
          update = await tracker.update()
        } catch (err) {
          if (!(err instanceof ReorgTooDeepError)) throw err
          // Orphaned events may be out as confirmed: stop, and make the stop outlive this process.
          const halt: Halt = { reason: err.message, since: new Date().toISOString(), headBlock: tracker.head?.number }
          await writeCheckpoint(halt)
          throw new ChainHaltedError(chain.name, halt, { cause: err })
        } finally {
          metrics.rpcEndpointsUp.set(labels, rpc.status().filter((e) => e.alive).length)
        }
        head = (tracker.head as { number: number }).number
        if (!orphansChecked) {
          await retractOrphansBeyondTip()
          orphansChecked = true
        }
        metrics.head.set(labels, head)
        status?.head(head)
        if (update.reorg) {
          const reachesPublished = update.reorg.forkPoint < tip.number
          metrics.reorgs.inc({ ...labels, published: String(reachesPublished) })
          status?.reorg({
            depth: update.reorg.depth,
            forkPoint: update.reorg.forkPoint,
            reachedPublished: reachesPublished,
          })
          logger.info(
            `${chain.name}: reorg of ${update.reorg.depth} blocks above block ${update.reorg.forkPoint}${
              reachesPublished ? '' : ' (nothing published there)'
            }`,
          )
        }
        await reconcile(head)
        confirmed = await confirmedHead(head)
        await advance(confirmed, head)
        rpcFailures = 0
        backoff.reset()
      } catch (err) {
        // A transaction that had begun is aborted, whatever failed: what moved in memory since is void.
        // Kafka-side failures (a refused send, an aborted transaction, a halt) say retrying cannot help: they end the run.
        if (signal.aborted || (err instanceof BifrostError && !err.retryable)) throw err
        // The chain side failed (endpoints down, chain moved mid-read): nothing was
        // published for it, so waiting and asking again is exact.
        rpcFailures++
        const wait = backoff.next()
        if (rpcFailures === 1 || rpcFailures % 10 === 0) {
          logger.warn(`${chain.name}: ${(err as Error).message}; retrying in ${wait} ms`)
        }
        await abortable(wait, signal)
        continue
      }
      if (tip.number >= confirmed) {
        if (
          Date.now() - lastCheckpointAt >= settings.checkpointIntervalMs &&
          tip.number > (lastCheckpointTip ?? -Infinity)
        ) {
          await writeCheckpoint()
        }
        await abortable(chain.pollIntervalMs, signal)
      }
    }
  } finally {
    await sender?.disconnect().catch(() => undefined)
    await admin.disconnect().catch(() => undefined)
  }
}
