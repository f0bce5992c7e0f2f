import { register } from 'prom-client'
import type { Admin } from 'kafkajs'
import { DLQ_HEADERS } from '../../kafka/dead-letter'
import { scanTopic } from '../../kafka/topic-scan'
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

export const createKafkaStatus = (sources: OperatorSources) => {
  let last: KafkaStatus | undefined
  let reading: Promise<KafkaStatus> | undefined
  /** The newest dead letter of each topic, read again only when the topic grew */
  const newest = new Map<string, { high: string; last?: KafkaStatus['deadLetters'][number]['last'] }>()

  const lastLetter = async (topic: string, offsets: Array<{ partition: number; high: string }>) => {
    const high = offsets.map((o) => `${o.partition}:${o.high}`).join(',')
    const known = newest.get(topic)
    if (known?.high === high) return known.last
    let found: { ts: number; last: NonNullable<KafkaStatus['deadLetters'][number]['last']> } | undefined
    await scanTopic({
      kafka: sources.kafka,
      topic,
      ranges: new Map(offsets.map((o) => [o.partition, { from: Math.max(0, Number(o.high) - 1), end: Number(o.high) }])),
      groupPrefix: `${sources.config.kafka.clientId}.http.dlq`,
      timeoutMs: 30_000,
      onRecord: (record) => {
        const ts = Number(record.timestamp)
        if (found && found.ts >= ts) return
        const h = (name: string) => record.headers[name]?.toString()
        const origin = h(DLQ_HEADERS.topic)
        found = {
          ts,
          last: {
            at: new Date(ts).toISOString(),
            code: h(DLQ_HEADERS.code),
            reason: h(DLQ_HEADERS.reason),
            ...(origin ? { from: `${origin}/${h(DLQ_HEADERS.partition)}@${h(DLQ_HEADERS.offset)}` } : {}),
          },
        }
      },
    })
    newest.set(topic, { high, last: found?.last })
    return found?.last
  }

  const read = async (admin: Admin): Promise<KafkaStatus> => {
    const { config } = sources
    const consumerLag: KafkaStatus['consumerLag'] = []
    for (const [topic, lag] of await gaugeSum('bifrost_feed_consumer_lag')) {
      consumerLag.push({ topic, consumer: 'feeds (this process)', lag })
    }
    if (config.requests.enabled) {
      const groupId = `${config.kafka.clientId}-requests`
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
    const deadLetters: KafkaStatus['deadLetters'] = []
    for (const topic of deadLetterTopics(sources)) {
      const [ends, hourAgo] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchTopicOffsetsByTimestamp(topic, Date.now() - HOUR_MS),
      ])
      let lastHour = 0
      for (const end of ends) {
        const from = Number(hourAgo.find((o) => o.partition === end.partition)?.offset ?? end.high)
        lastHour += Math.max(0, Number(end.high) - Math.max(from, Number(end.low)))
      }
      const nonEmpty = ends.filter((e) => Number(e.high) > Number(e.low))
      deadLetters.push({ topic, lastHour, last: nonEmpty.length ? await lastLetter(topic, nonEmpty) : undefined })
    }
    return { consumerLag, deadLetters, readAt: new Date().toISOString() }
  }

  return async (): Promise<KafkaStatus> => {
    if (last && Date.now() - Date.parse(last.readAt) < REFRESH_MS) return last
    reading ??= (async () => {
      const admin = sources.kafka.admin()
      try {
        await admin.connect()
        return (last = await read(admin))
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
