import type { TopicPlan } from '../kafka/topics'
import type { Config } from './schema'
import { watchesCcip } from '../outbound/ccip-state'

const COMPACT = { 'cleanup.policy': 'compact' }
/** Partitions suggested for the topics other systems write or read; more lets their consumers scale out. */
const SHARED_PARTITIONS = 3

/**
 * Every topic a configuration uses, with the partitions and configs Bifrost
 * needs: the parts that are off (requests disabled, no chain) use none.
 * Internal topics are Bifrost's own; the others are shared with other systems,
 * so their owners create them (or `bifrost topics --create` does, on request).
 */
export const topicPlans = (config: Config): TopicPlan[] => {
  const plans: TopicPlan[] = [
    ...config.feeds.topics.map((topic, i) => ({
      topic,
      setting: `feeds.topics.${i}`,
      internal: false,
      partitions: SHARED_PARTITIONS,
      configs: COMPACT,
      purpose: 'feed records (latest value per feed and source)',
    })),
    {
      topic: config.feeds.deadLetterTopic,
      setting: 'feeds.deadLetterTopic',
      internal: true,
      partitions: 1,
      configs: {},
      purpose: 'malformed feed records, with the reason',
    },
  ]
  if (config.requests.enabled) {
    const otherwise = 'turn the request part off with requests.enabled: false (REQUESTS_ENABLED=false)'
    plans.push(
      {
        topic: config.requests.topic,
        setting: 'requests.topic',
        internal: false,
        partitions: SHARED_PARTITIONS,
        configs: {},
        purpose: 'bridge requests for enterprise systems',
        otherwise,
      },
      {
        topic: config.requests.replyTopic,
        setting: 'requests.replyTopic',
        internal: false,
        partitions: SHARED_PARTITIONS,
        configs: {},
        purpose: 'replies of enterprise systems',
        otherwise,
      },
      {
        topic: config.requests.deadLetterTopic,
        setting: 'requests.deadLetterTopic',
        internal: true,
        partitions: 1,
        configs: {},
        purpose: 'malformed replies, with the reason',
      },
      {
        topic: config.requests.pendingTopic,
        setting: 'requests.pendingTopic',
        internal: true,
        partitions: SHARED_PARTITIONS,
        configs: COMPACT,
        purpose: 'open asynchronous requests, re-read at start-up',
      },
    )
  }
  if (config.events.chains.length > 0) {
    plans.push(
      {
        topic: config.events.topic,
        setting: 'events.topic',
        internal: false,
        partitions: SHARED_PARTITIONS,
        configs: {},
        purpose: 'confirmed and retracted oracle events',
        otherwise: 'remove events.chains to run without chain -> Kafka',
      },
      {
        topic: config.events.checkpointTopic,
        setting: 'events.checkpointTopic',
        internal: true,
        // One partition: its consumer groups elect one publisher per chain, and a checkpoint is read back whole.
        partitions: 1,
        configs: COMPACT,
        purpose: 'per-chain checkpoints and leader election',
      },
      {
        topic: config.events.deadLetterTopic,
        setting: 'events.deadLetterTopic',
        internal: true,
        partitions: 1,
        configs: {},
        purpose: 'logs that do not decode with their ABI, with the reason',
      },
    )
  }
  if (config.events.chains.some(watchesCcip)) {
    plans.push({
      topic: config.events.ccip.stateTopic,
      setting: 'events.ccip.stateTopic',
      internal: true,
      partitions: SHARED_PARTITIONS,
      configs: COMPACT,
      purpose: "each CCIP message's send until its execution succeeds",
    })
  }
  return plans
}
