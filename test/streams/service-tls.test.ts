import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadConfig } from '../../src/config/load'
import { repoRoot } from '../../src/dev/paths'
import { feedRequestParser } from '../../src/inbound/feed-endpoint'
import { createFeedStore } from '../../src/inbound/feed-store'
import { startStreams } from '../../src/streams/service'
import { createCleanups } from '../support/cleanups'
import { eventually } from '../support/eventually'
import { useDefaultLogger } from '../support/logger'
import { startStandInConnectionManager } from '../support/stand-in-connection-manager'

const tls = (name: string) => join(repoRoot(), 'test', 'streams', 'tls', name)

test('with tlsCert and tlsKey the stream is served over TLS, as the node dials an https:// bridge URL', async () => {
  useDefaultLogger()
  const cleanups = createCleanups()
  try {
    const config = loadConfig({
      env: {
        STREAMS_HOST: '127.0.0.1',
        STREAMS_PORT: '0',
        STREAMS_TLS_CERT: tls('localhost.cert.pem'),
        STREAMS_TLS_KEY: tls('localhost.key.pem'),
      },
    })
    const store = createFeedStore()
    store.apply({ feed: 'ETH/USD', source: 'a', value: 3000, timestamp: Date.now() })
    const ready = { name: 'feeds', notReadyReason: () => undefined }
    const streams = cleanups.track(
      await startStreams({
        settings: config.streams,
        store,
        readiness: ready,
        parse: feedRequestParser(store, config.feeds, ready),
      }),
    )
    const options = { bridgeName: config.streams.bridgeName, snapshotMs: 200, initialBackoffMs: 100, maxBackoffMs: 500 }
    const node = cleanups.track(
      startStandInConnectionManager({
        ...options,
        address: `localhost:${streams.port}`,
        rootCerts: readFileSync(tls('localhost.cert.pem')),
      }),
    )
    const plaintext = cleanups.track(
      startStandInConnectionManager({ ...options, address: `localhost:${streams.port}` }),
    )
    node.use({ feed: 'ETH/USD' })
    plaintext.use({ feed: 'ETH/USD' })
    const first = await eventually('the observation over TLS', () => node.accepted[0], { timeoutMs: 60_000 })
    assert.equal(first.observation.result, 3000)
    await eventually('the plaintext client to have retried', () => plaintext.connections >= 2, { timeoutMs: 60_000 })
    assert.deepEqual(plaintext.accepted, [], 'a plaintext client gets nothing from a TLS port')
  } finally {
    await cleanups.run()
  }
})

test('an unreadable TLS key stops start-up, naming the setting', async () => {
  useDefaultLogger()
  const config = loadConfig({
    env: { STREAMS_PORT: '0', STREAMS_TLS_CERT: tls('localhost.cert.pem'), STREAMS_TLS_KEY: tls('missing.pem') },
  })
  const store = createFeedStore()
  const ready = { name: 'feeds', notReadyReason: () => undefined }
  await assert.rejects(
    startStreams({
      settings: config.streams,
      store,
      readiness: ready,
      parse: feedRequestParser(store, config.feeds, ready),
    }),
    { name: 'StreamsError', message: /Cannot read streams\.tlsKey ".*missing\.pem"/ },
  )
})
