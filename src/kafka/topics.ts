import { ConfigResourceTypes, type Admin, type ITopicConfig, type KafkaConfig } from 'kafkajs'
import { setTimeout as sleep } from 'node:timers/promises'
import { BifrostError } from '../errors'
import { createKafka } from './client'
import { explainConnectionFailure, failureText } from './connection-error'
import type { KafkaSettings } from './settings'
import { MissingTopicsError, TopicCheckError, TopicCreationError } from './topic-errors'

export { MissingTopicsError, TopicCheckError, TopicCreationError, topicSpec } from './topic-errors'

/** One topic a configuration uses, with what it needs to be created right. */
export interface TopicPlan {
  topic: string
  /** The setting that names it, e.g. `events.checkpointTopic` */
  setting: string
  /** Bifrost creates an internal topic when it is missing; a missing user-facing one stops start-up */
  internal: boolean
  partitions: number
  /** Topic-level configs, e.g. `cleanup.policy: compact` */
  configs: Record<string, string>
  /** What the topic is for, in a few words */
  purpose: string
  /** For a user-facing topic: what else the user can do than create it (e.g. turn the part off) */
  otherwise?: string
}

/** What a topic has in the cluster */
export interface TopicFacts {
  partitions: number
  replicationFactor: number
  /** The values of the plan's configs, where the broker answers DescribeConfigs (the test broker does not) */
  configs?: Record<string, string>
}

export interface TopicStatus extends TopicPlan {
  state: 'present' | 'created' | 'missing'
  /** Unset when missing */
  has?: TopicFacts
}

export interface TopicReport {
  topics: TopicStatus[]
  /** What a topic created now gets: kafka.replicationFactor, or min(3, brokers in the cluster) */
  replicationFactor: number
}

export interface EnsureTopicsOptions {
  /** Which missing topics to create: Bifrost's own (start-up), all of them (`bifrost topics --create`), or none */
  create: 'internal' | 'all' | 'none'
  /** Refuse (MissingTopicsError) before creating anything when a topic that may not be created is missing */
  requireAll?: boolean
  /** Bounds connecting and reading the topics, so a missing topic stops start-up in seconds, not after kafkajs' retries */
  timeoutMs?: number
  /** For kafkajs (e.g. its log level where no adapter logger runs) */
  overrides?: Partial<KafkaConfig>
}

const DEFAULT_TIMEOUT_MS = 5_000
const MAX_DEFAULT_REPLICATION = 3

const AUTHORIZATION = /AUTHORIZATION_FAILED|not authorized/i

/**
 * The facts of those of `plans`' topics that exist. Listing first keeps kafkajs from failing on (or any
 * broker from creating) the others; configs are read where the broker can say, and left out where not.
 */
const readTopics = async (admin: Admin, plans: TopicPlan[]): Promise<Map<string, TopicFacts>> => {
  const all = new Set(await admin.listTopics())
  const there = [...new Set(plans.map((p) => p.topic))].filter((n) => all.has(n))
  if (there.length === 0) return new Map()
  const { topics } = await admin.fetchTopicMetadata({ topics: there })
  const facts = new Map(
    topics.map((t): [string, TopicFacts] => [
      t.name,
      { partitions: t.partitions.length, replicationFactor: t.partitions[0]?.replicas.length ?? 0 },
    ]),
  )
  const configNames = [...new Set(plans.flatMap((p) => Object.keys(p.configs)))]
  const described = await admin
    .describeConfigs({
      includeSynonyms: false,
      resources: there.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames })),
    })
    .catch(() => undefined)
  for (const resource of described?.resources ?? []) {
    const configs = Object.fromEntries(resource.configEntries.map((e) => [e.configName, e.configValue]))
    facts.get(resource.resourceName)!.configs = configs
  }
  return facts
}

/** How an existing topic differs from what Bifrost needs: configs (where known) and, for one-partition topics, partitions. */
export const topicMismatches = (status: TopicStatus): string[] => {
  const has = status.has
  if (!has) return []
  const wrong = Object.entries(status.configs)
    .filter(([name, value]) => has.configs && has.configs[name] !== value)
    .map(([name, value]) => `${name} is ${has.configs![name] ?? 'unset'}, needs ${value}`)
  if (status.partitions === 1 && has.partitions !== 1) wrong.push(`has ${has.partitions} partitions, needs 1`)
  return wrong
}

const within = async <T>(ms: number, brokers: string[], work: Promise<T>): Promise<T> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    const where = `${brokers.join(',')} (kafka.brokers)`
    timer = setTimeout(
      () => reject(new TopicCheckError(`Could not read the Kafka topics within ${ms} ms: is ${where} reachable?`)),
      ms,
    )
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

// Until its metadata has a new topic a broker answers UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE until the
// leaders are elected, and NOT_LEADER_FOR_PARTITION until the elected broker has taken the partition on, though the
// metadata already names it. kafkajs' createTopics({ waitForLeaders }) waits out only the second; Apache Kafka (KRaft)
// under load sends all three for a moment after CreateTopics has answered.
const NOT_YET = /UNKNOWN_TOPIC_OR_PARTITION|LEADER_NOT_AVAILABLE|NOT_LEADER_FOR_PARTITION/
const SERVED_TIMEOUT_MS = 30_000

/** Resolves once every partition of `topics` answers for its offsets: what a consumer or producer needs first. */
export const waitUntilServed = async (admin: Admin, topics: string[], timeoutMs = SERVED_TIMEOUT_MS): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics })
      if (found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) {
        for (const topic of topics) await admin.fetchTopicOffsets(topic)
        return
      }
    } catch (err) {
      if (!NOT_YET.test(failureText(err))) throw err
    }
    if (Date.now() > deadline) {
      throw new TopicCheckError(`Topics ${topics.join(', ')} were created but not served within ${timeoutMs} ms`)
    }
    await sleep(100)
  }
}

const create = async (admin: Admin, plans: TopicPlan[], replicationFactor: number): Promise<void> => {
  const topics: ITopicConfig[] = plans.map((p) => ({
    topic: p.topic,
    numPartitions: p.partitions,
    replicationFactor,
    configEntries: Object.entries(p.configs).map(([name, value]) => ({ name, value })),
  }))
  try {
    await admin.createTopics({ topics, waitForLeaders: false })
  } catch (cause) {
    const text = failureText(cause)
    const reason = AUTHORIZATION.test(text) ? 'not authorized' : text
    throw new TopicCreationError(plans, replicationFactor, reason, { cause })
  }
  await waitUntilServed(admin, [...new Set(plans.map((p) => p.topic))])
}

/**
 * Reads which of `plans` exist and creates the missing ones `options.create`
 * allows, with their partitions, replication factor and configs given
 * explicitly: kafkajs speaks CreateTopics v3 at most, which cannot ask for the
 * broker's defaults. Resolves with the state of every topic.
 * Describing the cluster is a metadata request too, and works on the test broker,
 * which has no CreateTopics: there, every topic must exist beforehand.
 */
export const ensureTopics = async (
  settings: KafkaSettings,
  plans: TopicPlan[],
  options: EnsureTopicsOptions,
): Promise<TopicReport> => {
  // Few retries: a refused login or certificate must surface as itself, well before the time bound.
  const kafka = createKafka(settings, { retry: { retries: 2, maxRetryTime: 1_000 }, ...options.overrides })
  const admin = kafka.admin()
  try {
    const { found, brokers } = await within(
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      settings.brokers,
      (async () => {
        await admin.connect()
        return { found: await readTopics(admin, plans), brokers: (await admin.describeCluster()).brokers.length }
      })(),
    )
    const replicationFactor = settings.replicationFactor ?? Math.min(MAX_DEFAULT_REPLICATION, brokers)
    const creatable = (p: TopicPlan) => options.create === 'all' || (options.create === 'internal' && p.internal)
    const missing = plans.filter((p) => !found.has(p.topic))
    const required = missing.filter((p) => !creatable(p))
    if (options.requireAll && required.length > 0) throw new MissingTopicsError(required, replicationFactor)
    // Two settings may name one topic (a shared dead-letter topic): create it once, as its first plan says.
    const toCreate = missing.filter((p, i) => creatable(p) && missing.findIndex((q) => q.topic === p.topic) === i)
    if (toCreate.length > 0) await create(admin, toCreate, replicationFactor)
    const created = new Set(toCreate.map((p) => p.topic))
    const topics = plans.map((plan): TopicStatus => {
      const has = found.get(plan.topic)
      if (has) return { ...plan, state: 'present', has }
      if (!created.has(plan.topic)) return { ...plan, state: 'missing' }
      return {
        ...plan,
        state: 'created',
        has: { partitions: plan.partitions, replicationFactor, configs: plan.configs },
      }
    })
    return { topics, replicationFactor }
  } catch (cause) {
    if (cause instanceof BifrostError) throw cause
    throw (
      explainConnectionFailure(cause, settings) ??
      new TopicCheckError(`Cannot read the Kafka topics: ${failureText(cause)}`, { cause })
    )
  } finally {
    await admin.disconnect()
  }
}

/** Start-up: stops naming every user-facing topic that is missing, else creates the missing internal ones. */
export const requireTopics = (
  settings: KafkaSettings,
  plans: TopicPlan[],
  options: Omit<EnsureTopicsOptions, 'create' | 'requireAll'> = {},
): Promise<TopicReport> => ensureTopics(settings, plans, { ...options, create: 'internal', requireAll: true })
