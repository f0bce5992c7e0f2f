import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel, Partitioners, type Message, type Producer } from 'kafkajs'
import { register } from 'prom-client'
import { startBifrost, type Bifrost } from '../../src/bifrost'
import { loadConfig } from '../../src/config/load'
import { buildAdapter } from '../../src/http/adapter'
import { startServer } from '../../src/http/server'
import { DLQ_HEADERS } from '../../src/kafka/dead-letter'
import { feedEndpoint } from '../../src/inbound/feed-endpoint'
import { createFeedIngest } from '../../src/inbound/feed-ingest'
import { createFeedStore } from '../../src/inbound/feed-store'
import { feedSettings } from '../../src/inbound/settings'
import { createKafka } from '../../src/kafka/client'
import { freshTopicsEnv } from '../support/bifrost'
import { eventually } from '../support/eventually'
import { readTopics } from '../support/topic-reader'
import { onRealKafka, startKafka, type KafkaFixture } from '../support/kafka'
import { postJson, useEphemeralAdapters } from '../support/adapter-http'

// Several adapters start one after the other in this process.
useEphemeralAdapters()

interface Answer {
  status: number
  body: {
    result?: unknown
    data?: {
      result: unknown
      feed: string
      sources: Record<string, { value: unknown; timestamp: number }>
      asOf: string
      maxAgeSeconds: number
      maxAgeLimit: string
    }
    timestamps?: { providerIndicatedTimeUnixMs: number }
    statusCode?: number
    error?: { name: string; message: string }
  }
}

const post = (url: string, data: Record<string, unknown>): Promise<Answer> =>
  postJson<Answer['body']>(url, { id: '1', data })

const ready = async (url: string): Promise<{ status: number; body: { checks: Record<string, string> } }> => {
  const res = await fetch(`${url}/ready`)
  return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } }
}

const untilReady = (url: string) => eventually(`${url} to be ready`, async () => (await ready(url)).status === 200)

const record = (key: string | null, value: Record<string, unknown> | string | null): Message => ({
  key,
  value: value === null ? null : typeof value === 'string' ? value : JSON.stringify(value),
})

describe('feed endpoint over HTTP, fed from Kafka', () => {
  let kafka: KafkaFixture
  let producer: Producer
  let topic: string
  let dlq: string
  let bifrost: Bifrost
  const now = Date.now()
  const BIG_A = '340282366920938463463374607431768211457'
  const BIG_B = '340282366920938463463374607431768211459'

  const startAdapter = async (feedsTopic: string, deadLetterTopic: string) =>
    startBifrost(
      loadConfig({
        env: await freshTopicsEnv(kafka, {
          FEEDS_TOPICS: feedsTopic,
          FEEDS_DEAD_LETTER_TOPIC: deadLetterTopic,
          // Each adapter its own identity, as separate deployments would have: the
          // requests part uses a shared consumer group named after the client id.
          KAFKA_CLIENT_ID: kafka.uniqueTopic('bifrost'),
        }),
      }),
    )

  before(async () => {
    kafka = await startKafka()
    topic = kafka.uniqueTopic('feeds')
    dlq = kafka.uniqueTopic('feeds-dlq')
    await kafka.createTopics([{ topic, partitions: 3, compacted: true }, { topic: dlq }])
    producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    })
    await producer.connect()
    await producer.send({
      topic,
      messages: [
        record('ETH/USD', { value: 3000, source: 'alpha', timestamp: now - 3000 }),
        record('ETH/USD', { value: 3010, source: 'beta', timestamp: now - 1000 }),
        record('ETH/USD', { value: 3001, source: 'gamma', timestamp: now - 2000 }),
        // Superseded by the record above it in the log: only the latest per source counts.
        record('BTC/USD', { value: 1, source: 'alpha', timestamp: now - 5000 }),
        record('BTC/USD', { value: 60000, source: 'alpha', timestamp: now - 4000 }),
        record('WEI', { value: BIG_A, source: 'a' }),
        record('WEI', { value: BIG_B, source: 'b' }),
        record('eth/usd', { value: 7 }),
        record('OLD', { value: 5, timestamp: now - 600_000 }),
        record('HALF', { value: 1, source: 'fresh' }),
        record('HALF', { value: 2, source: 'stale', timestamp: now - 600_000 }),
        // Malformed records on the key of a good feed: consumption must go on past them.
        record('AFTER/BAD', 'not json at all'),
        record('AFTER/BAD', { price: 1 }),
        // Brokers differ: the mock takes a keyless record on a compacted topic and Bifrost dead-letters it;
        // a real broker refuses it (INVALID_RECORD), so it never reaches Bifrost (see the keyless test below).
        ...(onRealKafka() ? [] : [record(null, { value: 1 })]),
        record('AFTER/BAD', { value: 42 }),
        // Past what Date can show: stored, it would make every answer for the feed a 500
        record('AHEAD', { value: 1, source: 'ahead', timestamp: 9e15 }),
        record('AHEAD', { value: 2, source: 'now' }),
      ],
    })
    bifrost = await startAdapter(topic, dlq)
    await untilReady(bifrost.adapterUrl)
  })

  after(async () => {
    await bifrost?.stop()
    await producer?.disconnect()
    await kafka?.stop()
  })

  test('answers the median of three sources in the framework shape', async () => {
    const { status, body } = await post(bifrost.adapterUrl, { feed: 'ETH/USD' })
    assert.equal(status, 200, JSON.stringify(body))
    assert.equal(body.result, 3001)
    assert.equal(body.data!.result, 3001)
    assert.equal(body.data!.feed, 'ETH/USD')
    assert.deepEqual(body.data!.sources, {
      alpha: { value: 3000, timestamp: now - 3000 },
      beta: { value: 3010, timestamp: now - 1000 },
      gamma: { value: 3001, timestamp: now - 2000 },
    })
    assert.equal(body.timestamps!.providerIndicatedTimeUnixMs, now - 1000, 'the newest contributing record')
    assert.equal(body.data!.asOf, new Date(now - 1000).toISOString())
  })

  test('base and quote name the feed, and the aggregate can be chosen', async () => {
    assert.equal(
      (await post(bifrost.adapterUrl, { base: 'ETH', quote: 'USD', aggregate: 'mean' })).body.result,
      3003.6666666666665,
    )
    assert.equal((await post(bifrost.adapterUrl, { from: 'ETH', to: 'USD', aggregate: 'latest' })).body.result, 3010)
    assert.equal((await post(bifrost.adapterUrl, { feed: 'BTC/USD' })).body.result, 60000)
  })

  test('big integers as decimal strings come back exact', async () => {
    const median = await post(bifrost.adapterUrl, { feed: 'WEI' })
    assert.equal(median.status, 200)
    assert.equal(median.body.result, '340282366920938463463374607431768211458')
    assert.equal((await post(bifrost.adapterUrl, { feed: 'WEI', aggregate: 'latest' })).body.result, BIG_B)
    assert.deepEqual(
      Object.values(median.body.data!.sources).map((s) => s.value),
      [BIG_A, BIG_B],
    )
  })

  test('feed ids are case-sensitive, in the store and in the cache key', async () => {
    assert.equal((await post(bifrost.adapterUrl, { feed: 'eth/usd' })).body.result, 7)
    assert.equal((await post(bifrost.adapterUrl, { feed: 'ETH/USD' })).body.result, 3001)
    const unknown = await post(bifrost.adapterUrl, { feed: 'Eth/Usd' })
    assert.equal(unknown.status, 404)
    const settings = feedSettings.parse({ topics: [topic], deadLetterTopic: dlq })
    const endpoint = feedEndpoint(createFeedStore(), settings, { name: 'feeds', notReadyReason: () => undefined })
    const key = (feed: string) => endpoint.cacheKeyGenerator!({ feed, aggregate: 'median' })
    assert.notEqual(key('ETH/USD'), key('eth/usd'))
  })

  test('an unknown feed is a 404 naming it, not a 504 after polling', async () => {
    const { status, body } = await post(bifrost.adapterUrl, { feed: 'NOPE/USD' })
    assert.equal(status, 404)
    assert.equal(body.error!.name, 'FeedNotFound')
    assert.match(body.error!.message, /Unknown feed "NOPE\/USD"/)
  })

  test('data older than maxAgeSeconds is refused, naming the feed and the age', async () => {
    const stale = await post(bifrost.adapterUrl, { feed: 'OLD' })
    assert.equal(stale.status, 503)
    assert.equal(stale.body.error!.name, 'FeedStale')
    assert.match(
      stale.body.error!.message,
      /Feed "OLD" is stale: its newest value is 60\d s old, more than maxAgeSeconds=300/,
    )
    const tight = await post(bifrost.adapterUrl, { feed: 'ETH/USD', maxAgeSeconds: 0.0001 })
    assert.equal(tight.status, 503, 'a request may lower the limit')
    const lower = await post(bifrost.adapterUrl, { feed: 'ETH/USD', maxAgeSeconds: 60 })
    assert.equal(lower.body.data!.maxAgeSeconds, 60)
    assert.equal(lower.body.data!.maxAgeLimit, 'request')
  })

  test('a request cannot raise the freshness limit: a higher maxAgeSeconds (1e309 too) is clamped to feeds.maxAgeSeconds', async () => {
    for (const maxAgeSeconds of [3600, 1e308]) {
      const stale = await post(bifrost.adapterUrl, { feed: 'OLD', maxAgeSeconds })
      assert.equal(stale.status, 503, `maxAgeSeconds ${maxAgeSeconds}`)
      assert.match(stale.body.error!.message, /more than maxAgeSeconds=300/)
    }
    // 1e309 is not a double: JSON parsers read it as Infinity
    const res = await fetch(bifrost.adapterUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"id":"1","data":{"feed":"OLD","maxAgeSeconds":1e309}}',
    })
    assert.equal(res.status, 503)
    const fresh = await post(bifrost.adapterUrl, { feed: 'ETH/USD', maxAgeSeconds: 1e308 })
    assert.equal(fresh.status, 200)
    assert.equal(fresh.body.data!.maxAgeSeconds, 300, 'the response says which limit applied')
    assert.equal(fresh.body.data!.maxAgeLimit, 'feeds.maxAgeSeconds')
  })

  test('a value timestamped beyond feeds.maxClockSkewMs is dead-lettered; the feed answers from its other sources', async () => {
    const { status, body } = await post(bifrost.adapterUrl, { feed: 'AHEAD' })
    assert.equal(status, 200, JSON.stringify(body))
    assert.equal(body.result, 2)
    assert.deepEqual(Object.keys(body.data!.sources), ['now'])
  })

  test('stale sources do not count towards minSources', async () => {
    assert.equal((await post(bifrost.adapterUrl, { feed: 'HALF' })).body.result, 1, 'only the fresh source contributes')
    const few = await post(bifrost.adapterUrl, { feed: 'HALF', minSources: 2 })
    assert.equal(few.status, 503)
    assert.equal(few.body.error!.name, 'FeedTooFewSources')
    assert.match(few.body.error!.message, /Feed "HALF" has 1 fresh source\(s\) \(fresh\), fewer than minSources=2/)
    assert.equal((await post(bifrost.adapterUrl, { feed: 'ETH/USD', minSources: 3 })).status, 200)
  })

  test('invalid input is a 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{}, /Missing feed/],
      [{ feed: '' }, /\[Param: feed\] must not be empty/],
      [{ feed: 7 }, /\[Param: feed\] input type is not the expected one/],
      [{ base: 'ETH' }, /Parameter "base" is missing dependencies \(quote\)/],
      [{ feed: 'ETH/USD', base: 'ETH', quote: 'USD' }, /Parameter "feed" cannot be present at the same time/],
      [{ feed: 'ETH/USD', maxAgeSeconds: '60' }, /\[Param: maxAgeSeconds\] input type is not the expected one/],
      [{ feed: 'ETH/USD', maxAgeSeconds: -1 }, /\[Param: maxAgeSeconds\] must be a positive number/],
      [{ feed: 'ETH/USD', minSources: 1.5 }, /\[Param: minSources\] must be a whole number/],
      [{ feed: 'ETH/USD', minSources: 0 }, /\[Param: minSources\] must be a whole number/],
      [{ feed: 'ETH/USD', aggregate: 'max' }, /\[Param: aggregate\] input is not one of valid options/],
    ]
    for (const [data, message] of cases) {
      const { status, body } = await post(bifrost.adapterUrl, data)
      assert.equal(status, 400, JSON.stringify(data))
      assert.match(body.error!.message, message)
    }
  })

  test('malformed records go to the dead-letter topic with their origin and reason; consumption goes on', async () => {
    assert.equal((await post(bifrost.adapterUrl, { feed: 'AFTER/BAD' })).body.result, 42)

    const consumer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).consumer({
      groupId: kafka.uniqueTopic('dlq-reader'),
      maxWaitTimeInMs: 100,
    })
    await consumer.connect()
    await consumer.subscribe({ topic: dlq, fromBeginning: true })
    const letters: Array<{ key: string | undefined; value: string | undefined; headers: Record<string, string> }> = []
    await consumer.run({
      eachMessage: async ({ message }) => {
        letters.push({
          key: message.key?.toString(),
          value: message.value?.toString(),
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        })
      },
    })
    const reasons = onRealKafka()
      ? ['bad-shape', 'future-timestamp', 'not-json']
      : ['bad-shape', 'future-timestamp', 'missing-key', 'not-json']
    try {
      await eventually(`${reasons.length} dead letters`, () => letters.length === reasons.length)
    } finally {
      await consumer.disconnect()
    }
    const byCode = Object.fromEntries(letters.map((l) => [l.headers[DLQ_HEADERS.code], l]))
    assert.deepEqual(Object.keys(byCode).sort(), reasons)
    assert.equal(byCode['not-json'].key, 'AFTER/BAD')
    assert.equal(byCode['not-json'].value, 'not json at all', 'the original bytes')
    assert.match(byCode['not-json'].headers[DLQ_HEADERS.reason], /^value is not JSON/)
    assert.equal(byCode['bad-shape'].value, '{"price":1}')
    assert.match(byCode['bad-shape'].headers[DLQ_HEADERS.reason], /"value" must be a number or a decimal string/)
    if (!onRealKafka()) assert.equal(byCode['missing-key'].key, undefined)
    for (const letter of letters) {
      assert.equal(letter.headers[DLQ_HEADERS.topic], topic)
      assert.match(letter.headers[DLQ_HEADERS.partition], /^[0-2]$/)
      assert.match(letter.headers[DLQ_HEADERS.offset], /^\d+$/)
    }
    assert.equal(
      Number(byCode['bad-shape'].headers[DLQ_HEADERS.offset]),
      Number(byCode['not-json'].headers[DLQ_HEADERS.offset]) + 1,
      'both came from the same partition, in order',
    )

    const metrics = await register.metrics()
    for (const reason of reasons) {
      assert.match(
        metrics,
        new RegExp(`bifrost_feeds_records_dead_lettered_total\\{topic="${topic}",reason="${reason}"\\} 1\\n`),
      )
    }
    const consumed = onRealKafka() ? 16 : 17
    assert.match(metrics, new RegExp(`bifrost_feeds_records_consumed_total\\{topic="${topic}"\\} ${consumed}\\n`))
    assert.match(metrics, /bifrost_feeds_age_seconds\{feed="ETH\/USD"\} \d/)
    assert.match(metrics, new RegExp(`bifrost_feeds_consumer_lag\\{topic="${topic}",partition="\\d"\\} 0\\n`))
  })

  test('a record nested 5000 levels deep is dead-lettered as too-deep; the adapter stays ready and serves the next record', async () => {
    const deep = `{"value": ${'['.repeat(5000)}${']'.repeat(5000)}}`
    await producer.send({ topic, messages: [record('DEEP', deep), record('DEEP', { value: 7 })] })
    await eventually('DEEP = 7', async () => (await post(bifrost.adapterUrl, { feed: 'DEEP' })).body.result === 7)
    assert.equal((await ready(bifrost.adapterUrl)).status, 200)
    await eventually('the too-deep dead letter counted', async () =>
      /bifrost_feeds_records_dead_lettered_total\{topic="[^"]+",reason="too-deep"\} 1\n/.test(await register.metrics()),
    )
  })

  test(
    'a keyless record on a compacted feed topic: a real broker refuses it; the mock takes it and Bifrost dead-letters it',
    { skip: !onRealKafka() && 'the mock side is checked in the dead-letter test above' },
    async () => {
      await assert.rejects(producer.send({ topic, messages: [record(null, { value: 1 })] }), {
        name: 'KafkaJSProtocolError',
        type: 'INVALID_RECORD',
      })
    },
  )

  test('a new record is served as soon as it is consumed; a tombstone retires the feed', async () => {
    await producer.send({ topic, messages: [record('LIVE', { value: 1 })] })
    await eventually('LIVE = 1', async () => (await post(bifrost.adapterUrl, { feed: 'LIVE' })).body.result === 1)
    await producer.send({ topic, messages: [record('LIVE', { value: '2.50' })] })
    await eventually(
      'LIVE = "2.50"',
      async () => (await post(bifrost.adapterUrl, { feed: 'LIVE' })).body.result === '2.50',
    )
    await producer.send({ topic, messages: [record('LIVE', null)] })
    await eventually('LIVE retired', async () => (await post(bifrost.adapterUrl, { feed: 'LIVE' })).status === 404)
  })

  test(
    'after the log cleaner compacted the topic, a restarted adapter serves the latest value of every feed and source',
    { skip: !onRealKafka() && 'the mock never compacts: a real broker only' },
    async () => {
      const compacting = kafka.uniqueTopic('feeds-compacted')
      await kafka.createTopics([
        {
          topic: compacting,
          compacted: true,
          configs: {
            // Segments roll every 100 ms and are cleaned as soon as anything in them is superseded.
            'segment.ms': '100',
            'min.cleanable.dirty.ratio': '0.01',
            'delete.retention.ms': '100',
            // As docs/inbound.md advises (at least feeds.maxAgeSeconds): records younger than this stay, so every
            // source that could still count survives the cleaner, although they all share the feed's key.
            'min.compaction.lag.ms': '300000',
          },
        },
      ])
      const history: Message[] = []
      const write = async (messages: Message[]) => {
        await producer.send({ topic: compacting, messages })
        history.push(...messages)
        await sleep(200) // the next record rolls the segment: only closed segments are cleaned
      }
      // History written an hour ago (Kafka timestamps, which the lag is judged by): the cleaner may take it.
      const anHourAgo = String(Date.now() - 3_600_000)
      for (let round = 1; round <= 3; round++) {
        await write(
          ['C1', 'C2', 'GONE'].map((k) => ({ ...record(k, { value: round, source: 'old' }), timestamp: anHourAgo })),
        )
      }
      await write([{ ...record('GONE', null), timestamp: anHourAgo }])
      const presentFrom = history.length
      // The present: several sources per feed, each the latest of its source.
      const latest = { C1: { a: 10, b: 11 }, C2: { a: 20, b: 21, c: 22 } }
      for (const [feed, sources] of Object.entries(latest)) {
        for (const [source, value] of Object.entries(sources)) await write([record(feed, { value, source })])
      }

      const removed = await eventually(
        'the log cleaner to drop superseded records',
        async () => {
          const reader = await readTopics(kafka.brokers, [compacting])
          try {
            await reader.until((r) => r.some((x) => x.offset === history.length - 1), 'the last record')
            const kept = new Set(reader.records.map((r) => r.offset))
            const gone = history.map((_, offset) => offset).filter((offset) => !kept.has(offset))
            return gone.length > 0 && gone
          } finally {
            await reader.stop()
          }
        },
        { timeoutMs: 90_000, intervalMs: 1000 },
      )
      assert.ok(
        removed.every((offset) => offset < presentFrom),
        `only the old history is compacted away, not a present source: removed offsets ${removed.join(', ')}`,
      )
      const restarted = await startAdapter(compacting, dlq)
      try {
        await untilReady(restarted.adapterUrl)
        for (const [feed, sources] of Object.entries(latest)) {
          const answer = await post(restarted.adapterUrl, { feed })
          assert.equal(answer.status, 200, feed)
          const served = Object.fromEntries(
            Object.entries(answer.body.data?.sources ?? {}).map(([source, s]) => [source, s.value]),
          )
          // The surviving old record is an hour old: stale, so not among the sources counted.
          assert.deepEqual(
            served,
            sources,
            `${feed}'s sources after compaction (removed offsets ${removed.join(', ')})`,
          )
        }
        assert.equal((await post(restarted.adapterUrl, { feed: 'GONE' })).status, 404)
      } finally {
        await restarted.stop()
      }
    },
  )

  test('a restarted adapter re-reads the topic and is ready only once it has', async () => {
    const warm = kafka.uniqueTopic('feeds-restart')
    await kafka.createTopics([{ topic: warm, partitions: 2, compacted: true }])
    await producer.send({ topic: warm, messages: [record('R', { value: 1 })] })
    const first = await startAdapter(warm, dlq)
    await untilReady(first.adapterUrl)
    assert.equal((await post(first.adapterUrl, { feed: 'R' })).body.result, 1)
    await first.stop()

    // Written while no adapter runs: the next one can only know it from the topic.
    await producer.send({ topic: warm, messages: [record('R', { value: 2 }), record('S', { value: 3 })] })
    const second = await startAdapter(warm, dlq)
    try {
      const reasons: string[] = []
      await eventually('the restarted adapter to be ready', async () => {
        const r = await ready(second.adapterUrl)
        if (r.status !== 200) reasons.push(`${r.status} ${r.body.checks['feeds']}`)
        return r.status === 200
      })
      for (const reason of reasons) {
        assert.match(
          reason,
          new RegExp(`^503 (ready|starting: connecting to Kafka|catching up: \\d+ records behind on ${warm})$`),
        )
      }
      assert.equal(
        (await post(second.adapterUrl, { feed: 'R' })).body.result,
        2,
        'ready means the latest value is there',
      )
      assert.equal((await post(second.adapterUrl, { feed: 'S' })).body.result, 3)
    } finally {
      await second.stop()
    }
  })
})

describe('readiness before and during the re-read', () => {
  let kafka: KafkaFixture

  before(async () => {
    kafka = await startKafka()
  })
  after(async () => {
    await kafka?.stop()
  })

  test('not ready (503, and requests refused) until started and caught up with the high-water marks at start', async () => {
    const topic = kafka.uniqueTopic('feeds-ready')
    const dlq = kafka.uniqueTopic('feeds-ready-dlq')
    await kafka.createTopics([{ topic, partitions: 2 }, { topic: dlq }])
    const settings = feedSettings.parse({ topics: [topic], deadLetterTopic: dlq })
    const config = loadConfig({ env: { KAFKA_BROKERS: kafka.brokers.join(',') } })
    const producer = createKafka(config.kafka).producer({ createPartitioner: Partitioners.DefaultPartitioner })
    const ingest = createFeedIngest({ kafka: createKafka(config.kafka), settings, clientId: 'bifrost-test' })
    const server = await startServer(buildAdapter([feedEndpoint(ingest.store, settings, ingest.readiness)]), [
      ingest.readiness,
    ])
    try {
      await producer.connect()
      await producer.send({
        topic,
        messages: [record('A', { value: 1 }), record('B', { value: 2 }), record('C', { value: 3 })],
      })

      const before = await ready(server.url)
      assert.equal(before.status, 503)
      assert.deepEqual(before.body.checks, { feeds: 'starting: connecting to Kafka' })
      const refused = await post(server.url, { feed: 'A' })
      assert.equal(refused.status, 503)
      assert.equal(refused.body.error!.name, 'FeedsNotReady')

      await ingest.start()
      // The consumer cannot have fetched yet: that takes network round trips after start() returns.
      assert.equal(ingest.readiness.notReadyReason(), `catching up: 3 records behind on ${topic}`)

      await untilReady(server.url)
      assert.deepEqual(
        ['A', 'B', 'C'].map((feed) => ingest.store.get(feed)?.get('default')?.value),
        [1, 2, 3],
        'everything up to the start high-water marks is in the store once ready',
      )
      assert.equal((await post(server.url, { feed: 'C' })).body.result, 3)
    } finally {
      await ingest.stop()
      await server.close()
      await producer.disconnect()
    }
  })

  test('a feed topic that does not exist fails start-up with its name', async () => {
    const config = loadConfig({ env: { KAFKA_BROKERS: kafka.brokers.join(',') } })
    const missing = kafka.uniqueTopic('no-such-topic')
    const ingest = createFeedIngest({
      kafka: createKafka(config.kafka),
      settings: feedSettings.parse({ topics: [missing] }),
      clientId: 'bifrost-test',
    })
    try {
      await assert.rejects(ingest.start(), new RegExp(`Feed topic "${missing}" does not exist`))
      assert.match(ingest.readiness.notReadyReason()!, /^cannot start: /)
    } finally {
      await ingest.stop()
    }
  })
})
