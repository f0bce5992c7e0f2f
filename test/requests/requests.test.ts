import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel, type IHeaders } from 'kafkajs'
import { register } from 'prom-client'
import { startResponder, type Answerer } from '../../src/dev/responder'
import { buildAdapter } from '../../src/http/adapter'
import { startServer, type ServerHandle } from '../../src/http/server'
import { DLQ_HEADERS } from '../../src/kafka/dead-letter'
import { createKafka } from '../../src/kafka/client'
import { kafkaSettings } from '../../src/kafka/settings'
import { pendingMessage } from '../../src/requests/records'
import { correlationId } from '../../src/requests/correlation'
import { createRequests, type Requests } from '../../src/requests/service'
import { requestSettings, type RequestSettings } from '../../src/requests/settings'
import { eventually } from '../support/eventually'
import { startFakeChainlinkNode, type FakeChainlinkNode } from '../support/fake-chainlink-node'
import { startKafka, type KafkaFixture } from '../support/kafka'
import { readTopics } from '../support/topic-reader'
import { postJson, useEphemeralAdapters } from '../support/adapter-http'

// Adapters start one after the other in this process: the framework's metrics
// server can exist only once per process, so metrics are read from the registry.
useEphemeralAdapters()

interface Reply {
  status: number
  body: {
    pending?: boolean
    result?: unknown
    data?: { result: unknown }
    statusCode?: number
    error?: { name: string; message: string }
  }
}

const metric = async (name: string, labels: Record<string, string> = {}): Promise<number> => {
  const m = register.getSingleMetric(name)
  if (!m) return 0
  const { values } = await m.get()
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => String((v.labels as Record<string, unknown>)[k]) === l))
    .reduce((sum, v) => sum + v.value, 0)
}

describe('request endpoint: bridge requests answered over Kafka', { timeout: 180_000 }, () => {
  let kafka: KafkaFixture
  let admin: ReturnType<Kafka['admin']>
  let node: FakeChainlinkNode

  before(async () => {
    kafka = await startKafka()
    admin = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
    node = await startFakeChainlinkNode()
  })
  after(async () => {
    await node?.stop()
    await admin?.disconnect()
    await kafka?.stop()
  })

  /** Bifrost's request part behind its adapter, wired as startBifrost wires it, on topics of its own. */
  const harness = async (overrides: Partial<RequestSettings> = {}, answer?: Answerer) => {
    const settings = requestSettings.parse({
      topic: kafka.uniqueTopic('requests'),
      replyTopic: kafka.uniqueTopic('replies'),
      deadLetterTopic: kafka.uniqueTopic('replies-dlq'),
      pendingTopic: kafka.uniqueTopic('requests-pending'),
      // The smallest a broker allows: a restart rejoins the group sooner (the test broker waits out the old session)
      replySessionTimeoutMs: 6000,
      ...overrides,
    })
    await kafka.createTopics([
      { topic: settings.topic, partitions: 2 },
      { topic: settings.replyTopic, partitions: 3 },
      { topic: settings.deadLetterTopic },
      { topic: settings.pendingTopic, partitions: 2, compacted: true },
    ])
    const clientId = kafka.uniqueTopic('bifrost')
    const client = createKafka(kafkaSettings.parse({ brokers: kafka.brokers, clientId }))
    let running: { requests: Requests; server: ServerHandle } | undefined
    const start = async () => {
      const requests = createRequests({ kafka: client, settings, clientId })
      const server = await startServer(buildAdapter([requests.endpoint]), [requests.readiness], [requests.serverHook])
      await requests.start()
      running = { requests, server }
      await eventually('readiness', () => running?.requests.readiness.notReadyReason() === undefined)
    }
    const stop = async () => {
      await running?.requests.stop()
      await running?.server.close()
      running = undefined
    }
    await start()
    const responder = await startResponder(new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }), {
      requestTopic: settings.topic,
      replyTopic: settings.replyTopic,
      answer,
    })
    const post = (body: Record<string, unknown>): Promise<Reply> => postJson<Reply['body']>(running!.server.url, body)
    /** Request records on requests.topic: publishing acks before the HTTP answer, so this is exact */
    const published = async () =>
      (await admin.fetchTopicOffsets(settings.topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0)
    return {
      settings,
      responder,
      post,
      url: () => running!.server.url,
      published,
      start,
      stop,
      close: async () => {
        await responder.stop()
        await stop()
      },
    }
  }

  const bridge = (overrides: Record<string, unknown> = {}, params: Record<string, unknown> = { shipment: '4711' }) => ({
    id: `run-${Math.random().toString(36).slice(2)}`,
    data: { endpoint: 'request', type: 'shipment-status', params },
    meta: { oracleRequest: { requestId: '0x01' } },
    ...overrides,
  })

  test('without responseURL: waits for the reply and answers in the framework shape', async () => {
    const h = await harness({}, (r) => ({ result: { delivered: true, shipment: r.params['shipment'] as string } }))
    try {
      const body = bridge()
      const reply = await h.post(body)
      assert.equal(reply.status, 200, JSON.stringify(reply.body))
      assert.deepEqual(reply.body.result, { delivered: true, shipment: '4711' })
      assert.deepEqual(reply.body.data, { result: { delivered: true, shipment: '4711' } })
      const [record] = h.responder.received
      assert.equal(record.type, 'shipment-status')
      assert.deepEqual(record.params, { shipment: '4711' })
      assert.equal(record.jobRunId, body.id)
      assert.deepEqual(record.meta, body.meta)
      assert.equal(record.replyTopic, h.settings.replyTopic)
      assert.match(record.correlationId, /^[0-9a-f]{32}$/)
      const deadlineIn = Date.parse(record.deadline) - Date.now()
      assert.ok(deadlineIn > 290_000 && deadlineIn <= 300_000, record.deadline)
    } finally {
      await h.close()
    }
  })

  test('with responseURL: answers pending at once, then PATCHes the reply to the node', async () => {
    const h = await harness()
    try {
      const responseURL = node.responseUrl()
      const reply = await h.post(bridge({ responseURL }))
      assert.equal(reply.status, 200)
      assert.deepEqual(reply.body, { pending: true })
      const [request] = await eventually(
        'the request record',
        () => h.responder.received.length === 1 && h.responder.received,
      )
      const before = node.patches.length
      await h.responder.reply(request.correlationId, { result: { delivered: false, eta: '2025-06-01' } })
      const patches = await node.waitForPatches(before + 1)
      const patch = patches[before]
      assert.equal(patch.runId, responseURL.split('/').pop())
      assert.equal(patch.contentType, 'application/json')
      const value = { delivered: false, eta: '2025-06-01' }
      assert.deepEqual(patch.body, { value: { data: { result: value }, result: value } })
    } finally {
      await h.close()
    }
  })

  test('a reply after the sync timeout: a clear 504, then the same request collects the reply', async () => {
    const h = await harness({ syncTimeoutMs: 300 })
    try {
      const body = bridge()
      const first = await h.post(body)
      assert.equal(first.status, 504)
      assert.match(first.body.error!.message, /no reply for shipment-status within 0\.3s/)
      assert.match(first.body.error!.message, /send the same request again/)
      const [request] = h.responder.received
      await h.responder.reply(request.correlationId, { result: 'delivered' })
      // The reply is read asynchronously; until then the retry waits (and may time out) again
      const second = await eventually('the late reply', async () => {
        const r = await h.post(body)
        return r.status === 200 && r
      })
      assert.equal(second.body.result, 'delivered')
      assert.equal(await h.published(), 1, 'the retry must not publish a second request')
    } finally {
      await h.close()
    }
  })

  test('the node answering 500 first: the PATCH is retried until it takes it', async () => {
    const h = await harness({}, () => ({ result: 42 }))
    try {
      const retried = await metric('bifrost_requests_callbacks_retried_total')
      const before = node.patches.length
      node.answerNext(500, 503)
      assert.deepEqual((await h.post(bridge({ responseURL: node.responseUrl() }))).body, { pending: true })
      const patches = (await node.waitForPatches(before + 3)).slice(before)
      assert.deepEqual(
        patches.map((p) => p.status),
        [500, 503, 200],
      )
      for (const p of patches) assert.deepEqual(p.body, { value: { data: { result: 42 }, result: 42 } })
      assert.equal(await metric('bifrost_requests_callbacks_retried_total'), retried + 2)
    } finally {
      await h.close()
    }
  })

  test('a 422 from the node is final: one PATCH, counted as rejected', async () => {
    const h = await harness({}, () => ({ result: 1 }))
    try {
      const rejected = await metric('bifrost_requests_callbacks_failed_total', { reason: 'rejected' })
      const before = node.patches.length
      node.answerNext(422)
      await h.post(bridge({ responseURL: node.responseUrl() }))
      await eventually(
        'the rejection to be counted',
        async () => (await metric('bifrost_requests_callbacks_failed_total', { reason: 'rejected' })) === rejected + 1,
      )
      assert.deepEqual(
        node.patches.slice(before).map((p) => p.status),
        [422],
      )
    } finally {
      await h.close()
    }
  })

  test('duplicate bridge requests join the one in flight: one Kafka request, every responseURL answered once', async () => {
    const h = await harness()
    try {
      const joined = await metric('bifrost_requests_joined_total')
      const first = node.responseUrl()
      const other = node.responseUrl()
      const body = bridge({ responseURL: first })
      // Params in another key order are the same question
      const reordered = { ...body, data: { ...body.data, params: { b: 2, shipment: '4711' } } }
      const same = { ...body, data: { ...body.data, params: { shipment: '4711', b: 2 } } }
      assert.deepEqual((await h.post(same)).body, { pending: true })
      assert.deepEqual((await h.post(reordered)).body, { pending: true })
      assert.deepEqual((await h.post({ ...reordered, responseURL: other })).body, { pending: true })
      assert.equal(await h.published(), 1)
      assert.equal(await metric('bifrost_requests_joined_total'), joined + 2)
      const [request] = await eventually(
        'the request record',
        () => h.responder.received.length === 1 && h.responder.received,
      )
      const before = node.patches.length
      await h.responder.reply(request.correlationId, { result: 'ok' })
      const patches = (await node.waitForPatches(before + 2)).slice(before)
      assert.deepEqual(patches.map((p) => p.runId).sort(), [first, other].map((u) => u.split('/').pop()).sort())
      // A request with other params is another question
      assert.deepEqual((await h.post({ ...body, data: { ...body.data, params: { shipment: '4712' } } })).body, {
        pending: true,
      })
      assert.equal(await h.published(), 2)
    } finally {
      await h.close()
    }
  })

  // A cron, OCR2 or keeper job's bridge body: requestData, meta, and responseURL when async="true"; no id
  const cronBody = (params: Record<string, unknown>, responseURL?: string) => ({
    data: { endpoint: 'request', type: 'shipment-status', params },
    meta: { jobRun: { meta: { cron: true } } },
    ...(responseURL ? { responseURL } : {}),
  })

  test("without id, an async request is known by its responseURL: the run's retries join it, another run does not", async () => {
    const h = await harness()
    try {
      const run = node.responseUrl()
      const joined = await metric('bifrost_requests_joined_total')
      assert.deepEqual((await h.post(cronBody({ shipment: '1' }, run))).body, { pending: true })
      assert.deepEqual((await h.post(cronBody({ shipment: '1' }, run))).body, { pending: true })
      assert.equal(await h.published(), 1, "the node's retry of one run publishes nothing new")
      assert.equal(await metric('bifrost_requests_joined_total'), joined + 1)
      const nextRun = node.responseUrl()
      assert.deepEqual((await h.post(cronBody({ shipment: '1' }, nextRun))).body, { pending: true })
      assert.equal(await h.published(), 2, 'the next run of the job asks again')
      const records = await eventually(
        '2 request records',
        () => h.responder.received.length === 2 && h.responder.received,
      )
      assert.notEqual(records[0].correlationId, records[1].correlationId)
      assert.equal(records[0].jobRunId, null)
      assert.deepEqual(records[0].meta, { jobRun: { meta: { cron: true } } })
      const before = node.patches.length
      await h.responder.reply(records[0].correlationId, { result: 'first run' })
      const [patch] = (await node.waitForPatches(before + 1)).slice(before)
      assert.equal(patch.runId, run.split('/').pop())
      assert.deepEqual(patch.body, { value: { data: { result: 'first run' }, result: 'first run' } })
    } finally {
      await h.close()
    }
  })

  test('without id, a synchronous request never joins another, and its timeout says a retry asks again', async () => {
    const answers = ['A', 'B']
    const h = await harness({ syncTimeoutMs: 5000 }, () => ({ result: answers.shift() ?? 'late' }))
    try {
      const [a, b] = await Promise.all([h.post(cronBody({ shipment: '1' })), h.post(cronBody({ shipment: '1' }))])
      assert.deepEqual([a.body.result, b.body.result].sort(), ['A', 'B'])
      assert.equal(await h.published(), 2)
    } finally {
      await h.close()
    }
    // No one answers here
    const silent = await harness({ syncTimeoutMs: 300 })
    try {
      const timedOut = await silent.post(cronBody({ shipment: '2' }))
      assert.equal(timedOut.status, 504)
      assert.match(timedOut.body.error!.message, /no id, so sending it again publishes a new one/)
    } finally {
      await silent.close()
    }
  })

  test('replies for unknown correlation ids are ignored and counted; malformed ones are dead-lettered', async () => {
    const h = await harness()
    const consumer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).consumer({
      groupId: kafka.uniqueTopic('dlq-reader'),
      maxWaitTimeInMs: 100,
    })
    try {
      const unknown = await metric('bifrost_requests_replies_total', { status: 'unknown' })
      const malformed = await metric('bifrost_requests_replies_total', { status: 'malformed' })
      const before = node.patches.length
      await h.post(bridge({ responseURL: node.responseUrl() }))
      const [request] = await eventually(
        'the request record',
        () => h.responder.received.length === 1 && h.responder.received,
      )
      await h.responder.reply('0123456789abcdef0123456789abcdef', { result: 'not for anyone' })
      await h.responder.reply(request.correlationId, 'not json')
      await h.responder.reply(null, { result: 'no key' })
      await h.responder.reply(request.correlationId, { result: 1, error: 'both' })
      await h.responder.reply(request.correlationId, { error: '' })
      // Consumption goes on past them: the good reply still reaches the node
      await h.responder.reply(request.correlationId, { error: 'shipment unknown' })
      const [patch] = (await node.waitForPatches(before + 1)).slice(before)
      assert.deepEqual(patch.body, { error: 'shipment unknown' })
      assert.equal(await metric('bifrost_requests_replies_total', { status: 'unknown' }), unknown + 1)
      assert.equal(await metric('bifrost_requests_replies_total', { status: 'malformed' }), malformed + 4)

      const letters: Array<{ value: string | undefined; headers: IHeaders }> = []
      await consumer.connect()
      await consumer.subscribe({ topic: h.settings.deadLetterTopic, fromBeginning: true })
      await consumer.run({
        eachMessage: async ({ message }) =>
          void letters.push({ value: message.value?.toString(), headers: message.headers ?? {} }),
      })
      await eventually('4 dead letters', () => letters.length >= 4)
      const header = (l: (typeof letters)[number], name: string) => l.headers[name]?.toString()
      // Replies with other keys are on other partitions: no order across them
      assert.deepEqual(letters.map((l) => header(l, DLQ_HEADERS.code)).sort(), [
        'bad-error',
        'missing-key',
        'not-json',
        'result-xor-error',
      ])
      assert.equal(letters.find((l) => header(l, DLQ_HEADERS.code) === 'not-json')?.value, 'not json')
      for (const l of letters) {
        assert.equal(header(l, DLQ_HEADERS.topic), h.settings.replyTopic)
        assert.match(header(l, DLQ_HEADERS.offset) ?? '', /^\d+$/)
        assert.ok(header(l, DLQ_HEADERS.reason))
      }
      assert.equal(node.patches.length, before + 1, 'nothing else reached the node')
    } finally {
      await consumer.disconnect()
      await h.close()
    }
  })

  test('a responseURL outside requests.allowedCallbackHosts: 400, nothing published, the host never contacted', async () => {
    const h = await harness({ allowedCallbackHosts: ['chainlink-node.internal:6688'] })
    try {
      const connections = node.connections
      const reply = await h.post(bridge({ responseURL: node.responseUrl() }))
      assert.equal(reply.status, 400)
      assert.match(reply.body.error!.message, /127\.0\.0\.1:\d+ is not allowed/)
      assert.match(reply.body.error!.message, /requests\.allowedCallbackHosts \(REQUESTS_ALLOWED_CALLBACK_HOSTS\)/)
      assert.equal(await h.published(), 0)
      assert.equal(node.connections, connections)
    } finally {
      await h.close()
    }
  })

  test('bad bridge bodies: 400 naming the field', async () => {
    const h = await harness()
    try {
      for (const id of ['', {}, [1], true]) {
        const badId = await h.post(bridge({ id }))
        assert.equal(badId.status, 400, JSON.stringify(id))
        assert.match(badId.body.error!.message, /\[Param: id\] must be a non-empty string or a number when given/)
      }
      const badParams = await h.post(bridge({}, 'x' as unknown as Record<string, unknown>))
      assert.equal(badParams.status, 400)
      assert.match(badParams.body.error!.message, /\[Param: params\]/)
      const noType = await h.post({ id: '1', data: { endpoint: 'request' } })
      assert.equal(noType.status, 400)
      assert.match(noType.body.error!.message, /type/)
      const badUrl = await h.post(bridge({ responseURL: 'not a url' }))
      assert.equal(badUrl.status, 400)
      assert.match(badUrl.body.error!.message, /responseURL is not a valid URL/)
      assert.equal(await h.published(), 0)
    } finally {
      await h.close()
    }
  })

  test('no reply by the deadline: the node gets the error; a late reply is ignored', async () => {
    const h = await harness({ timeoutSeconds: 1, syncTimeoutMs: 500 })
    try {
      const late = await metric('bifrost_requests_replies_total', { status: 'late' })
      const before = node.patches.length
      await h.post(bridge({ responseURL: node.responseUrl() }))
      const [patch] = (await node.waitForPatches(before + 1)).slice(before)
      assert.deepEqual(patch.body, { error: 'no reply for shipment-status within 1s' })
      const [request] = h.responder.received
      await h.responder.reply(request.correlationId, { result: 'too late' })
      await eventually(
        'the late reply to be counted',
        async () => (await metric('bifrost_requests_replies_total', { status: 'late' })) === late + 1,
      )
      assert.equal(node.patches.length, before + 1)
    } finally {
      await h.close()
    }
  })

  test('restart: a reply written while Bifrost is down is delivered after the restart, once', async () => {
    const h = await harness()
    try {
      const before = node.patches.length
      const responseURL = node.responseUrl()
      assert.deepEqual((await h.post(bridge({ responseURL }))).body, { pending: true })
      const [request] = await eventually(
        'the request record',
        () => h.responder.received.length === 1 && h.responder.received,
      )
      await h.stop()
      await h.responder.reply(request.correlationId, { result: 'answered while down' })
      await h.start()
      const [patch] = (await node.waitForPatches(before + 1)).slice(before)
      assert.equal(patch.runId, responseURL.split('/').pop())
      assert.deepEqual(patch.body, {
        value: { data: { result: 'answered while down' }, result: 'answered while down' },
      })
      // Once delivered, it is forgotten for good: neither the pending topic nor the replies bring it back
      await eventually(
        'the delivery to be recorded',
        async () => (await h.published()) === 1 && node.patches.length === before + 1,
      )
      await h.stop()
      await h.start()
      await new Promise((resolve) => setTimeout(resolve, 500))
      assert.equal(node.patches.length, before + 1)
    } finally {
      await h.close()
    }
  })

  test('restart: a callback restored from the pending topic to a host the allow-list refuses is never called', async () => {
    // Only port 1 of 127.0.0.1 is allowed: the fake node's own port is not.
    const h = await harness({ allowedCallbackHosts: ['127.0.0.1:1'] })
    try {
      await h.stop()
      const before = { patches: node.patches.length, connections: node.connections }
      const refused = await metric('bifrost_requests_callbacks_failed_total', { reason: 'refused' })
      // What anyone who can write the pending topic could put there (or an entry older than a tightened allow-list)
      const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer()
      await producer.connect()
      const now = Date.now()
      const record = {
        correlationId: 'c0ffee',
        type: 't',
        jobRunId: 'r',
        createdAt: now,
        deadline: now + 60_000,
        timeoutSeconds: 60,
      }
      await producer.send({
        topic: h.settings.pendingTopic,
        messages: [pendingMessage({ ...record, callbacks: [node.responseUrl()], outcome: { result: 'for anyone' } })],
      })
      await producer.disconnect()
      await h.start()
      assert.equal(await metric('bifrost_requests_callbacks_failed_total', { reason: 'refused' }), refused + 1)
      // Withdrawn from the topic: the next start does not even see it.
      await h.stop()
      await h.start()
      await new Promise((resolve) => setTimeout(resolve, 500))
      assert.equal(await metric('bifrost_requests_callbacks_failed_total', { reason: 'refused' }), refused + 1)
      assert.equal(node.patches.length, before.patches)
      assert.equal(node.connections, before.connections, 'the refused host was contacted')
    } finally {
      await h.close()
    }
  })

  test('restart past the deadline: a reply written in time, while Bifrost was down, still wins over the timeout', async () => {
    const h = await harness({ timeoutSeconds: 2, syncTimeoutMs: 500 })
    try {
      const before = node.patches.length
      await h.post(bridge({ responseURL: node.responseUrl() }))
      const [request] = await eventually(
        'the request record',
        () => h.responder.received.length === 1 && h.responder.received,
      )
      await h.stop()
      await h.responder.reply(request.correlationId, { result: 'in time' })
      await new Promise((resolve) => setTimeout(resolve, 2500))
      await h.start()
      const [patch] = (await node.waitForPatches(before + 1)).slice(before)
      assert.deepEqual(patch.body, { value: { data: { result: 'in time' }, result: 'in time' } })
    } finally {
      await h.close()
    }
  })

  test('stopping while the node is down: the answer is kept and delivered after the restart', async () => {
    const h = await harness({}, () => ({ result: 'kept' }))
    try {
      const before = node.patches.length
      node.setDefaultStatus(503)
      try {
        await h.post(bridge({ responseURL: node.responseUrl() }))
        await node.waitForPatches(before + 2)
        await h.stop()
      } finally {
        node.setDefaultStatus(200)
      }
      const failing = node.patches.length
      await h.start()
      const [patch] = (await node.waitForPatches(failing + 1)).slice(failing)
      assert.equal(patch.status, 200)
      assert.deepEqual(patch.body, { value: { data: { result: 'kept' }, result: 'kept' } })
    } finally {
      await h.close()
    }
  })

  test('a request record over requests.maxRequestBytes: 413 naming the setting, nothing published', async () => {
    const h = await harness({ maxRequestBytes: 2048 })
    try {
      const reply = await h.post(bridge({}, { blob: 'x'.repeat(4000) }))
      assert.equal(reply.status, 413)
      assert.match(reply.body.error!.message, /more than requests\.maxRequestBytes=2048 \(REQUESTS_MAX_REQUEST_BYTES\)/)
      assert.equal(await h.published(), 0)
      assert.equal(
        (await h.post(bridge({ responseURL: node.responseUrl() }))).status,
        200,
        'a request that fits goes out',
      )
    } finally {
      await h.close()
    }
  })

  test('params nested deeper than requests.maxDepth: 400 naming the setting', async () => {
    const h = await harness()
    try {
      const res = await fetch(`${h.url()}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"id":"run-deep","data":{"endpoint":"request","type":"t","params":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}}`,
      })
      const body = (await res.json()) as Reply['body']
      assert.equal(res.status, 400, JSON.stringify(body))
      assert.match(
        body.error!.message,
        /\[Param: params\] nests deeper than requests\.maxDepth=32 \(REQUESTS_MAX_DEPTH\)/,
      )
      assert.equal(await h.published(), 0)
    } finally {
      await h.close()
    }
  })

  test('more responseURLs than requests.maxCallbacks on one request: 429 naming the setting', async () => {
    const h = await harness({ maxCallbacks: 2 })
    try {
      const body = bridge()
      assert.deepEqual((await h.post({ ...body, responseURL: node.responseUrl() })).body, { pending: true })
      assert.deepEqual((await h.post({ ...body, responseURL: node.responseUrl() })).body, { pending: true })
      const third = await h.post({ ...body, responseURL: node.responseUrl() })
      assert.equal(third.status, 429)
      assert.match(third.body.error!.message, /requests\.maxCallbacks \(REQUESTS_MAX_CALLBACKS\)/)
      assert.equal(await h.published(), 1)
    } finally {
      await h.close()
    }
  })

  test('a reply nested 5000 levels deep is dead-lettered as too-deep; the next reply is delivered', async () => {
    const h = await harness()
    const dlq = await readTopics(kafka.brokers, [h.settings.deadLetterTopic])
    try {
      const before = node.patches.length
      await h.post(bridge({ responseURL: node.responseUrl() }))
      const [request] = await eventually(
        'the request record',
        () => h.responder.received.length === 1 && h.responder.received,
      )
      await h.responder.reply(request.correlationId, `{"result": ${'['.repeat(5000)}${']'.repeat(5000)}}`)
      await h.responder.reply(request.correlationId, { result: 'fine' })
      const [patch] = (await node.waitForPatches(before + 1)).slice(before)
      assert.deepEqual(patch.body, { value: { data: { result: 'fine' }, result: 'fine' } })
      await dlq.until((records) => records.length === 1, 'the dead letter')
      assert.equal(String(dlq.records[0].headers[DLQ_HEADERS.code]), 'too-deep')
    } finally {
      await dlq.stop()
      await h.close()
    }
  })

  test('a pending topic that refuses the recorded outcome does not hold the replies up: the node still gets the answer', async (t) => {
    if (!kafka.refuseWrites) return t.skip('needs the test broker to refuse writes')
    const h = await harness()
    try {
      const failures = await metric('bifrost_requests_outcome_write_failures_total')
      const before = node.patches.length
      await h.post(bridge({ responseURL: node.responseUrl() }))
      const [request] = await eventually(
        'the request record',
        () => h.responder.received.length === 1 && h.responder.received,
      )
      await kafka.refuseWrites({ topic: h.settings.pendingTopic, partitions: 2, error: 'TOPIC_AUTHORIZATION_FAILED' })
      await h.responder.reply(request.correlationId, { result: 'answered anyway' })
      const [patch] = (await node.waitForPatches(before + 1)).slice(before)
      assert.deepEqual(patch.body, { value: { data: { result: 'answered anyway' }, result: 'answered anyway' } })
      assert.equal(await metric('bifrost_requests_outcome_write_failures_total'), failures + 1)
    } finally {
      await h.close()
    }
  })

  test('a dead-letter topic that denies writes does not hold the replies up: the letter is dropped and counted', async (t) => {
    if (!kafka.refuseWrites) return t.skip('needs the test broker to refuse writes')
    const h = await harness()
    try {
      await kafka.refuseWrites({ topic: h.settings.deadLetterTopic, error: 'TOPIC_AUTHORIZATION_FAILED' })
      const dropped = await metric('bifrost_requests_dead_letters_dropped_total', {
        error: 'TOPIC_AUTHORIZATION_FAILED',
      })
      const before = node.patches.length
      await h.post(bridge({ responseURL: node.responseUrl() }))
      const [request] = await eventually(
        'the request record',
        () => h.responder.received.length === 1 && h.responder.received,
      )
      await h.responder.reply(request.correlationId, 'not json')
      await h.responder.reply(request.correlationId, { result: 'after the poison' })
      const [patch] = (await node.waitForPatches(before + 1)).slice(before)
      assert.deepEqual(patch.body, { value: { data: { result: 'after the poison' }, result: 'after the poison' } })
      assert.equal(
        await metric('bifrost_requests_dead_letters_dropped_total', { error: 'TOPIC_AUTHORIZATION_FAILED' }),
        dropped + 1,
      )
    } finally {
      await h.close()
    }
  })

  test('a publish that fails after the pending record was stored leaves a tombstone, not an orphan', async (t) => {
    if (!kafka.refuseWrites) return t.skip('needs the test broker to refuse writes')
    const h = await harness()
    try {
      // The pending record goes out in the same produce request and is stored; the request record is refused
      await kafka.refuseWrites({
        topic: h.settings.topic,
        partitions: 2,
        error: 'TOPIC_AUTHORIZATION_FAILED',
        count: 1,
      })
      const body = bridge({ responseURL: node.responseUrl() })
      const failed = await h.post(body)
      assert.equal(failed.status, 503, JSON.stringify(failed.body))
      const id = correlationId(body.id, 'shipment-status', { shipment: '4711' })
      const pending = await readTopics(kafka.brokers, [h.settings.pendingTopic])
      try {
        await pending.until((records) => records.some((r) => r.key === id && r.value === undefined), 'the tombstone')
        assert.equal(
          pending.records.filter((r) => r.key === id).at(-1)?.value,
          undefined,
          'the last word is the tombstone',
        )
      } finally {
        await pending.stop()
      }
    } finally {
      await h.close()
    }
  })
})
