import assert from 'node:assert/strict'
import { test } from 'node:test'
import { canonicalJson, correlationId, correlationIdOf } from '../../src/requests/correlation'

test('canonical JSON sorts keys at every level and keeps array order', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }), '{"a":{"c":null,"d":[2,1]},"b":1}')
  assert.equal(canonicalJson({ a: { c: null, d: [2, 1] }, b: 1 }), canonicalJson({ b: 1, a: { d: [2, 1], c: null } }))
  assert.notEqual(canonicalJson([1, 2]), canonicalJson([2, 1]))
  assert.equal(canonicalJson('a"b'), '"a\\"b"')
})

test('the correlation id depends on job run, type and params only', () => {
  const id = correlationId('run-1', 'shipment-status', { shipment: '4711', carrier: 'x' })
  assert.match(id, /^[0-9a-f]{32}$/)
  assert.equal(correlationId('run-1', 'shipment-status', { carrier: 'x', shipment: '4711' }), id)
  assert.notEqual(correlationId('run-2', 'shipment-status', { shipment: '4711', carrier: 'x' }), id)
  assert.notEqual(correlationId('run-1', 'kyc-status', { shipment: '4711', carrier: 'x' }), id)
  assert.notEqual(correlationId('run-1', 'shipment-status', { shipment: '4712', carrier: 'x' }), id)
  // Fields cannot bleed into each other
  assert.notEqual(correlationId('a', 'bc', {}), correlationId('ab', 'c', {}))
})

test('without id, the responseURL names the request, and a synchronous request gets an id of its own', () => {
  const base = { type: 'shipment-status', params: { shipment: '4711' } }
  const withId = correlationIdOf({ ...base, jobRunId: 'run-1', responseUrl: 'http://node/v2/resume/a' })
  assert.equal(withId, correlationId('run-1', base.type, base.params), 'an id decides, whatever the responseURL')
  const run = correlationIdOf({ ...base, jobRunId: null, responseUrl: 'http://node/v2/resume/a' })
  assert.match(run, /^[0-9a-f]{32}$/)
  assert.equal(correlationIdOf({ ...base, jobRunId: null, responseUrl: 'http://node/v2/resume/a' }), run)
  assert.notEqual(correlationIdOf({ ...base, jobRunId: null, responseUrl: 'http://node/v2/resume/b' }), run)
  assert.notEqual(correlationIdOf({ ...base, jobRunId: 'http://node/v2/resume/a' }), run)
  const sync = correlationIdOf({ ...base, jobRunId: null })
  assert.match(sync, /^[0-9a-f]{32}$/)
  assert.notEqual(correlationIdOf({ ...base, jobRunId: null }), sync)
})
