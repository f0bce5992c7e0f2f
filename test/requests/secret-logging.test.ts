import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { startResponder, type Responder } from '../../src/dev/responder'
import { traceServeEnv } from '../support/bifrost'
import { spawnCli, waitForLine } from '../support/cli'
import { eventually } from '../support/eventually'
import { startFakeChainlinkNode, type FakeChainlinkNode } from '../support/fake-chainlink-node'
import { startKafka, type KafkaFixture } from '../support/kafka'

let kafka: KafkaFixture
let node: FakeChainlinkNode
let responder: Responder | undefined
let child: ChildProcess | undefined

before(async () => {
  kafka = await startKafka()
  node = await startFakeChainlinkNode()
})

after(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
  await responder?.stop()
  await node?.stop()
  await kafka?.stop()
})

// The whole `bifrost serve`, at the most verbose log level, through every path
// that handles a responseURL: refused bodies, a refused host, a node that is
// down, a node that answers 422. Its output must never hold the URL's secret.
test('a responseURL never appears in the logs, whatever happens to it', async () => {
  const env = await traceServeEnv(kafka, {
    REQUESTS_ALLOWED_CALLBACK_HOSTS: '127.0.0.1',
    REQUESTS_TIMEOUT_SECONDS: '1',
    REQUESTS_SYNC_TIMEOUT_MS: '500',
    REQUESTS_CALLBACK_GRACE_SECONDS: '1',
  })
  let output = ''
  child = spawnCli(['serve'], env)
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  const [, url] = await waitForLine(child, /Adapter listening on (http:\/\/[^\s"]+)/)
  await eventually('readiness', async () => (await fetch(`${url}/ready`)).status === 200)
  responder = await startResponder(new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }), {
    requestTopic: env['REQUESTS_TOPIC'],
    replyTopic: env['REQUESTS_REPLY_TOPIC'],
    answer: (r) => ({ result: r.params['n'] ?? null }),
  })

  const secrets: string[] = []
  const secretUrl = (base: string) => {
    const secret = `secret-${secrets.length}-${Math.random().toString(36).slice(2)}`
    secrets.push(secret)
    return `${base}/v2/resume/${secret}`
  }
  const post = async (body: Record<string, unknown>) =>
    (
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).status

  // Refused by the framework's validation (no type), which logs the whole body
  assert.equal(await post({ id: 'a', data: { endpoint: 'request' }, responseURL: secretUrl(node.baseUrl) }), 400)
  // Refused by the allow-list
  assert.equal(
    await post({ id: 'b', data: { endpoint: 'request', type: 't' }, responseURL: secretUrl('http://10.9.8.7:6688') }),
    400,
  )
  // A node that is down: every retry logs
  const down = secretUrl('http://127.0.0.1:1')
  assert.equal(
    await post({ id: 'c', data: { endpoint: 'request', type: 't', params: { n: 1 } }, responseURL: down }),
    200,
  )
  // A node that refuses the PATCH
  node.answerNext(422)
  const refused = secretUrl(node.baseUrl)
  assert.equal(
    await post({ id: 'd', data: { endpoint: 'request', type: 't', params: { n: 2 } }, responseURL: refused }),
    200,
  )
  // The feed endpoint sees bodies with a responseURL too (an async bridge task pointed at it)
  assert.equal(await post({ id: 'e', data: { feed: 'NOPE/USD' }, responseURL: secretUrl(node.baseUrl) }), 404)

  await waitForLine(child, /given up after \d+ attempt/, 30_000)
  await node.waitForPatches(1)
  assert.match(output, /127\.0\.0\.1:1\/…/, 'the failing callbacks were logged, by host')
  for (const secret of secrets) assert.ok(!output.includes(secret), `${secret} appears in the output`)
})
