import { BifrostError } from '../errors'
import type { TopicPlan } from './topics'

/** Topics a start-up needs that do not exist and that Bifrost does not create. */
export class MissingTopicsError extends BifrostError {
  static override readonly code = 'BIFROST_TOPICS_MISSING'
  constructor(
    readonly topics: TopicPlan[],
    replicationFactor: number,
  ) {
    super(
      `Missing Kafka ${topics.length === 1 ? 'topic' : 'topics'} (Bifrost creates only its internal ones):\n` +
        topics
          .map(
            (t) =>
              `  - ${t.topic} does not exist (${t.setting}): create it with ${topicSpec(t, replicationFactor)}` +
              (t.otherwise ? `, or ${t.otherwise}` : ''),
          )
          .join('\n'),
    )
  }
}

/** Bifrost may not create its topics (no ACL, or creation refused): the message says what to create instead. */
export class TopicCreationError extends BifrostError {
  static override readonly code = 'BIFROST_TOPIC_CREATION_REFUSED'
  constructor(
    readonly topics: TopicPlan[],
    readonly replicationFactor: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Cannot create Kafka topics (${reason}); have them created with these settings:\n` +
        topics.map((t) => `  - ${t.topic} (${t.setting}): ${topicSpec(t, replicationFactor)}`).join('\n'),
      options,
    )
  }
}

/** `N partitions, replication factor R, k=v`: what an operator hands to the Kafka team. */
export const topicSpec = (plan: Pick<TopicPlan, 'partitions' | 'configs'>, replicationFactor: number): string => {
  const configs = Object.entries(plan.configs).map(([k, v]) => `${k}=${v}`)
  const partitions = `${plan.partitions} ${plan.partitions === 1 ? 'partition' : 'partitions'}`
  return [partitions, `replication factor ${replicationFactor}`, ...configs].join(', ')
}

/** The topics could not be read (or a created one got no leader): the cluster, not the configuration, is at fault. */
export class TopicCheckError extends BifrostError {
  static override readonly code = 'BIFROST_TOPIC_CHECK_FAILED'
}

/** A topic, or its offsets, could not be read: missing, not allowed, or the broker failed the read. */
export class TopicReadError extends BifrostError {
  static override readonly code = 'BIFROST_TOPIC_READ_FAILED'
}
