import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs'
import { startBifrost } from '../../src/bifrost'
import { loadConfig } from '../../src/config/load'
import { topicPlans } from '../../src/config/topics'
import { createKafka } from '../../src/kafka/client'
import { ensureTopics, MissingTopicsError, requireTopics } from '../../src/kafka/topics'
import { uncontactedChain } from '../support/bifrost'
import { runCli } from '../support/cli'
import { startEventChain } from '../support/event-chain'
import { eventually } from '../support/eventually'
import { apacheKafkaOnly, startKafka, type KafkaFixture } from '../support/kafka'
import { useEphemeralAdapters } from '../support/adapter-http'

useEphemeralAdapters()

// Apache Kafka under `npm run test:kafka` keeps the stock auto.create.topics.enable=true.
const onApacheKafka = apacheKafkaOnly('the mock broker has no CreateTopics/DescribeConfigs')

/** Every topic setting of a configuration, each naming a topic of its own */
const freshEnv = (kafka: KafkaFixture): Record<string, string> => ({
  KAFKA_BROKERS: kafka.brokers.join(','),
  STREAMS_PORT: '0',
  FEEDS_TOPICS: kafka.uniqueTopic('feeds'),
  FEEDS_DEAD_LETTER_TOPIC: kafka.uniqueTopic('feeds-dlq'),
  REQUESTS_TOPIC: kafka.uniqueTopic('requests'),
  REQUESTS_REPLY_TOPIC: kafka.uniqueTopic('replies'),
  REQUESTS_DEAD_LETTER_TOPIC: kafka.uniqueTopic('replies-dlq'),
  REQUESTS_PENDING_TOPIC: kafka.uniqueTopic('pending'),
  EVENTS_TOPIC: kafka.uniqueTopic('events'),
  EVENTS_CHECKPOINT_TOPIC: kafka.uniqueTopic('checkpoints'),
  EVENTS_DEAD_LETTER_TOPIC: kafka.uniqueTopic('events-dlq'),
})

/** A configuration of one feed topic, requests on, one chain: every kind of topic, all named afresh. */
const freshConfig = (kafka: KafkaFixture, env: Record<string, string> = {}) =>
  loadConfig({ env: { ...freshEnv(kafka), ...env }, defaults: { events: { chains: [uncontactedChain] } } })

describe('topics a configuration uses', () => {
  let kafka: KafkaFixture
  let admin: Admin

  before(async () => {
    kafka = await startKafka()
    admin = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
  })

  after(async () => {
    await admin?.disconnect()
    await kafka?.stop()
  })

  const shared = (config: ReturnType<typeof freshConfig>) =>
    topicPlans(config)
      .filter((p) => !p.internal)
      .map((p) => ({ topic: p.topic, partitions: p.partitions, compacted: 'cleanup.policy' in p.configs }))

  test('a missing shared topic stops start-up within 5 s, naming it, its setting and how to turn the part off', async () => {
    const config = freshConfig(kafka)
    await kafka.createTopics(shared(config).filter((t) => t.topic !== config.requests.topic))
    const started = Date.now()
    const err = await startBifrost(config).then(
      (b) => b.stop().then(() => assert.fail('started without its requests topic')),
      (e: unknown) => e,
    )
    // The bound: before this check, the request part retried for 17 s without naming the topic.
    assert.ok(Date.now() - started < 5_000, `failing took ${Date.now() - started} ms`)
    assert.ok(err instanceof MissingTopicsError, `expected MissingTopicsError, got ${err}`)
    assert.deepEqual(
      err.topics.map((t) => t.topic),
      [config.requests.topic],
    )
    assert.match(err.message, new RegExp(`${config.requests.topic} does not exist \\(requests\\.topic\\)`))
    assert.match(err.message, /requests\.enabled: false/)
    // Nothing was created on the way to that verdict.
    assert.ok(!(await admin.listTopics()).includes(config.requests.pendingTopic))
  })

  test(
    "the new user's broker, holding only the shared topics and the feeds dead-letter topic: Bifrost creates the rest and gets ready",
    { skip: onApacheKafka },
    async () => {
      const chain = await startEventChain()
      try {
        const config = loadConfig({
          env: freshEnv(kafka),
          defaults: {
            events: {
              chains: [
                {
                  name: kafka.uniqueTopic('new-user'),
                  chainId: chain.chainId,
                  rpcUrls: [chain.rpcUrl],
                  contracts: [{ address: chain.emitter, kind: 'aggregator' }],
                },
              ],
            },
          },
        })
        await kafka.createTopics([...shared(config), { topic: config.feeds.deadLetterTopic }])
        const bifrost = await startBifrost(config)
        try {
          await eventually(
            'Bifrost to be ready',
            async () => (await fetch(`${bifrost.adapterUrl}/ready`)).status === 200,
            {
              timeoutMs: 60_000,
              intervalMs: 200,
            },
          )
        } finally {
          await bifrost.stop()
        }
        const topics = new Set(await admin.listTopics())
        for (const plan of topicPlans(config))
          assert.ok(topics.has(plan.topic), `${plan.topic} (${plan.setting}) exists`)
      } finally {
        await chain.stop()
      }
    },
  )

  test('bifrost topics lists every topic with what it needs, and which exist', async () => {
    const config = freshConfig(kafka)
    await kafka.createTopics([{ topic: config.feeds.topics[0], partitions: 3, compacted: true }])
    const env = {
      KAFKA_BROKERS: kafka.brokers.join(','),
      FEEDS_TOPICS: config.feeds.topics[0],
      REQUESTS_PENDING_TOPIC: config.requests.pendingTopic,
    }
    const { code, stdout, stderr } = await runCli(['topics'], env)
    assert.equal(code, 0, stderr)
    const line = (topic: string) => stdout.split('\n').find((l) => l.includes(` ${topic} `)) ?? ''
    assert.match(line(config.feeds.topics[0]), /^exists .* shared .* 3 .* cleanup\.policy=compact .* feeds\.topics\.0 /)
    assert.match(
      line(config.requests.pendingTopic),
      /^MISSING .* internal .* 3 .* cleanup\.policy=compact .* requests\.pendingTopic /,
    )
    assert.match(stdout, /bifrost topics --create/)
  })

  test(
    'Bifrost creates its internal topics with their settings, and no client lets a stock broker auto-create one',
    { skip: onApacheKafka },
    async () => {
      const config = freshConfig(kafka)
      await kafka.createTopics(shared(config))
      const report = await requireTopics(config.kafka, topicPlans(config))
      const created = report.topics.filter((t) => t.state === 'created').map((t) => t.setting)
      assert.deepEqual(created.sort(), [
        'events.checkpointTopic',
        'events.deadLetterTopic',
        'feeds.deadLetterTopic',
        'requests.deadLetterTopic',
        'requests.pendingTopic',
      ])
      const { topics } = await admin.fetchTopicMetadata({
        topics: [config.events.checkpointTopic, config.requests.pendingTopic],
      })
      assert.deepEqual(
        new Map(topics.map((t) => [t.name, t.partitions.length])),
        new Map([
          [config.events.checkpointTopic, 1],
          [config.requests.pendingTopic, 3],
        ]),
      )
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [config.events.checkpointTopic, config.requests.pendingTopic].map((name) => ({
          type: ConfigResourceTypes.TOPIC,
          name,
          configNames: ['cleanup.policy'],
        })),
      })
      for (const resource of described.resources) {
        assert.equal(resource.configEntries[0].configValue, 'compact', `${resource.resourceName} is compacted`)
      }

      // The broker creates a topic on a metadata request that allows it (auto.create.topics.enable=true)...
      const plain = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer()
      const autoCreated = kafka.uniqueTopic('auto-created')
      await plain.connect()
      await plain.send({ topic: autoCreated, messages: [{ value: 'x' }] })
      await plain.disconnect()
      assert.ok((await admin.listTopics()).includes(autoCreated), 'the broker auto-creates topics')
      // ...but not for a client of Bifrost.
      const missing = kafka.uniqueTopic('never-created')
      const client = createKafka(config.kafka, { logLevel: logLevel.NOTHING, retry: { retries: 1 } })
      const producer = client.producer()
      await producer.connect()
      await assert.rejects(producer.send({ topic: missing, messages: [{ value: 'x' }] }))
      await producer.disconnect()
      const consumer = client.consumer({ groupId: kafka.uniqueTopic('no-auto-create') })
      await consumer.connect()
      await consumer.subscribe({ topic: missing }).catch(() => undefined)
      await consumer.disconnect()
      assert.ok(!(await admin.listTopics()).includes(missing), `${missing} was auto-created`)
    },
  )

  test(
    'a checkpoint topic made with the broker defaults (not compacted, 2 partitions) is reported as not what Bifrost needs',
    { skip: onApacheKafka },
    async () => {
      const config = freshConfig(kafka)
      await kafka.createTopics([{ topic: config.events.checkpointTopic, partitions: 2 }])
      const env = {
        KAFKA_BROKERS: kafka.brokers.join(','),
        EVENTS_CHECKPOINT_TOPIC: config.events.checkpointTopic,
        EVENTS_CHAINS: JSON.stringify([uncontactedChain]),
      }
      const { code, stdout, stderr } = await runCli(['topics'], env)
      assert.equal(code, 0, stderr)
      const topic = config.events.checkpointTopic
      assert.match(stdout, new RegExp(`^exists .* ${topic} .* cleanup\\.policy=compact \\(has delete\\)`, 'm'))
      assert.match(
        stdout,
        new RegExp(`${topic} \\(events\\.checkpointTopic\\): cleanup\\.policy is delete, needs compact`),
      )
      assert.match(stdout, new RegExp(`${topic} \\(events\\.checkpointTopic\\): has 2 partitions, needs 1`))
    },
  )

  test(
    'bifrost topics --create makes the missing ones, shared topics too, with their settings',
    { skip: onApacheKafka },
    async () => {
      const config = freshConfig(kafka, { REQUESTS_ENABLED: 'false' })
      const env = {
        KAFKA_BROKERS: kafka.brokers.join(','),
        FEEDS_TOPICS: config.feeds.topics[0],
        FEEDS_DEAD_LETTER_TOPIC: config.feeds.deadLetterTopic,
        REQUESTS_ENABLED: 'false',
      }
      const { code, stdout, stderr } = await runCli(['topics', '--create'], env)
      assert.equal(code, 0, stderr)
      assert.match(stdout, new RegExp(`^created .* ${config.feeds.topics[0]} .* shared`, 'm'))
      assert.match(stdout, /Every topic exists|created/)
      const report = await ensureTopics(config.kafka, topicPlans(config), { create: 'none' })
      assert.deepEqual(
        report.topics.filter((t) => t.setting.startsWith('feeds.')).map((t) => [t.topic, t.state, t.has?.partitions]),
        [
          [config.feeds.topics[0], 'present', 3],
          [config.feeds.deadLetterTopic, 'present', 1],
        ],
      )
    },
  )
})
