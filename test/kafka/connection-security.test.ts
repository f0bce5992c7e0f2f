import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } from 'kafkajs'
import { startBifrost } from '../../src/bifrost'
import { loadConfig } from '../../src/config/load'
import { startApacheKafka, type ApacheKafka } from '../../src/dev/apache-kafka'
import { createKafka } from '../../src/kafka/client'
import { KafkaAuthenticationError, KafkaTlsError } from '../../src/kafka/connection-error'
import { TopicCreationError } from '../../src/kafka/topics'
import { ANSWER_UPDATED, startEventChain, type EventChain } from '../support/event-chain'
import { eventually } from '../support/eventually'
import { apacheKafkaOnly } from '../support/kafka'
import { makeTestCertificates, type TestCertificates } from '../support/tls'
import { useEphemeralAdapters } from '../support/adapter-http'

useEphemeralAdapters()

// These tests start an Apache Kafka node of their own, with secured listeners, under `npm run test:kafka`.
const skip = apacheKafkaOnly('the mock broker speaks neither SASL nor TLS')

const PASSWORD = 'scram-secret-7f3a'
const WRONG_PASSWORD = 'not-the-password-91c2'

describe('connection security on Apache Kafka: SASL/SCRAM-SHA-512, TLS with a private CA, mutual TLS', { skip }, () => {
  let certs: TestCertificates
  let kafka: ApacheKafka
  let plain: Kafka

  before(async () => {
    certs = await makeTestCertificates()
    const keystore = (listener: string) => ({
      [`listener.name.${listener}.ssl.keystore.type`]: 'PKCS12',
      [`listener.name.${listener}.ssl.keystore.location`]: certs.brokerKeystore,
      [`listener.name.${listener}.ssl.keystore.password`]: certs.password,
      [`listener.name.${listener}.ssl.key.password`]: certs.password,
    })
    kafka = await startApacheKafka({
      secured: { SECURE: 'SASL_SSL', MTLS: 'SSL' },
      scramUsers: { bifrost: PASSWORD, bob: PASSWORD },
      properties: {
        ...keystore('secure'),
        ...keystore('mtls'),
        'listener.name.mtls.ssl.client.auth': 'required',
        'listener.name.mtls.ssl.truststore.type': 'PEM',
        'listener.name.mtls.ssl.truststore.location': certs.ca,
        // ACLs, so one user may be refused topic creation; the starter, the other node roles and bifrost may do anything.
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'super.users': 'User:ANONYMOUS;User:bifrost;User:CN=bifrost-client',
      },
    })
    plain = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING })
  })

  after(async () => {
    await kafka?.stop()
    await certs?.remove()
  })

  const scramEnv = (password: string, user = 'bifrost'): Record<string, string> => ({
    KAFKA_BROKERS: kafka.securedBrokers['SECURE'].join(','),
    STREAMS_PORT: '0',
    KAFKA_SSL_CA: certs.ca,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: user,
    KAFKA_SASL_PASSWORD: password,
    REQUESTS_ENABLED: 'false',
  })

  test('SCRAM over TLS works end to end: a feed is served from Kafka and an oracle event is published', async () => {
    let chain: EventChain | undefined
    let bifrost: Awaited<ReturnType<typeof startBifrost>> | undefined
    try {
      chain = await startEventChain()
      const suffix = Date.now().toString(36)
      const env = { ...scramEnv(PASSWORD), FEEDS_TOPICS: `sec-feeds-${suffix}`, EVENTS_TOPIC: `sec-events-${suffix}` }
      await kafka.createTopics([{ topic: env.FEEDS_TOPICS, compacted: true }, { topic: env.EVENTS_TOPIC }])
      const config = loadConfig({
        env,
        defaults: {
          events: {
            checkpointTopic: `sec-checkpoints-${suffix}`,
            deadLetterTopic: `sec-events-dlq-${suffix}`,
            chains: [
              {
                name: `sec-${suffix}`,
                chainId: chain.chainId,
                rpcUrls: [chain.rpcUrl],
                confirmations: 1,
                pollIntervalMs: 100,
                fromBlock: await chain.blockNumber(),
                contracts: [{ address: chain.emitter, kind: 'aggregator' }],
              },
            ],
          },
          feeds: { deadLetterTopic: `sec-feeds-dlq-${suffix}` },
        },
      })
      const client = createKafka(config.kafka, { logLevel: logLevel.NOTHING })
      const producer = client.producer()
      await producer.connect()
      await producer.send({
        topic: env.FEEDS_TOPICS,
        messages: [{ key: 'ETH/USD', value: JSON.stringify({ value: '3012.45', source: 'secure' }) }],
      })
      await producer.disconnect()

      bifrost = await startBifrost(config)
      const answer = await eventually(
        'the feed to be served',
        async () => {
          const res = await fetch(bifrost!.adapterUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ data: { feed: 'ETH/USD' } }),
          })
          return res.status === 200 && ((await res.json()) as { result: unknown }).result
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      )
      assert.equal(String(answer), '3012.45')

      await chain.emit(1, { start: 7, topic0: ANSWER_UPDATED })
      await chain.mine(2)
      const consumer = client.consumer({ groupId: `sec-reader-${suffix}`, maxWaitTimeInMs: 100 })
      const values: string[] = []
      await consumer.connect()
      await consumer.subscribe({ topic: env.EVENTS_TOPIC, fromBeginning: true })
      await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value?.toString() ?? '') })
      try {
        const event = await eventually(
          'the AnswerUpdated event in Kafka',
          () => values.find((v) => /AnswerUpdated/.test(v)),
          {
            timeoutMs: 60_000,
            intervalMs: 100,
          },
        )
        assert.equal((JSON.parse(event) as { status: string }).status, 'confirmed')
      } finally {
        await consumer.disconnect()
      }
    } finally {
      await bifrost?.stop()
      await chain?.stop()
    }
  })

  test('a wrong password stops start-up in under 10 s, saying authentication failed and never showing the password', async () => {
    const config = loadConfig({ env: scramEnv(WRONG_PASSWORD) })
    const started = Date.now()
    const err = await startBifrost(config).then(
      (b) => b.stop().then(() => assert.fail('started with a wrong password')),
      (e: unknown) => e,
    )
    // The bound for a refused login: kafkajs retries are cut short and SASL failures are not retried.
    assert.ok(Date.now() - started < 10_000, `start-up took ${Date.now() - started} ms to fail`)
    assert.ok(err instanceof KafkaAuthenticationError, `expected KafkaAuthenticationError, got ${err}`)
    assert.match(err.message, /authentication failed/i)
    assert.match(err.message, /kafka\.sasl\.password/)
    assert.doesNotMatch(err.message, new RegExp(WRONG_PASSWORD))
    assert.doesNotMatch(JSON.stringify(err, Object.getOwnPropertyNames(err)), new RegExp(WRONG_PASSWORD))
  })

  test('mutual TLS: a client certificate of the private CA connects, one the broker does not trust is refused saying so', async () => {
    const mtlsEnv = (cert: { cert: string; key: string }): Record<string, string> => ({
      KAFKA_BROKERS: kafka.securedBrokers['MTLS'].join(','),
      STREAMS_PORT: '0',
      KAFKA_SSL_CA: certs.ca,
      KAFKA_SSL_CERT: cert.cert,
      KAFKA_SSL_KEY: cert.key,
      REQUESTS_ENABLED: 'false',
    })
    const admin = createKafka(loadConfig({ env: mtlsEnv(certs.client) }).kafka, { logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
    assert.ok((await admin.describeCluster()).brokers.length > 0)
    await admin.disconnect()

    const err = await startBifrost(loadConfig({ env: mtlsEnv(certs.untrusted) })).then(
      (b) => b.stop().then(() => assert.fail('started with an untrusted client certificate')),
      (e: unknown) => e,
    )
    assert.ok(err instanceof KafkaTlsError, `expected KafkaTlsError, got ${err}`)
    assert.equal(err.refused, 'client certificate')
    assert.match(err.message, /broker does not trust the client certificate/)
    assert.match(err.message, new RegExp(certs.untrusted.cert.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
  })

  test('a broker certificate Bifrost does not trust is refused saying so, and naming kafka.sslCa', async () => {
    const env = { ...scramEnv(PASSWORD), KAFKA_SSL: 'true' }
    delete (env as Record<string, string | undefined>)['KAFKA_SSL_CA']
    const err = await startBifrost(loadConfig({ env })).then(
      (b) => b.stop().then(() => assert.fail('trusted a certificate of a private CA without kafka.sslCa')),
      (e: unknown) => e,
    )
    assert.ok(err instanceof KafkaTlsError, `expected KafkaTlsError, got ${err}`)
    assert.equal(err.refused, 'broker certificate')
    assert.match(err.message, /broker's certificate is not trusted .*kafka\.sslCa/)
  })

  test('where Bifrost may not create topics, start-up names each one to create and its settings', async () => {
    const admin = plain.admin()
    await admin.connect()
    try {
      const acl = { resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:bob', host: '*' }
      await admin.createAcls({
        acl: [
          {
            ...acl,
            resourceType: AclResourceTypes.TOPIC,
            resourceName: '*',
            operation: AclOperationTypes.ALL,
            permissionType: AclPermissionTypes.ALLOW,
          },
          {
            ...acl,
            resourceType: AclResourceTypes.GROUP,
            resourceName: '*',
            operation: AclOperationTypes.ALL,
            permissionType: AclPermissionTypes.ALLOW,
          },
          {
            ...acl,
            resourceType: AclResourceTypes.TOPIC,
            resourceName: '*',
            operation: AclOperationTypes.CREATE,
            permissionType: AclPermissionTypes.DENY,
          },
          {
            ...acl,
            resourceType: AclResourceTypes.CLUSTER,
            resourceName: 'kafka-cluster',
            operation: AclOperationTypes.CREATE,
            permissionType: AclPermissionTypes.DENY,
          },
        ],
      })
    } finally {
      await admin.disconnect()
    }
    const suffix = Date.now().toString(36)
    const env = {
      ...scramEnv(PASSWORD, 'bob'),
      FEEDS_TOPICS: `bob-feeds-${suffix}`,
      FEEDS_DEAD_LETTER_TOPIC: `bob-feeds-dlq-${suffix}`,
    }
    await kafka.createTopics([{ topic: env.FEEDS_TOPICS, compacted: true }])
    const err = await startBifrost(loadConfig({ env })).then(
      (b) => b.stop().then(() => assert.fail('bob created a topic the ACLs deny him')),
      (e: unknown) => e,
    )
    assert.ok(err instanceof TopicCreationError, `expected TopicCreationError, got ${err}`)
    assert.match(err.message, /not authorized/)
    assert.match(
      err.message,
      new RegExp(`${env.FEEDS_DEAD_LETTER_TOPIC} \\(feeds\\.deadLetterTopic\\): 1 partition, replication factor 1`),
    )
  })
})
