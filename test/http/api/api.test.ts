import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Partitioners, type Producer } from 'kafkajs'
import { startBifrost, type Bifrost } from '../../../src/bifrost'
import { loadConfig } from '../../../src/config/load'
import type { Config } from '../../../src/config/schema'
import { createKafka } from '../../../src/kafka/client'
import { EVENT_HEADERS } from '../../../src/outbound/message'
import { freshTopicsEnv } from '../../support/bifrost'
import { eventually } from '../../support/eventually'
import { startFakeChainlinkNode, type FakeChainlinkNode } from '../../support/fake-chainlink-node'
import { startKafka, type KafkaFixture } from '../../support/kafka'
import { assertMatchesApi } from '../../support/openapi'
import { useEphemeralAdapters } from '../../support/adapter-http'

useEphemeralAdapters()

const TOKEN = 'operator-token-for-tests'
const ORIGIN = 'https://backoffice.example.com'

describe('operator API: what Bifrost sees, over HTTP', { timeout: 180_000 }, () => {
  let kafka: KafkaFixture
  let config: Config
  let bifrost: Bifrost
  let producer: Producer
  let base: string

  const get = async (path: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => {
    const res = await fetch(new URL(path, base), { headers })
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> }
  }

  before(async () => {
    kafka = await startKafka()
    const eventsTopic = kafka.uniqueTopic('events')
    await kafka.createTopics([{ topic: eventsTopic, partitions: 3 }])
    config = loadConfig({
      env: await freshTopicsEnv(kafka, { EVENTS_TOPIC: eventsTopic, HTTP_TOKEN: TOKEN, HTTP_CORS: ORIGIN }),
    })
    bifrost = await startBifrost(config)
    assert.ok(bifrost.statusUrl)
    base = bifrost.statusUrl
    producer = createKafka(config.kafka).producer({ createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
  })
  after(async () => {
    await producer?.disconnect()
    await bifrost?.stop()
    await kafka?.stop()
  })

  test('without the token every /api route answers 401 naming the setting, and the page sends to its login form', async () => {
    for (const path of ['api/overview', 'api/feeds', 'api/events/stream', 'api/openapi.json']) {
      const res = await get(path, {})
      assert.equal(res.status, 401, path)
      assert.match(String(res.body['error']), /http\.token/)
    }
    assert.equal((await get('api/overview', { authorization: 'Bearer wrong-token-of-some-length' })).status, 401)
    const page = await fetch(base, { redirect: 'manual' })
    assert.equal(page.status, 303)
    assert.equal(page.headers.get('location'), 'login')
  })

  test('the login form trades the token for an HttpOnly cookie that opens the page and /api', async () => {
    const wrong = await fetch(new URL('login', base), {
      method: 'POST',
      body: new URLSearchParams({ token: 'nope' }),
      redirect: 'manual',
    })
    assert.equal(wrong.status, 401)
    const res = await fetch(new URL('login', base), {
      method: 'POST',
      body: new URLSearchParams({ token: TOKEN }),
      redirect: 'manual',
    })
    assert.equal(res.status, 303)
    const cookie = res.headers.get('set-cookie') ?? ''
    assert.match(cookie, /HttpOnly/i)
    assert.match(cookie, /SameSite=Strict/i)
    assert.doesNotMatch(cookie, new RegExp(TOKEN), 'the cookie is derived from the token, not the token')
    const session = cookie.split(';')[0]
    assert.equal((await get('api/overview', { cookie: session })).status, 200)
    const page = await fetch(base, { headers: { cookie: session } })
    assert.equal(page.status, 200)
    assert.match(await page.text(), /<title>Bifrost status<\/title>/)
  })

  test('the overview says whether Bifrost is ready and how much each part holds', async () => {
    const { status, body } = await eventually(
      'ready',
      async () => {
        const res = await get('api/overview')
        return res.body['ready'] === true && res
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    )
    assert.equal(status, 200)
    assertMatchesApi('Overview', body)
    assert.deepEqual(body['chains'], { count: 0, leading: 0 })
  })

  test('a feed record produced to Kafka is listed with its sources, age and freshness, and read alone by its encoded id', async () => {
    const now = Date.now()
    await producer.send({
      topic: config.feeds.topics[0],
      messages: [
        { key: 'ETH/USD', value: JSON.stringify({ value: 3001, source: 'a', timestamp: now }) },
        { key: 'ETH/USD', value: JSON.stringify({ value: '3003.5', source: 'b', timestamp: now }) },
        { key: 'ETH/USD', value: JSON.stringify({ value: 1, source: 'old', timestamp: now - 3_600_000 }) },
      ],
    })
    const page = await eventually(
      'ETH/USD listed',
      async () => {
        const res = await get('api/feeds?q=eth')
        const feeds = res.body['feeds'] as Array<{ sources: unknown[] }>
        return feeds.length === 1 && feeds[0].sources.length === 3 && res.body
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    )
    assertMatchesApi('FeedPage', page)
    const one = await get('api/feeds/ETH%2FUSD')
    assertMatchesApi('Feed', one.body)
    assert.equal(one.body['fresh'], true)
    assert.equal(one.body['value'], '3002.25', 'the median of the fresh sources, exact')
    const sources = one.body['sources'] as Array<{ source: string; fresh: boolean }>
    assert.deepEqual(
      sources.map((s) => [s.source, s.fresh]),
      [
        ['a', true],
        ['b', true],
        ['old', false],
      ],
    )
    assert.equal((await get('api/feeds/eth%2Fusd')).status, 404, 'feed ids are case-sensitive')
  })

  test('10,000 feeds page by offset and limit and are searched by part of their id', async () => {
    const now = Date.now()
    const messages = Array.from({ length: 10_000 }, (_, i) => ({
      key: `F${String(i).padStart(5, '0')}/USD`,
      value: JSON.stringify({ value: i, timestamp: now }),
    }))
    for (let i = 0; i < messages.length; i += 2000)
      await producer.send({ topic: config.feeds.topics[0], messages: messages.slice(i, i + 2000) })
    await eventually(
      '10,000 feeds held',
      async () =>
        (await get('api/overview')).body['feeds'] &&
        ((await get('api/overview')).body['feeds'] as { count: number }).count >= 10_001,
      { timeoutMs: 60_000, intervalMs: 250 },
    )
    const second = await get('api/feeds?q=/usd&offset=50&limit=50')
    assertMatchesApi('FeedPage', second.body)
    assert.equal(second.body['total'], 10_001)
    assert.deepEqual((second.body['feeds'] as Array<{ feed: string }>).map((f) => f.feed).slice(0, 2), [
      'F00049/USD',
      'F00050/USD',
    ])
    const found = await get('api/feeds?q=f0999')
    assert.deepEqual(
      (found.body['feeds'] as Array<{ feed: string }>).map((f) => f.feed),
      Array.from({ length: 10 }, (_, i) => `F0999${i}/USD`),
    )
  })

  test('a bad query parameter is answered 400 naming it', async () => {
    for (const [path, parameter] of [
      ['api/feeds?limit=501', 'limit'],
      ['api/feeds?offset=-1', 'offset'],
      ['api/events?limit=0', 'limit'],
      ['api/events?from=0:1,zz', 'from'],
      ['api/events?chain=nowhere', 'chain'],
      ['api/events?order=sideways', 'order'],
      ['api/feeds?q=a&q=b', 'q'],
    ]) {
      const res = await get(path)
      assert.equal(res.status, 400, path)
      assert.equal(res.body['parameter'], parameter, path)
      assertMatchesApi('Error', res.body)
    }
    const stream = await fetch(new URL('api/events/stream', base), {
      headers: { authorization: `Bearer ${TOKEN}`, 'last-event-id': 'garbage' },
    })
    assert.equal(stream.status, 400)
    assert.equal(((await stream.json()) as { parameter: string }).parameter, 'Last-Event-ID')
  })

  test('open requests show their age, deadline and pending callbacks, never a responseURL', async () => {
    const node: FakeChainlinkNode = await startFakeChainlinkNode()
    try {
      const responseURL = node.responseUrl()
      const res = await fetch(bifrost.adapterUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'run-api-1',
          data: { endpoint: 'request', type: 'shipment-status', params: { shipment: '1' } },
          responseURL,
        }),
      })
      assert.deepEqual(await res.json(), { pending: true })
      const list = await get('api/requests')
      assertMatchesApi('Requests', list.body)
      assert.doesNotMatch(JSON.stringify(list.body), new RegExp(node.baseUrl.replace(/[.:/]/g, '\\$&')))
      const open = (
        list.body['open'] as Array<{
          correlationId: string
          type: string
          callbacksPending: number
          deadline: number
          createdAt: number
        }>
      )[0]
      assert.equal(open.type, 'shipment-status')
      assert.equal(open.callbacksPending, 1)
      assert.equal(open.deadline - open.createdAt, config.requests.timeoutSeconds * 1000)
      const one = await get(`api/requests/${open.correlationId}`)
      assertMatchesApi('RequestDetail', one.body)
      assert.equal((await get('api/requests/unknown')).status, 404)
    } finally {
      await node.stop()
    }
  })

  test('chains, the status model and Kafka answer in their documented shapes', async () => {
    const chains = await get('api/chains')
    assertMatchesApi('Chains', chains.body)
    const status = await get('api/status')
    assertMatchesApi('Status', status.body)
    assert.doesNotMatch(JSON.stringify(status.body), new RegExp(TOKEN), 'the token is redacted from the settings')
    const kafkaStatus = await get('api/kafka')
    assertMatchesApi('Kafka', kafkaStatus.body)
    const topics = (kafkaStatus.body['deadLetters'] as Array<{ topic: string }>).map((d) => d.topic)
    assert.deepEqual(topics, [config.feeds.deadLetterTopic, config.requests.deadLetterTopic])
  })

  test('a malformed feed record counts as a dead letter of the last hour, with its reason', async () => {
    await producer.send({ topic: config.feeds.topics[0], messages: [{ key: 'BAD/USD', value: 'not json' }] })
    let last: unknown
    const letters = await eventually(
      'the dead letter counted',
      async () => {
        // Kafka is read at most every 10 s: wait it out.
        const body = (await get('api/kafka')).body
        const feeds = (body['deadLetters'] as Array<{ topic: string; lastHour: number; last?: { reason?: string } }>)[0]
        last = body
        return feeds.lastHour === 1 && feeds.last?.reason ? feeds : undefined
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    ).catch((err: Error) => assert.fail(`${err.message}: ${JSON.stringify(last)}`))
    assert.match(String(letters.last?.reason), /JSON/)
  })

  test('browsers of the configured origins may call /api; others get no CORS header', async () => {
    const allowed = await get('api/overview', { authorization: `Bearer ${TOKEN}`, origin: ORIGIN })
    assert.equal(allowed.headers.get('access-control-allow-origin'), ORIGIN)
    const preflight = await fetch(new URL('api/feeds', base), {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-headers': 'authorization' },
    })
    assert.equal(preflight.status, 204)
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/)
    const other = await get('api/overview', { authorization: `Bearer ${TOKEN}`, origin: 'https://evil.example.com' })
    assert.equal(other.headers.get('access-control-allow-origin'), null)
  })

  test('/api/openapi.json is the served description', async () => {
    const { body } = await get('api/openapi.json')
    assert.equal(body['openapi'], '3.1.0')
  })

  test('/api/events pages newest first by Kafka position, with filters, and reads at most a bounded number of records', async () => {
    const messages = Array.from({ length: 30 }, (_, i) => ({
      key: `31337:0xtx${i}:0`,
      value: JSON.stringify({
        event: i % 2 ? 'OracleRequest' : 'OracleResponse',
        status: 'confirmed',
        chainId: 31337,
        n: i,
      }),
      timestamp: String(1_700_000_000_000 + i * 1000),
      headers: {
        [EVENT_HEADERS.event]: i % 2 ? 'OracleRequest' : 'OracleResponse',
        [EVENT_HEADERS.status]: 'confirmed',
        [EVENT_HEADERS.chainId]: i < 20 ? '31337' : '1',
      },
    }))
    for (const m of messages) await producer.send({ topic: config.events.topic, messages: [m] })
    const seen: number[] = []
    let from = ''
    for (let page = 0; page < 10; page++) {
      const res = await get(`api/events?limit=7${from ? `&from=${from}` : ''}`)
      assert.equal(res.status, 200, JSON.stringify(res.body))
      assertMatchesApi('EventPage', res.body)
      const events = res.body['events'] as Array<{ value: { n: number } }>
      seen.push(...events.map((e) => e.value.n))
      if (res.body['next'] === null) break
      from = String(res.body['next'])
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 30 }, (_, i) => 29 - i),
      'every event once, newest first',
    )
    const filtered = await get('api/events?event=OracleRequest&chain=31337&limit=500')
    assert.deepEqual(
      (filtered.body['events'] as Array<{ value: { n: number } }>).map((e) => e.value.n),
      [19, 17, 15, 13, 11, 9, 7, 5, 3, 1],
    )
    const byKey = await get(`api/events?key=${encodeURIComponent('31337:0xtx4:0')}`)
    assert.deepEqual(
      (byKey.body['events'] as Array<{ value: { n: number } }>).map((e) => e.value.n),
      [4],
    )
    const oldest = await get('api/events?from=earliest&limit=3')
    assert.deepEqual(
      (oldest.body['events'] as Array<{ value: { n: number } }>).map((e) => e.value.n),
      [0, 1, 2],
    )
    assert.ok((oldest.body['scanned'] as number) <= 5000)
  })
})
