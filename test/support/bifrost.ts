import { describeSettings } from '../../src/config/describe'
import type { KafkaFixture, TopicSpec } from './kafka'

/**
 * Environment for a whole Bifrost whose every topic setting not named in
 * `given` points at a fresh topic, created here (compacted when its description
 * says so). A test of one part can then start the real thing: the other parts
 * start too, on topics of their own, and the streaming bridge on a free port.
 */
export const freshTopicsEnv = async (
  kafka: KafkaFixture,
  given: Record<string, string> = {},
): Promise<Record<string, string>> => {
  // Any free port for the status page and the streaming bridge: tests (and other checkouts' tests) run side by side.
  const env: Record<string, string> = { KAFKA_BROKERS: kafka.brokers.join(','), HTTP_PORT: '0', STREAMS_PORT: '0' }
  const topics: TopicSpec[] = []
  for (const setting of describeSettings()) {
    const leaf = setting.path.split('.').pop() ?? ''
    if (!setting.env || !/topics?$/i.test(leaf) || setting.env in given) continue
    const topic = kafka.uniqueTopic(setting.path.replace(/[^A-Za-z0-9]+/g, '-'))
    env[setting.env] = topic
    topics.push({ topic, compacted: /compacted/i.test(setting.description) })
  }
  await kafka.createTopics(topics)
  return { ...env, ...given }
}

/** A chain that validates but is never contacted: for tests of what a configuration with chain -> Kafka implies. */
export const uncontactedChain = {
  name: 'uncontacted',
  chainId: 1,
  rpcUrls: ['http://127.0.0.1:1'],
  contracts: [{ address: `0x${'1'.repeat(40)}`, kind: 'operator' }],
}

/** `bifrost serve` at its most verbose on fresh topics and free ports: for tests that read every line it logs. */
export const traceServeEnv = async (
  kafka: KafkaFixture,
  given: Record<string, string>,
): Promise<Record<string, string>> => ({
  ...(await freshTopicsEnv(kafka)),
  EA_PORT: '0',
  METRICS_PORT: '0',
  LOG_LEVEL: 'trace',
  KAFKA_CLIENT_ID: kafka.uniqueTopic('bifrost'),
  ...given,
})
