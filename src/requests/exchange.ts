import { makeLogger } from '@chainlink/external-adapter-framework/util/logger'
import type { Batch, Message, Producer } from 'kafkajs'
import { BifrostError } from '../errors'
import type { Json } from '../json'
import { redactUrl } from '../redact'
import { sendCallback } from './callback'
import { callbackGuard } from './callback-url'
import type { JsonObject } from './correlation'
import { requestMetrics as metrics } from './metrics'
import { createSendQueue } from './send-queue'
import { createDeadLetterWriter, deadLetterMessage, type OutgoingLetter } from '../kafka/dead-letter'
import { recordBytes } from '../kafka/write-errors'
import {
  parseReply,
  pendingMessage,
  pendingTombstone,
  requestMessage,
  type Outcome,
  type PendingRecord,
} from './records'
import type { RequestSettings } from './settings'
import { createAnsweredLog, type RequestsView } from './view'

const logger = makeLogger('Requests')

export class RequestPublishError extends BifrostError {
  static override readonly code = 'BIFROST_REQUEST_PUBLISH_FAILED'
}
export class RequestTimeoutError extends BifrostError {
  static override readonly code = 'BIFROST_REQUEST_TIMEOUT'
}
/** The request record would pass requests.maxRequestBytes: refused before anything is published. */
export class RequestTooLargeError extends BifrostError {
  static override readonly code = 'BIFROST_REQUEST_TOO_LARGE'
}
/** The open request already has requests.maxCallbacks responseURLs. */
export class TooManyCallbacksError extends BifrostError {
  static override readonly code = 'BIFROST_TOO_MANY_CALLBACKS'
}
/** Starting or stopping: the request was not taken, and sending it again is safe. */
export class RequestsUnavailableError extends BifrostError {
  static override readonly code = 'BIFROST_REQUESTS_UNAVAILABLE'
}

/** A validated bridge request. */
export interface BridgeRequest {
  /** correlationIdOf the request: equal ids join one request */
  correlationId: string
  /** The body's `id`; null when the job sends none */
  jobRunId: string | null
  type: string
  params: JsonObject
  meta: Json
  /** Already checked against requests.allowedCallbackHosts */
  responseUrl?: string
}

export interface InFlight {
  /** Waiting for a reply */
  open: number
  /** Answered, callbacks to the node still being delivered */
  delivering: number
  /** createdAt of the oldest open request */
  oldestOpenAt?: number
}

export type Answer = { pending: true } | { pending: false; outcome: Outcome }

const PENDING: Answer = { pending: true }

/*
 * open: waiting for a reply. recording: a reply was read and is being written
 * to the pending topic (its offset is not committed yet). settled: the outcome
 * is final (a recorded reply, or the deadline passed).
 */
type State = 'open' | 'recording' | 'settled'

interface Waiter {
  resolve(outcome: Outcome): void
  reject(err: Error): void
}

/** An open request: what the pending topic holds of it, and what only this process needs. */
interface Entry extends PendingRecord {
  state: State
  expired: boolean
  /**
   * requests.pendingTopic may hold a live (non-tombstone) record for it: set
   * before a write is tried, since a failed produce request may still have stored it
   */
  persisted: boolean
  /** Settles once the request record is out (or was restored); rejects if publishing failed */
  published: Promise<void>
  /** Writes to the pending topic, chained so they land in order */
  writes: Promise<void>
  waiters: Set<Waiter>
  delivering: boolean
  /** Settled longer than the grace period: removed once its callbacks are done */
  graceOver?: boolean
  /** The deadline while open; the end of the grace period once settled */
  timer?: NodeJS.Timeout
}

/** Publishes the request (or joins the one in flight) and answers: pending, or the outcome */
export type Submit = (request: BridgeRequest) => Promise<Answer>

export interface Exchange {
  submit: Submit
  /** Re-opens requests read back from the pending topic, delivering those already answered */
  restore(records: Iterable<PendingRecord>): void
  /** The replies waiting at start-up have been read: deadlines may now expire requests */
  repliesCaughtUp(): void
  /** Takes a batch from requests.replyTopic; resolves once it may be committed */
  takeReplies(batch: Batch, heartbeat?: () => Promise<void>): Promise<void>
  /** What the operator page shows: open requests (no responseURL) and recently answered ones */
  view(): Omit<RequestsView, 'enabled'>
  /** What is in flight now, for /status */
  inFlight(): InFlight
  stop(): Promise<void>
}

export interface ExchangeOptions {
  producer: Producer
  settings: RequestSettings
}

/**
 * The request/reply state: which correlation ids are open, who waits for them
 * (a synchronous HTTP request, responseURLs), and the pending topic that lets a
 * restart finish what a previous run left open.
 */
export const createExchange = ({ producer, settings }: ExchangeOptions): Exchange => {
  const send = createSendQueue(producer)
  const deadLetters = createDeadLetterWriter({
    producer,
    topic: settings.deadLetterTopic,
    logger,
    onDropped: (count, error) => metrics.deadLettersDropped.inc({ error }, count),
  })
  const entries = new Map<string, Entry>()
  const deliveries = new Set<Promise<void>>()
  const stopping = new AbortController()
  // Until the backlog of replies is read, an overdue request may still have its reply in that backlog
  let caughtUp = false
  const held = new Set<Entry>()
  const graceMs = settings.callbackGraceSeconds * 1000
  const guard = callbackGuard(settings.allowedCallbackHosts)
  const answered = createAnsweredLog()

  const recordOf = (e: Entry): PendingRecord => ({
    correlationId: e.correlationId,
    type: e.type,
    jobRunId: e.jobRunId,
    createdAt: e.createdAt,
    deadline: e.deadline,
    timeoutSeconds: e.timeoutSeconds,
    callbacks: e.callbacks,
    ...(e.outcome ? { outcome: e.outcome } : {}),
  })

  const write = (e: Entry, message: () => Message): Promise<void> => {
    const done = e.writes.then(() => send(settings.pendingTopic, message()))
    e.writes = done.catch(() => undefined)
    return done
  }

  const remove = (e: Entry): void => {
    clearTimeout(e.timer)
    if (entries.get(e.correlationId) === e) entries.delete(e.correlationId)
  }

  const deliver = (e: Entry): void => {
    const outcome = e.outcome
    if (!outcome || e.callbacks.length === 0) return
    e.delivering = true
    const until = Math.max(e.deadline, Date.now() + graceMs)
    const job = Promise.all(
      e.callbacks.map((url) => sendCallback(url, outcome, e.correlationId, { until, signal: stopping.signal })),
    )
      .then(async (results) => {
        // Stopping: the pending record stays, and the next start answers again
        if (results.includes('aborted') || !e.persisted) return
        await write(e, () => pendingTombstone(e.correlationId))
        e.persisted = false
      })
      .catch((err: Error) =>
        logger.error(
          `Cannot record that ${e.correlationId} was answered; a restart will answer it again: ${err.message}`,
        ),
      )
      .finally(() => {
        e.delivering = false
        deliveries.delete(job)
        if (e.graceOver) remove(e)
      })
    deliveries.add(job)
  }

  // A settled request is kept for a grace period (and while its callbacks run),
  // so a retried bridge call still gets the answer and a late reply is told from a stray one
  const settle = (e: Entry, outcome: Outcome): void => {
    if (e.state !== 'settled') {
      const kind = e.expired ? 'expired' : 'result' in outcome ? 'result' : 'error'
      answered.add({
        correlationId: e.correlationId,
        type: e.type,
        createdAt: e.createdAt,
        answeredAt: Date.now(),
        outcome: kind,
      })
    }
    e.outcome ??= outcome
    e.state = 'settled'
    clearTimeout(e.timer)
    e.timer = setTimeout(() => {
      e.graceOver = true
      if (!e.delivering) remove(e)
    }, graceMs).unref()
    for (const w of e.waiters) w.resolve(e.outcome)
    e.waiters.clear()
    deliver(e)
  }

  const expire = (e: Entry): void => {
    // recording: the reply that is being written settles it; settled: nothing left to do
    if (e.state !== 'open') return
    if (!caughtUp) {
      held.add(e)
      return
    }
    e.expired = true
    metrics.pending.dec()
    metrics.expired.inc()
    logger.warn(`Request ${e.correlationId} (${e.type}) got no reply within ${e.timeoutSeconds}s`)
    settle(e, { error: `no reply for ${e.type} within ${e.timeoutSeconds}s` })
  }

  const arm = (e: Entry): void => {
    e.timer = setTimeout(() => expire(e), Math.max(0, e.deadline - Date.now())).unref()
  }

  const forget = (e: Entry, err: Error): void => {
    clearTimeout(e.timer)
    if (e.state === 'open') metrics.pending.dec()
    for (const w of e.waiters) w.reject(err)
    e.waiters.clear()
    if (!e.persisted) return remove(e)
    // Kept (refusing joiners) until the tombstone is written, so it cannot land after a new request's record
    write(e, () => pendingTombstone(e.correlationId))
      .catch((cause: Error) =>
        logger.warn(`Cannot withdraw ${e.correlationId} from ${settings.pendingTopic}: ${cause.message}`),
      )
      .finally(() => remove(e))
  }

  const awaitOutcome = (e: Entry): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        e.waiters.delete(waiter)
        const wait = `no reply for ${e.type} within ${settings.syncTimeoutMs / 1000}s`
        reject(
          new RequestTimeoutError(
            e.jobRunId === null
              ? // Nothing names a synchronous request without id: sending it again asks again
                `${wait}; the request had no id, so sending it again publishes a new one (give the job's requestData ` +
                  `an "id", or make the bridge task async="true", to collect this reply instead)`
              : `${wait}; the request stays open until ${new Date(e.deadline).toISOString()}: ` +
                  'send the same request again to collect the reply',
          ),
        )
      }, settings.syncTimeoutMs)
      const waiter: Waiter = {
        resolve: (outcome) => {
          clearTimeout(timer)
          resolve({ pending: false, outcome })
        },
        reject: (err) => {
          clearTimeout(timer)
          reject(err)
        },
      }
      e.waiters.add(waiter)
    })

  const publishError = (e: Entry, cause: unknown) =>
    new RequestPublishError(`Cannot publish the ${e.type} request to Kafka: ${(cause as Error).message}`, { cause })

  const publish = async (e: Entry, message: Message): Promise<void> => {
    if (e.callbacks.length === 0) return send(settings.topic, message)
    // Both go out in one produce request, and the node hears "pending" only once
    // both are stored: a suspended run always has its way back on disk.
    e.persisted = true
    const pending = write(e, () => pendingMessage(recordOf(e)))
    // Both settle before a failure is reported, so forget() knows whether a tombstone is due
    const [stored, published] = await Promise.allSettled([pending, send(settings.topic, message)])
    if (stored.status === 'rejected') throw stored.reason
    if (published.status === 'rejected') throw published.reason
  }

  const join = async (e: Entry, request: BridgeRequest): Promise<Answer> => {
    metrics.joined.inc()
    try {
      await e.published
    } catch (cause) {
      throw publishError(e, cause)
    }
    if (e.outcome) return { pending: false, outcome: e.outcome }
    const url = request.responseUrl
    if (!url) return awaitOutcome(e)
    if (!e.callbacks.includes(url)) {
      // Each one is kept in the pending record, which every join rewrites whole
      if (e.callbacks.length >= settings.maxCallbacks) {
        throw new TooManyCallbacksError(
          `Request ${e.correlationId} already has ${e.callbacks.length} responseURLs, the most requests.maxCallbacks (REQUESTS_MAX_CALLBACKS) allows; retry once it is answered`,
        )
      }
      e.callbacks.push(url)
      e.persisted = true
      try {
        await write(e, () => pendingMessage(recordOf(e)))
      } catch (cause) {
        e.callbacks = e.callbacks.filter((u) => u !== url)
        throw publishError(e, cause)
      }
    }
    return PENDING
  }

  const submit = async (request: BridgeRequest): Promise<Answer> => {
    if (stopping.signal.aborted) throw new RequestsUnavailableError('Bifrost is stopping; send the request again')
    const id = request.correlationId
    const existing = entries.get(id)
    if (existing) return join(existing, request)
    const now = Date.now()
    const deadline = now + settings.timeoutSeconds * 1000
    const message = requestMessage({
      correlationId: id,
      type: request.type,
      params: request.params,
      jobRunId: request.jobRunId,
      meta: request.meta,
      replyTopic: settings.replyTopic,
      deadline: new Date(deadline).toISOString(),
    })
    const bytes = recordBytes(message)
    if (bytes > settings.maxRequestBytes) {
      throw new RequestTooLargeError(
        `The ${request.type} request record would be ${bytes} bytes, more than requests.maxRequestBytes=${settings.maxRequestBytes} (REQUESTS_MAX_REQUEST_BYTES); send smaller params or meta`,
      )
    }
    const e: Entry = {
      correlationId: id,
      type: request.type,
      jobRunId: request.jobRunId,
      createdAt: now,
      deadline,
      timeoutSeconds: settings.timeoutSeconds,
      callbacks: request.responseUrl ? [request.responseUrl] : [],
      state: 'open',
      expired: false,
      persisted: false,
      published: Promise.resolve(),
      writes: Promise.resolve(),
      waiters: new Set(),
      delivering: false,
    }
    entries.set(id, e)
    metrics.pending.inc()
    arm(e)
    e.published = publish(e, message)
    try {
      await e.published
    } catch (cause) {
      const err = publishError(e, cause)
      forget(e, err)
      throw err
    }
    metrics.published.inc({ mode: request.responseUrl ? 'async' : 'sync' })
    return request.responseUrl ? PENDING : awaitOutcome(e)
  }

  /**
   * A restored responseURL passes today's allow-list or is dropped: anyone who can write the pending topic could
   * otherwise make Bifrost call any host, and a tightened allow-list must apply to requests older than it.
   */
  const allowedCallbacks = (r: PendingRecord): string[] =>
    r.callbacks.filter((url) => {
      try {
        guard(url)
        return true
      } catch (err) {
        metrics.callbacksFailed.inc({ reason: 'refused' })
        logger.warn(`Restored callback of ${r.correlationId} to ${redactUrl(url)} dropped: ${(err as Error).message}`)
        return false
      }
    })

  const restore = (records: Iterable<PendingRecord>): void => {
    for (const r of records) {
      if (entries.has(r.correlationId)) continue
      const callbacks = allowedCallbacks(r)
      if (callbacks.length === 0 && r.callbacks.length > 0) {
        // Nobody left to tell: the request is forgotten, here and on the topic.
        send(settings.pendingTopic, pendingTombstone(r.correlationId)).catch((err: Error) =>
          logger.warn(`Cannot withdraw ${r.correlationId} from ${settings.pendingTopic}: ${err.message}`),
        )
        continue
      }
      const e: Entry = {
        ...r,
        callbacks,
        state: r.outcome ? 'settled' : 'open',
        expired: false,
        persisted: true,
        published: Promise.resolve(),
        writes: Promise.resolve(),
        waiters: new Set(),
        delivering: false,
      }
      entries.set(e.correlationId, e)
      if (callbacks.length < r.callbacks.length) {
        write(e, () => pendingMessage(recordOf(e))).catch((err: Error) =>
          logger.warn(`Cannot rewrite ${e.correlationId} in ${settings.pendingTopic}: ${err.message}`),
        )
      }
      if (r.outcome) {
        settle(e, r.outcome)
      } else {
        metrics.pending.inc()
        arm(e)
      }
    }
  }

  const takeReplies = async (batch: Batch, heartbeat?: () => Promise<void>): Promise<void> => {
    const letters: OutgoingLetter[] = []
    const claimed = new Map<string, Entry>()
    const counts = { matched: 0, unknown: 0, duplicate: 0, late: 0, malformed: 0 }
    for (const m of batch.messages) {
      const reply = parseReply(m.key, m.value, settings)
      if (!reply.ok) {
        counts.malformed++
        logger.warn(`Malformed reply at ${batch.topic}/${batch.partition}@${m.offset} dead-lettered: ${reply.reason}`)
        letters.push({
          message: deadLetterMessage(m, batch, reply),
          origin: `${batch.topic}/${batch.partition}@${m.offset}`,
        })
        continue
      }
      const e = entries.get(reply.correlationId)
      if (!e) {
        counts.unknown++
        logger.debug(`Reply for unknown correlation id ${reply.correlationId} ignored`)
      } else if (claimed.has(e.correlationId) || e.state === 'settled') {
        counts[e.expired ? 'late' : 'duplicate']++
      } else {
        // 'recording' here means an earlier attempt at this batch failed to write: take it again
        if (e.state === 'open') metrics.pending.dec()
        e.state = 'recording'
        e.outcome ??= reply.outcome
        claimed.set(e.correlationId, e)
        counts.matched++
      }
    }
    if (letters.length > 0) await deadLetters.write(letters, { signal: stopping.signal, heartbeat })
    // The outcome is on disk before the reply's offset is committed: a crash after this point loses nothing.
    // A write that fails does not hold the replies up: Kafka down fails the commit too (the batch comes
    // again), and a pending topic that refuses the record would otherwise stop every reply behind this one.
    await Promise.all(
      [...claimed.values()]
        .filter((e) => e.persisted)
        .map((e) =>
          write(e, () => pendingMessage(recordOf(e))).catch((err: Error) => {
            metrics.outcomeWriteFailures.inc()
            logger.error(
              `Cannot record the reply to ${e.correlationId} in ${settings.pendingTopic}; answering from memory, a restart before the callbacks are done re-opens it: ${err.message}`,
            )
          }),
        ),
    )
    const now = Date.now()
    for (const e of claimed.values()) {
      metrics.replySeconds.observe((now - e.createdAt) / 1000)
      settle(e, e.outcome!)
    }
    for (const [status, n] of Object.entries(counts)) if (n > 0) metrics.replies.inc({ status }, n)
  }

  const repliesCaughtUp = (): void => {
    caughtUp = true
    for (const e of held) expire(e)
    held.clear()
  }

  const stop = async (): Promise<void> => {
    stopping.abort()
    const stopped = new RequestsUnavailableError('Bifrost is stopping; send the request again')
    for (const e of entries.values()) {
      clearTimeout(e.timer)
      if (e.state === 'open') metrics.pending.dec()
      for (const w of e.waiters) w.reject(stopped)
      e.waiters.clear()
    }
    await Promise.allSettled([...deliveries])
    await Promise.allSettled([...entries.values()].map((e) => e.writes))
    entries.clear()
    held.clear()
  }

  const view = (now = Date.now()): Omit<RequestsView, 'enabled'> => ({
    open: [...entries.values()].map((e) => ({
      correlationId: e.correlationId,
      type: e.type,
      state: e.state,
      createdAt: e.createdAt,
      ageSeconds: (now - e.createdAt) / 1000,
      deadline: e.deadline,
      callbacksPending: e.state === 'settled' && !e.delivering ? 0 : e.callbacks.length,
    })),
    recent: answered.list(),
  })

  const inFlight = (): InFlight => {
    const out: InFlight = { open: 0, delivering: 0 }
    for (const e of entries.values()) {
      if (e.delivering) out.delivering++
      if (e.state === 'settled') continue
      out.open++
      out.oldestOpenAt = Math.min(out.oldestOpenAt ?? Infinity, e.createdAt)
    }
    return out
  }

  return { submit, restore, repliesCaughtUp, takeReplies, view, inFlight, stop }
}
