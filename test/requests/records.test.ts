import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import Ajv from 'ajv'
import { repoRoot } from '../../src/dev/paths'
import { deadLetterMessage, DLQ_HEADERS } from '../../src/kafka/dead-letter'
import {
  parsePendingRecord,
  parseReply,
  pendingMessage,
  pendingTombstone,
  requestMessage,
  type PendingRecord,
  type RequestRecord,
} from '../../src/requests/records'
import { requestSettings } from '../../src/requests/settings'

const schema = (name: string) =>
  JSON.parse(readFileSync(join(repoRoot(), 'schemas', name), 'utf8')) as { examples: unknown[] }
const ajv = new Ajv({ strict: false })
const requestSchema = schema('request-record.schema.json')
const validateRequest = ajv.compile(requestSchema)
const replySchema = schema('reply-record.schema.json')
const validateReply = ajv.compile(replySchema)

const record: RequestRecord = {
  correlationId: '0123456789abcdef0123456789abcdef',
  type: 'shipment-status',
  params: { shipment: '4711', nested: { a: [1, 2] } },
  jobRunId: '0xabc',
  meta: { oracleRequest: { requestId: '0xabc' } },
  replyTopic: 'bifrost.replies',
  deadline: new Date(1_767_225_900_000).toISOString(),
}

describe('request records', () => {
  test('key and headers carry the correlation id and type; the value is the documented record', () => {
    const message = requestMessage(record)
    assert.equal(message.key, record.correlationId)
    assert.deepEqual(message.headers, { type: 'shipment-status', correlationId: record.correlationId })
    const value = JSON.parse(String(message.value))
    assert.deepEqual(value, record)
    assert.ok(validateRequest(value), JSON.stringify(validateRequest.errors))
    assert.ok(
      !validateRequest({ ...value, responseURL: 'http://node/v2/resume/x' }),
      'no field beyond the documented ones',
    )
  })

  test('a request of a job that sends no id (cron, OCR2) is a valid record with jobRunId null', () => {
    const value = JSON.parse(String(requestMessage({ ...record, jobRunId: null }).value)) as RequestRecord
    assert.equal(value.jobRunId, null)
    assert.ok(validateRequest(value), JSON.stringify(validateRequest.errors))
    assert.ok(!validateRequest({ ...value, jobRunId: '' }), 'an id, when there is one, is not empty')
  })

  test('the schema examples are valid request records', () => {
    for (const example of requestSchema.examples) {
      assert.ok(validateRequest(example), JSON.stringify(validateRequest.errors))
    }
  })
})

describe('reply records', () => {
  /** The defaults: requests.maxReplyBytes 65536, requests.maxDepth 32 */
  const limits = requestSettings.parse({})
  const reply = (value: unknown, key: string | null = 'k') =>
    parseReply(
      key === null ? null : Buffer.from(key),
      Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
      limits,
    )

  test('a result (any JSON, null included) or an error', () => {
    assert.deepEqual(reply({ result: { a: 1 } }), { ok: true, correlationId: 'k', outcome: { result: { a: 1 } } })
    assert.deepEqual(reply({ result: null }), { ok: true, correlationId: 'k', outcome: { result: null } })
    assert.deepEqual(reply({ error: 'nope', extra: 1 }), { ok: true, correlationId: 'k', outcome: { error: 'nope' } })
  })

  test('anything else is malformed, with a code and a reason', () => {
    const code = (r: ReturnType<typeof parseReply>) => (r.ok ? 'ok' : r.code)
    assert.equal(code(reply({ result: 1 }, null)), 'missing-key')
    assert.equal(code(reply({ result: 1 }, '')), 'missing-key')
    assert.equal(code(parseReply(Buffer.from('k'), null, limits)), 'missing-value')
    assert.equal(code(reply('{"result":')), 'not-json')
    assert.equal(code(reply([1])), 'not-an-object')
    assert.equal(code(reply('"text"')), 'not-an-object')
    assert.equal(code(reply({})), 'result-xor-error')
    assert.equal(code(reply({ result: 1, error: 'x' })), 'result-xor-error')
    assert.equal(code(reply({ error: '' })), 'bad-error')
    assert.equal(code(reply({ error: 5 })), 'bad-error')
    assert.equal(code(reply({ result: 'x'.repeat(limits.maxReplyBytes) })), 'too-large')
    assert.equal(code(reply(`{"result": ${'['.repeat(5000)}${']'.repeat(5000)}}`)), 'too-deep')
  })

  test('the published JSON Schema accepts exactly what Bifrost accepts', () => {
    const values: unknown[] = [
      ...replySchema.examples,
      { result: null },
      { result: [1, 'a'] },
      { result: 'x', note: 'ignored' },
      { error: 'x' },
      {},
      { result: 1, error: 'x' },
      { error: '' },
      { error: 3 },
      { error: null },
      [1],
      'text',
      7,
      null,
    ]
    for (const value of values) {
      assert.equal(validateReply(value), reply(value).ok, `schema and parser disagree on ${JSON.stringify(value)}`)
    }
  })

  test('a dead letter keeps the record and says where it came from and why', () => {
    const letter = deadLetterMessage(
      {
        key: Buffer.from('k'),
        value: Buffer.from('x'),
        headers: { trace: 't' },
        offset: '7',
        timestamp: '1700000000000',
      },
      { topic: 'bifrost.replies', partition: 2 },
      { code: 'not-json', reason: 'the value is not JSON' },
    )
    assert.deepEqual(letter.key, Buffer.from('k'))
    assert.deepEqual(letter.value, Buffer.from('x'))
    assert.deepEqual(letter.headers, {
      trace: 't',
      [DLQ_HEADERS.topic]: 'bifrost.replies',
      [DLQ_HEADERS.partition]: '2',
      [DLQ_HEADERS.offset]: '7',
      [DLQ_HEADERS.timestamp]: '1700000000000',
      [DLQ_HEADERS.code]: 'not-json',
      [DLQ_HEADERS.reason]: 'the value is not JSON',
    })
  })
})

describe('pending records', () => {
  const pending: PendingRecord = {
    correlationId: record.correlationId,
    type: 'shipment-status',
    jobRunId: '0xabc',
    createdAt: 1_767_225_600_000,
    deadline: 1_767_225_900_000,
    timeoutSeconds: 300,
    callbacks: ['http://127.0.0.1:6688/v2/resume/9f0e'],
  }

  test('round-trip, with and without an outcome; a tombstone clears the key', () => {
    for (const r of [pending, { ...pending, outcome: { result: 1 } }, { ...pending, outcome: { error: 'x' } }]) {
      const message = pendingMessage(r)
      assert.equal(message.key, r.correlationId)
      assert.deepEqual(parsePendingRecord(Buffer.from(String(message.value))), r)
    }
    assert.deepEqual(pendingTombstone('k'), { key: 'k', value: null })
  })

  test('what Bifrost did not write is not read as a request', () => {
    for (const text of [
      'nope',
      '{}',
      JSON.stringify({ ...pending, v: 2 }),
      JSON.stringify({ ...pending, v: 1, callbacks: 'x' }),
    ]) {
      assert.equal(parsePendingRecord(Buffer.from(text)), undefined, text)
    }
  })
})
