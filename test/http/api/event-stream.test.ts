import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { LoggerFactoryProvider } from '@chainlink/external-adapter-framework/util/logger'
import { Partitioners, type Producer } from 'kafkajs'
import { register } from 'prom-client'
import { startBifrost } from '../../../src/bifrost'
import { loadConfig } from '../../../src/config/load'
import type { Config } from '../../../src/config/schema'
import { startApiServer } from '../../../src/http/api/server'
import { readinessReport } from '../../../src/http/readiness'
import { createFeedHistory } from '../../../src/inbound/feed-history'
import { createFeedStore } from '../../../src/inbound/feed-store'
import { createKafka } from '../../../src/kafka/client'
import { EVENT_HEADERS } from '../../../src/outbound/message'
import { createStatusBoard } from '../../../src/status/snapshot'
import { freshTopicsEnv } from '../../support/bifrost'
import { eventually } from '../../support/eventually'
import { startKafka, type KafkaFixture } from '../../support/kafka'
import { openSse, type SseMessage } from '../../support/sse'
import { useEphemeralAdapters } from '../../support/adapter-http'

useEphemeralAdapters()

const POSITION = /^\d+:\d+(,\d+:\d+)*$/

const event = (n: number, extra: { chainId?: string; size?: number } = {}) => ({
  key: `31337:0xtx${n}:0`,
  value: JSON.stringify({ n, status: 'confirmed', ...(extra.size ? { pad: 'x'.repeat(extra.size) } : {}) }),
  headers: {
    [EVENT_HEADERS.event]: n % 2 ? 'OracleRequest' : 'OracleResponse',
    [EVENT_HEADERS.status]: n % 5 === 4 ? 'retracted' : 'confirmed',
    [EVENT_HEADERS.chainId]: extra.chainId ?? '31337',
  },
})

const numbers = (messages: SseMessage[]) =>
  messages.map((m) => (JSON.parse(m.data as string) as { value: { n: number } }).value.n)

/** Per partition, in offset order: the order the stream promises. */
const byPartition = (messages: SseMessage[]) => {
  const out = new Map<number, number[]>()
  for (const m of messages) {
    const e = JSON.parse(m.data as string) as { partition: number; offset: number }
    out.set(e.partition, [...(out.get(e.partition) ?? []), e.offset])
  }
  return out
}

describe('event stream: Server-Sent Events from the events topic', { timeout: 180_000 }, () => {
  let kafka: KafkaFixture
  let producer: Producer
  let env: Record<string, string>
  let config: Config

  const produce = async (messages: Array<ReturnType<typeof event>>) => {
    for (const m of messages) await producer.send({ topic: config.events.topic, messages: [m] })
  }

  before(async () => {
    kafka = await startKafka()
    const eventsTopic = kafka.uniqueTopic('events')
    await kafka.createTopics([{ topic: eventsTopic, partitions: 3 }])
    env = await freshTopicsEnv(kafka, { EVENTS_TOPIC: eventsTopic })
    config = loadConfig({ env })
    producer = createKafka(config.kafka).producer({ createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
  })
  after(async () => {
    await producer?.disconnect()
    await kafka?.stop()
  })

  test('a client that reconnects with Last-Event-ID after Bifrost restarts misses nothing and sees nothing twice', async () => {
    await produce(Array.from({ length: 10 }, (_, i) => event(i)))
    const first = await startBifrost(config)
    const client = await openSse(`${first.statusUrl}api/events/stream?from=earliest`)
    assert.equal(client.status, 200)
    const received = (await client.waitForEvents(10)).slice(0, 10)
    for (const m of received) {
      assert.match(m.id ?? '', POSITION)
      assert.ok(m.event === 'confirmed' || m.event === 'retracted')
    }
    assert.deepEqual(
      numbers(received).sort((a, b) => a - b),
      Array.from({ length: 10 }, (_, i) => i),
    )
    const resumeAt = client.lastEventId as string
    client.close()
    await first.stop()

    // Published while no Bifrost runs: the position names Kafka offsets, not anything Bifrost kept.
    await produce(Array.from({ length: 10 }, (_, i) => event(10 + i)))
    const second = await startBifrost(config)
    try {
      const resumed = await openSse(`${second.statusUrl}api/events/stream`, { 'last-event-id': resumeAt })
      await produce([event(20)])
      const after = (await resumed.waitForEvents(11)).slice(0, 11)
      assert.deepEqual(
        numbers(after).sort((a, b) => a - b),
        Array.from({ length: 11 }, (_, i) => 10 + i),
      )
      for (const offsets of byPartition(after).values())
        assert.deepEqual(
          offsets,
          [...offsets].sort((a, b) => a - b),
          'Kafka order within a partition',
        )
      resumed.close()
    } finally {
      await second.stop()
    }
  })

  describe('one API server, fast heartbeats and a small buffer', () => {
    let api: Awaited<ReturnType<typeof startApiServer>>
    before(async () => {
      // No adapter started in this process when run alone: its logger factory is ours to set.
      if (!LoggerFactoryProvider.get()) LoggerFactoryProvider.set()
      api = await startApiServer(
        {
          config,
          kafka: createKafka(config.kafka),
          // The stream reads only Kafka: the parts' views are empty ones here.
          feeds: { store: createFeedStore(), history: createFeedHistory() },
          requests: () => ({ enabled: false, open: [], recent: [] }),
          status: createStatusBoard(config),
          readiness: () => readinessReport([]),
          startedAt: Date.now(),
        },
        { streamLimits: { heartbeatMs: 300, maxBufferedBytes: 256 * 1024, drainTimeoutMs: 2000 } },
      )
    })
    after(async () => {
      await api?.stop()
    })

    test('from=latest starts at the end, a position vector starts there, and filters apply', async () => {
      const latest = await openSse(`${api.url}api/events/stream?event=OracleRequest`)
      const start = await eventually('the start position', () => latest.lastEventId)
      await produce([event(101), event(102), event(103, { chainId: '1' })])
      assert.deepEqual(numbers(await latest.waitForEvents(2)).sort(), [101, 103])
      const chain = await openSse(`${api.url}api/events/stream?chain=1&from=${start}`)
      assert.deepEqual(numbers(await chain.waitForEvents(1)), [103])
      latest.close()
      chain.close()
    })

    test('heartbeat comments keep the connection open and carry the current position as id', async () => {
      const client = await openSse(`${api.url}api/events/stream`)
      const beat = await eventually('a heartbeat', () =>
        client.messages.find((m) => m.comments.some((c) => c.startsWith('heartbeat'))),
      )
      assert.match(beat.id ?? '', POSITION)
      assert.equal(beat.data, undefined, 'no event is dispatched by a heartbeat')
      client.close()
    })

    test('a client that does not read is disconnected with a final event: error naming the reason', async () => {
      const counter = async () =>
        ((await register.getSingleMetric('bifrost_http_stream_disconnects_total')?.get())?.values ?? [])
          .filter((v) => v.labels['reason'] === 'slow')
          .reduce((sum, v) => sum + v.value, 0)
      const before = await counter()
      const { hostname: host, port } = new URL(api.url)
      const socket = connect(Number(port), host)
      socket.write(`GET /api/events/stream HTTP/1.1\r\nHost: ${host}\r\naccept: text/event-stream\r\n\r\n`)
      // Reads nothing: the kernel's buffers fill, then Bifrost's.
      socket.pause()
      const chunks: Buffer[] = []
      socket.on('data', (d: Buffer) => chunks.push(d))
      const closed = new Promise((resolve) => socket.once('close', resolve))
      await eventually(
        'the stream to open',
        async () => (await register.getSingleMetric('bifrost_http_stream_clients')?.get())?.values[0]?.value,
      )
      const big = Array.from({ length: 400 }, (_, i) => event(1000 + i, { size: 50_000 }))
      for (let i = 0; i < big.length; i += 20)
        await producer.send({ topic: config.events.topic, messages: big.slice(i, i + 20) })
      await eventually('the slow client disconnected', async () => (await counter()) > before, {
        timeoutMs: 120_000,
        intervalMs: 100,
      })
      socket.resume()
      await closed
      const text = Buffer.concat(chunks).toString('utf8')
      const tail = text.slice(text.lastIndexOf('event: '))
      assert.match(
        tail,
        /^event: error\ndata: \{"reason":"client too slow: more than 262144 bytes unread; reconnect with Last-Event-ID to resume"\}\n\n/,
      )
    })
  })
})
