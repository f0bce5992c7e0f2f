import { Kafka, logLevel, type Admin, type Message } from 'kafkajs'
import type { ApacheKafka } from '../../src/dev/apache-kafka'
import { eventually } from './eventually'
import { uniqueTopic, type KafkaFixture } from './kafka'

// A fenced broker drops out after broker.session.timeout.ms (9 s) and a follower out of the ISR after
// that; on a loaded two-core machine each step may take several times as long.
const CLUSTER_TIMEOUT = { timeoutMs: 120_000, intervalMs: 500 }

/**
 * A test's client of a multi-node Apache Kafka, bootstrapped from the nodes `ids` (those that are up): kafkajs
 * refreshes metadata from one connected broker picked at random and retries only that one, and a paused node still
 * counts as connected (its sockets stay open). Requests to a paused node get no answer at all: give up on them after
 * 5 s, not kafkajs's 30 s.
 */
export const clusterClient = (cluster: ApacheKafka, ids: number[]): Kafka =>
  new Kafka({
    clientId: 'cluster-test',
    brokers: ids.map((id) => cluster.nodes[id - 1].broker),
    logLevel: logLevel.NOTHING,
    requestTimeout: 5000,
    connectionTimeout: 3000,
    retry: { retries: 2 },
  })

export const withClusterAdmin = async <T>(
  cluster: ApacheKafka,
  via: number[],
  use: (admin: Admin) => Promise<T>,
): Promise<T> => {
  const admin = clusterClient(cluster, via).admin()
  await admin.connect()
  try {
    return await use(admin)
  } finally {
    await admin.disconnect()
  }
}

/** Polls `probe` until true; an error (a request that reached a dead or paused node) counts as not yet */
export const untilCluster = async (what: string, probe: () => Promise<boolean> | boolean): Promise<void> => {
  let last: unknown
  try {
    await eventually(
      what,
      () => Promise.resolve(probe()).catch((err: unknown) => ((last = err), false)),
      CLUSTER_TIMEOUT,
    )
  } catch (err) {
    throw last
      ? new Error(`${(err as Error).message}; last error: ${String(last)}`, {
          cause: last,
        })
      : err
  }
}

/**
 * Writes `messages` to `topic` with acks=all (kafkajs's default), which succeeds only once min.insync.replicas nodes
 * have them, through the nodes `via` (those up); retried while leadership moves, so a record may land twice.
 */
export const writeVia = (cluster: ApacheKafka, via: number[], topic: string, messages: Message[]): Promise<void> =>
  untilCluster(`a write to ${topic}`, async () => {
    const producer = clusterClient(cluster, via).producer()
    await producer.connect()
    try {
      await producer.send({ topic, timeout: 5000, messages })
      return true
    } finally {
      await producer.disconnect()
    }
  })

/** The ids of the brokers the cluster has registered (fenced ones are left out), as `1,2,3` */
export const liveBrokers = (cluster: ApacheKafka, via: number[]): Promise<string> =>
  withClusterAdmin(cluster, via, async (admin) =>
    (await admin.describeCluster()).brokers
      .map((b) => b.nodeId)
      .sort((a, b) => a - b)
      .join(),
  )

/** The node leading `partition` of `topic` */
export const leaderOf = (cluster: ApacheKafka, topic: string, partition: number, via: number[]): Promise<number> =>
  withClusterAdmin(cluster, via, async (admin) => {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] })
    const leader = topics[0].partitions.find((p) => p.partitionId === partition)?.leader
    if (leader === undefined || leader < 0) throw new Error(`${topic}/${partition} has no leader`)
    return leader
  })

/** Resolves once every node is registered and every replica of `topics` (and of the offsets topic) is in sync */
export const untilWhole = async (cluster: ApacheKafka, topics: string[]): Promise<void> => {
  const all = cluster.nodes.map((n) => n.id)
  await untilCluster(
    `all ${all.length} brokers registered`,
    async () => (await liveBrokers(cluster, all)) === all.join(),
  )
  await untilCluster('every replica back in sync', () =>
    withClusterAdmin(cluster, all, async (admin) =>
      (
        await admin.fetchTopicMetadata({
          topics: [...topics, '__consumer_offsets'],
        })
      ).topics.every((t) => t.partitions.every((p) => p.isr.length === all.length)),
    ),
  )
}

/** The usual fixture on a cluster of a test's own: its stop() is the cluster's to call, so it only disconnects */
export const clusterFixture = (cluster: ApacheKafka): KafkaFixture => ({
  brokers: cluster.brokers,
  createTopics: cluster.createTopics,
  uniqueTopic,
  stop: async () => undefined,
})
