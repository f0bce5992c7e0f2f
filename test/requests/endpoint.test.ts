import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { ServerHandle } from '../../src/http/server'
import { createFeedStore } from '../../src/inbound/feed-store'
import { startBareAdapter } from '../support/bare-adapter'
import { postJson } from '../support/adapter-http'

let adapter: ServerHandle
before(async () => {
  adapter = await startBareAdapter(createFeedStore())
})
after(async () => {
  await adapter?.close()
})

const post = (body: string) => postJson<{ error?: { message: string } }>(adapter.url, body)

const nested = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`

test('params or meta nested deeper than requests.maxDepth are refused with 400 naming the field', async () => {
  for (const [field, body] of [
    ['params', `{"id":"a","data":{"endpoint":"request","type":"t","params":{"x":${nested(100)}}}}`],
    ['meta', `{"id":"a","data":{"endpoint":"request","type":"t","params":{}},"meta":${nested(100)}}`],
  ]) {
    const answer = await post(body)
    assert.equal(answer.status, 400, field)
    assert.match(
      answer.body.error?.message ?? '',
      new RegExp(`\\[Param: ${field}\\] nests deeper than requests\\.maxDepth`),
    )
  }
})

test('params nested as deep as a real request goes are accepted', async () => {
  // The request part is off here: a body that passes validation is answered 503, not 400.
  assert.equal(
    (await post(`{"id":"a","data":{"endpoint":"request","type":"t","params":{"x":${nested(20)}}}}`)).status,
    503,
  )
})
