import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { describe, test } from 'node:test'
import { AdapterError } from '@chainlink/external-adapter-framework/validation/error'
import type { FeedResponse } from '../../src/inbound/feed-transport'
import type { Json } from '../../src/json'
import { goJsonMarshal } from '../../src/streams/go-json'
import { streamMetrics } from '../../src/streams/metrics'
import { payloadHash } from '../../src/streams/payload-hash'
import type { SubscribeResponse, StructValue } from '../../src/streams/proto'
import { createSession } from '../../src/streams/session'
import { useDefaultLogger } from '../support/logger'

useDefaultLogger()

const answer = (result: number): FeedResponse => ({
  data: {
    result,
    feed: 'F',
    aggregate: 'median',
    sources: {},
    asOf: new Date(result).toISOString(),
    maxAgeSeconds: 300,
    maxAgeLimit: 'feeds.maxAgeSeconds',
  },
  result,
  statusCode: 200,
  timestamps: { providerDataRequestedUnixMs: 1, providerDataReceivedUnixMs: 1, providerIndicatedTimeUnixMs: result },
})

/** A stream whose buffer is full until `drain()`: what grpc-js does when the node reads slowly. */
const slowSink = () => {
  const events = new EventEmitter()
  const written: SubscribeResponse[] = []
  let full = false
  return {
    written,
    fill: () => (full = true),
    drain: () => {
      full = false
      events.emit('drain')
    },
    write: (response: SubscribeResponse) => {
      written.push(response)
      return !full
    },
    once: (event: 'drain', listener: () => void) => events.once(event, listener),
  }
}

const struct = (data: { [key: string]: string }) => ({
  fields: Object.fromEntries(
    Object.entries(data).map(([k, v]): [string, StructValue] => [k, { kind: 'stringValue', stringValue: v }]),
  ),
})

describe('a stream session', () => {
  test('while the stream is full, only the latest answer per asset waits, and it goes out on drain', () => {
    const results = new Map<string, number>([
      ['A', 1],
      ['B', 1],
    ])
    const sink = slowSink()
    const session = createSession({
      sink,
      bridgeName: 'bifrost-stream',
      refreshMs: 60_000,
      parse: (data) => ({ feed: String(data['feed']), answer: () => answer(results.get(String(data['feed']))!) }),
      metrics: streamMetrics(),
      onRefused: () => assert.fail('nothing is refused'),
    })
    session.subscribe({ subscriptions: [{ data: struct({ feed: 'A' }) }, { data: struct({ feed: 'B' }) }] })
    assert.equal(sink.written.length, 2, 'both assets are answered at once')
    sink.fill()
    for (const value of [2, 3, 4]) {
      results.set('A', value)
      results.set('B', value)
      session.feedsChanged(['A', 'B'])
    }
    // The first write after the buffer filled is accepted by the stream (and reports it full); the rest wait.
    assert.equal(sink.written.length, 3)
    sink.drain()
    const sent = sink.written.slice(3).map((r) => JSON.parse(r.observation_json.toString()) as { result: Json })
    assert.deepEqual(
      sent.map((r) => r.result),
      [4, 4],
      'one write per asset, with its latest answer',
    )
    const hashOf = (feed: string) => payloadHash('bifrost-stream', goJsonMarshal({ feed })).toString('hex')
    assert.deepEqual(
      sink.written
        .slice(3)
        .map((r) => r.payload_hash.toString('hex'))
        .sort(),
      [hashOf('A'), hashOf('B')].sort(),
    )
    session.close()
  })

  test('an answer that turns into an error is dropped from the waiting ones, never sent', () => {
    let failing = false
    let version = 0
    const sink = slowSink()
    const session = createSession({
      sink,
      bridgeName: 'bifrost-stream',
      refreshMs: 60_000,
      parse: () => ({
        feed: 'S',
        answer: () => {
          if (failing) throw new AdapterError({ statusCode: 503, message: 'stale' })
          return answer(++version)
        },
      }),
      metrics: streamMetrics(),
      onRefused: () => assert.fail('nothing is refused'),
    })
    session.subscribe({ subscriptions: [{ data: struct({ feed: 'S' }) }] })
    sink.fill()
    session.feedsChanged(['S'])
    const beforeWaiting = sink.written.length
    session.feedsChanged(['S'])
    failing = true
    session.feedsChanged(['S'])
    sink.drain()
    assert.equal(sink.written.length, beforeWaiting, 'the waiting answer was withdrawn when the feed went bad')
    session.close()
  })
})
