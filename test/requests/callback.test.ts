import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { callbackBody, sendCallback } from '../../src/requests/callback'
import { startFakeChainlinkNode, type FakeChainlinkNode } from '../support/fake-chainlink-node'
import { useDefaultLogger } from '../support/logger'
import { closedPort } from '../support/closed-port'

useDefaultLogger()

const fast = { initialMs: 20, maxMs: 40 }

test('the PATCH body: the result twice (data.result and result), or the error', () => {
  assert.deepEqual(callbackBody({ result: { a: 1 } }), { value: { data: { result: { a: 1 } }, result: { a: 1 } } })
  assert.deepEqual(callbackBody({ result: null }), { value: { data: { result: null }, result: null } })
  assert.deepEqual(callbackBody({ error: 'nope' }), { error: 'nope' })
})

describe('sendCallback', () => {
  let node: FakeChainlinkNode
  before(async () => {
    node = await startFakeChainlinkNode()
  })
  after(() => node.stop())

  const send = (url: string, untilMs = 5000) =>
    sendCallback(url, { result: 7 }, 'c0ffee', {
      until: Date.now() + untilMs,
      signal: new AbortController().signal,
      backoff: fast,
    })

  test('retries 5xx, 408 and 429 until the node takes it', async () => {
    const before = node.patches.length
    node.answerNext(500, 408, 429, 502)
    assert.equal(await send(node.responseUrl()), 'sent')
    assert.deepEqual(
      node.patches.slice(before).map((p) => p.status),
      [500, 408, 429, 502, 200],
    )
    for (const p of node.patches.slice(before)) {
      assert.equal(p.contentType, 'application/json')
      assert.deepEqual(p.body, { value: { data: { result: 7 }, result: 7 } })
    }
  })

  test('a 4xx such as 422 is final; so is a redirect, which is never followed', async () => {
    for (const status of [422, 404, 302]) {
      const before = node.patches.length
      node.answerNext(status)
      assert.equal(await send(node.responseUrl()), 'rejected', String(status))
      assert.equal(node.patches.length, before + 1)
    }
  })

  test('a node that stays down: retried with backoff, given up at the deadline', async () => {
    const started = Date.now()
    assert.equal(await send(`http://127.0.0.1:${await closedPort()}/v2/resume/x`, 300), 'gave-up')
    assert.ok(Date.now() - started >= 200, 'it kept trying until near the deadline')
  })

  test('stopping aborts the wait between attempts', async () => {
    const stop = new AbortController()
    node.answerNext(500)
    const sending = sendCallback(node.responseUrl(), { result: 7 }, 'c0ffee', {
      until: Date.now() + 60_000,
      signal: stop.signal,
      backoff: { initialMs: 30_000, maxMs: 30_000 },
    })
    setTimeout(() => stop.abort(), 50)
    assert.equal(await sending, 'aborted')
  })
})
