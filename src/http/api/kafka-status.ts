import { register } from 'prom-client'
import type { Admin } from 'kafkajs'
import { DLQ_HEADERS } from '../../kafka/dead-letter'
import { consumerGroups } from '../../kafka/group-ids'
import { scanTopic } from '../../kafka/scan'
import type { OperatorSources } from './sources'

/** Kafka as seen from here: read on demand, at most this often, so a page left open costs the brokers little. */
const REFRESH_MS = 10_000
const HOUR_MS = 3_600_000

export interface KafkaStatus {
  /** Records not yet processed, per topic Bifrost consumes */
  consumerLag: Array<{ topic: string; consumer: string; lag: number }>
  deadLetters: Array<{
    topic: string
    /** Records that arrived in the last hour */
    lastHour: number
    last?: { at: string; code?: string; reason?: string; from?: string }
  }>
  /** When this was read from Kafka */
  readAt: string
  /** Set when Kafka could not be asked; the other fields are then from the last good read */
  error?: string
}

const gaugeSum = async (name: string): Promise<Map<string, number>> => {
  const sums = new Map<string, number>()
  const metric = register.getSingleMetric(name)
  if (!metric) return sums
  for (const { labels, value } of (await metric.get()).values) {
    const topic = String(labels['topic'] ?? '')
    sums.set(topic, (sums.get(topic) ?? 0) + value)
  }
  return sums
}

/** The dead-letter topics of the parts that run, and the consumers whose lag matters. */
const deadLetterTopics = (sources: OperatorSources): string[] => {
  const { feeds, requests, events } = sources.config
  const topics = [feeds.deadLetterTopic]
  if (requests.enabled) topics.push(requests.deadLetterTopic)
  if (events.chains.length > 0) topics.push(events.deadLetterTopic)
  return topics
}

/** Dead letters counted per partition at most: the count reads "at least" beyond it. */
export const DEAD_LETTER_WINDOW = 10_000

type LastLetter = NonNullable<KafkaStatus['deadLetters'][number]['last']>

/** What was read of one dead-letter partition: the timestamps of its newest records, and the newest letter. */
interface Seen {
  next: number
  times: number[]
  last?: { ts: number; letter: LastLetter }
}

export const createKafkaStatus = (sources: OperatorSources) => {
  let last: KafkaStatus | undefined
  let reading: Promise<KafkaStatus> | undefined
  const seen = new Map<string, Seen>()

  /**
   * Reads only what arrived since the last look (at most DEAD_LETTER_WINDOW per
   * partition) and counts by record timestamp, so it works wherever Kafka does
   * (the test broker cannot look offsets up by time).
   */
  const deadLetters = async (topic: string, offsets: Array<{ partition: number; low: string; high: string }>) => {
    const ranges = new Map<number, { from: number; end: number }>()
    for (const o of offsets) {
      const key = `${topic}/${o.partition}`
      const high = Number(o.high)
      const known = seen.get(key) ?? { next: 0, times: [] }
      seen.set(key, known)
      const from = Math.max(known.next, Number(o.low), high - DEAD_LETTER_WINDOW)
      ranges.set(o.partition, { from: Math.min(from, high), end: high })
    }
    const read: Array<[number, number]> = []
    await scanTopic({
      kafka: sources.kafka,
      topic,
      ranges,
      groupPrefix: consumerGroups.httpDeadLetters(sources.config.kafka.clientId),
      timeoutMs: 30_000,
      onRecord: (record) => {
        const ts = Number(record.timestamp)
        read.push([record.partition, ts])
        const known = seen.get(`${topic}/${record.partition}`)!
        if (known.last && known.last.ts > ts) return
        const h = (name: string) => record.headers[name]?.toString()
        const origin = h(DLQ_HEADERS.topic)
        known.last = {
          ts,
          letter: {
            at: new Date(ts).toISOString(),
            code: h(DLQ_HEADERS.code),
            reason: h(DLQ_HEADERS.reason),
            ...(origin ? { from: `${origin}/${h(DLQ_HEADERS.partition)}@${h(DLQ_HEADERS.offset)}` } : {}),
          },
        }
      },
    })
    // Counted only once the whole range is read: a failed scan is read again next time.
    for (const o of offsets) seen.get(`${topic}/${o.partition}`)!.next = Number(o.high)
    for (const [partition, ts] of read) seen.get(`${topic}/${partition}`)!.times.push(ts)
    const since = Date.now() - HOUR_MS
    let lastHour = 0
    let newest: Seen['last']
    for (const o of offsets) {
      const known = seen.get(`${topic}/${o.partition}`)!
      known.times = known.times.filter((ts) => ts >= since).slice(-DEAD_LETTER_WINDOW)
      lastHour += known.times.length
      if (known.last && (!newest || known.last.ts > newest.ts)) newest = known.last
    }
    return { topic, lastHour, ...(newest ? { last: newest.letter } : {}) }
  }

  const readKafka = async (admin: Admin): Promise<KafkaStatus> => {
    const { config } = sources
    const consumerLag: KafkaStatus['consumerLag'] = []
    for (const [topic, lag] of await gaugeSum('bifrost_feeds_consumer_lag')) {
      consumerLag.push({ topic, consumer: 'feeds (this process)', lag })
    }
    if (config.requests.enabled) {
      const groupId = consumerGroups.requests(config.kafka.clientId)
      const topic = config.requests.replyTopic
      const [ends, [committed]] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId, topics: [topic] }),
      ])
      let lag = 0
      for (const end of ends) {
        const at = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1)
        lag += Number(end.high) - (at >= 0 ? at : Number(end.low))
      }
      consumerLag.push({ topic, consumer: groupId, lag })
    }
    const letters: KafkaStatus['deadLetters'] = []
    for (const topic of deadLetterTopics(sources))
      letters.push(await deadLetters(topic, await admin.fetchTopicOffsets(topic)))
    return { consumerLag, deadLetters: letters, readAt: new Date().toISOString() }
  }

  return async (): Promise<KafkaStatus> => {
    if (last && Date.now() - Date.parse(last.readAt) < REFRESH_MS) return last
    reading ??= (async () => {
      const admin = sources.kafka.admin()
      try {
        await admin.connect()
        return (last = await readKafka(admin))
      } catch (err) {
        const message = (err as Error).message
        return { consumerLag: [], deadLetters: [], ...last, readAt: new Date().toISOString(), error: message }
      } finally {
        await admin.disconnect().catch(() => undefined)
        reading = undefined
      }
    })()
    return reading
  }
}
