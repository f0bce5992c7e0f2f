import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { ServerHandle } from '../../src/http/server'
import { createFeedStore } from '../../src/inbound/feed-store'
import { startBareAdapter } from '../support/bare-adapter'

let adapter: ServerHandle
before(async () => {
  adapter = await startBareAdapter(createFeedStore())
})
after(async () => {
  await adapter?.close()
})

// Each of these made the framework's validation throw a TypeError: HTTP 500 (found by test/fuzz).
for (const [body, message] of [
  ['{"data":{"endpoint":[],"feed":"ETH/USD"}}', /\[Param: data\.endpoint\] must be a string/],
  ['{"endpoint":7,"data":{}}', /\[Param: endpoint\] must be a string/],
  ['{"data":5}', /\[Param: data\] must be a JSON object/],
  ['1', /the body must be a JSON object/],
  ['null', /the body must be a JSON object/],
  ['[{"data":{}}]', /the body must be a JSON object/],
  [`{"id":${'['.repeat(20_000)}1${']'.repeat(20_000)},"data":{}}`, /the body nests deeper than 256 levels/],
] as const) {
  test(`a bridge body ${body.slice(0, 60)} is refused with 400 naming what is wrong`, async () => {
    const res = await fetch(adapter.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    assert.equal(res.status, 400)
    const answer = (await res.json()) as { error: { name: string; message: string } }
    assert.equal(answer.error.name, 'AdapterInputError')
    assert.match(answer.error.message, message)
  })
}
