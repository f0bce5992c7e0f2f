import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { loadConfig } from '../../src/config/load'
import { repoRoot } from '../../src/dev/paths'

describe('streams settings', () => {
  test('default to the bridge name and the stream route in adapter.json', () => {
    const descriptor = JSON.parse(readFileSync(join(repoRoot(), 'adapter.json'), 'utf8')) as {
      routes: { stream: string }
      bridge: { body: { name: string } }
    }
    const { streams } = loadConfig({ env: {} })
    assert.equal(streams.bridgeName, descriptor.bridge.body.name)
    assert.equal(descriptor.routes.stream, `gRPC :${streams.port} streams.v1.StreamService/Subscribe`)
    assert.deepEqual(
      { enabled: streams.enabled, host: streams.host, port: streams.port, refreshSeconds: streams.refreshSeconds },
      { enabled: true, host: '0.0.0.0', port: 8090, refreshSeconds: 20 },
    )
  })

  test('a refresh interval the node cache would outlive stops start-up, naming the setting', () => {
    assert.throws(
      () => loadConfig({ env: { STREAMS_REFRESH_SECONDS: '60' } }),
      /streams\.refreshSeconds: must be less than 60: the node keeps an observation 60 s.* \(from STREAMS_REFRESH_SECONDS\)/,
    )
  })

  test('a TLS certificate without its key stops start-up', () => {
    assert.throws(
      () => loadConfig({ env: { STREAMS_TLS_CERT: '/etc/bifrost/cert.pem' } }),
      /streams\.tlsKey: tlsCert and tlsKey go together/,
    )
  })

  test('a bridge name the node would refuse stops start-up', () => {
    assert.throws(
      () => loadConfig({ env: { STREAMS_BRIDGE_NAME: 'bifrost stream' } }),
      /streams\.bridgeName: expected the bridge name/,
    )
  })
})
