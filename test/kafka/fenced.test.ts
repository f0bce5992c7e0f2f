import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isFenced } from '../../src/kafka/fenced'

// kafkajs' own decoding of a broker error code and its own wrappers, as its request handlers and retrier throw them
// (the typings of its index do not show the `cause` they carry).
type Wrapper = new (e: Error, options: Record<string, unknown>) => Error
/* eslint-disable @typescript-eslint/no-require-imports */
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode(code: number): Error
}
const { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded } = require('kafkajs/src/errors') as Record<
  string,
  Wrapper
>
/* eslint-enable @typescript-eslint/no-require-imports */

test('INVALID_PRODUCER_EPOCH (47) is fencing, however deep kafkajs wraps it', () => {
  const refused = createErrorFromCode(47)
  assert.equal(isFenced(refused), true)
  // As kafkajs' retrier gives up: the protocol error as the cause.
  const bailed = new KafkaJSNonRetriableError(refused, { cause: refused })
  assert.equal(isFenced(bailed), true)
  assert.equal(
    isFenced(
      new KafkaJSNumberOfRetriesExceeded(bailed, {
        retryCount: 5,
        retryTime: 300,
        cause: refused,
      }),
    ),
    true,
  )
})

test('PRODUCER_FENCED (90), which kafkajs does not know, is fencing too', () => {
  assert.equal(isFenced(createErrorFromCode(90)), true)
})

test('other refusals are not fencing: the send may be retried or the run restarted', () => {
  for (const code of [-1, 7, 51, 89]) assert.equal(isFenced(createErrorFromCode(code)), false, `code ${code}`)
  assert.equal(isFenced(new Error('Connection error: ECONNREFUSED')), false)
  assert.equal(isFenced(undefined), false)
})
