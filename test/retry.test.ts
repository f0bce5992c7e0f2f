import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { BifrostError } from '../src/errors'
import { NoEndpointError } from '../src/chain/failover'
import { ReorgTooDeepError } from '../src/chain/block-tracker'
import { createBackoff, withRetry } from '../src/retry'

const failing = (errors: unknown[]) => {
  let calls = 0
  return {
    attempt: async (n: number) => {
      calls++
      assert.equal(n, calls, 'attempts are numbered from 1')
      if (errors.length > 0) throw errors.shift()
      return 'done'
    },
    calls: () => calls,
  }
}

describe('backoff', () => {
  test('doubles each wait up to the cap, and starts over once something worked', () => {
    const backoff = createBackoff({ initialMs: 100, maxMs: 500 })
    assert.equal(backoff.backingOff, false)
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next(), backoff.next()], [100, 200, 400, 500])
    assert.equal(backoff.backingOff, true)
    assert.equal(backoff.peek(), 500)
    backoff.reset()
    assert.equal(backoff.next(), 100)
  })
})

describe('withRetry', () => {
  test('tries again with growing waits until it works, telling onRetry each failure and wait', async () => {
    const work = failing([new Error('one'), new Error('two')])
    const told: Array<[string, number, number]> = []
    const result = await withRetry(work.attempt, {
      initialMs: 1,
      maxMs: 10,
      signal: new AbortController().signal,
      onRetry: (err, { attempt, delayMs }) => void told.push([(err as Error).message, attempt, delayMs]),
    })
    assert.equal(result, 'done')
    assert.deepEqual(told, [
      ['one', 1, 1],
      ['two', 2, 2],
    ])
  })

  test('a BifrostError that says retrying cannot help is thrown at once; one that says it can is retried', async () => {
    const deep = new ReorgTooDeepError('too deep')
    const work = failing([new NoEndpointError('all down'), deep])
    await assert.rejects(
      withRetry(work.attempt, { initialMs: 1, maxMs: 1, signal: new AbortController().signal }),
      deep,
    )
    assert.equal(work.calls(), 2)
    assert.ok(deep instanceof BifrostError)
  })

  test('shouldRetry decides, and sees the wait it would do', async () => {
    const work = failing([new Error('a'), new Error('b'), new Error('c')])
    const waits: number[] = []
    await assert.rejects(
      withRetry(work.attempt, {
        initialMs: 5,
        maxMs: 100,
        signal: new AbortController().signal,
        shouldRetry: (_err, { delayMs }) => (waits.push(delayMs), delayMs < 10),
      }),
      /b/,
    )
    assert.deepEqual(waits, [5, 10])
  })

  test('an abort ends the wait and the retrying with the reason', async () => {
    const abort = new AbortController()
    const work = failing([new Error('down'), new Error('down')])
    const retrying = withRetry(work.attempt, {
      initialMs: 60_000,
      maxMs: 60_000,
      signal: abort.signal,
      onRetry: () => abort.abort(new Error('stopping')),
    })
    await assert.rejects(retrying, /stopping/)
    assert.equal(work.calls(), 1)
  })
})
