import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadConfig } from '../../src/config/load'
import { repoRoot } from '../../src/dev/paths'
import { feedEndpoint } from '../../src/inbound/feed-endpoint'
import { createFeedStore } from '../../src/inbound/feed-store'
import { createRequests } from '../../src/requests/service'

interface Descriptor {
  defaultEndpoint: string
  endpoints: Record<string, { inputParameters: Record<string, { required: boolean; aliases?: string[] }> }>
  bridge: { body: { name: string; url: string; confirmations: number; minimumContractPayment: unknown } }
}

// adapter.json is what node operators read; it must describe the endpoints the adapter really has.
test('adapter.json describes the real endpoints and a valid bridge registration', () => {
  const descriptor = JSON.parse(readFileSync(join(repoRoot(), 'adapter.json'), 'utf8')) as Descriptor
  const config = loadConfig({ env: { REQUESTS_ENABLED: 'false' } })
  const ready = { name: 'feeds', notReadyReason: () => undefined }
  const endpoints = [
    feedEndpoint(createFeedStore(), config.feeds, ready),
    createRequests({ kafka: undefined as never, settings: config.requests, clientId: 'descriptor' }).endpoint,
  ]
  assert.deepEqual(Object.keys(descriptor.endpoints).sort(), endpoints.map((e) => e.name).sort())
  assert.equal(descriptor.defaultEndpoint, 'feed')
  for (const endpoint of endpoints) {
    const described = descriptor.endpoints[endpoint.name].inputParameters
    const real = endpoint.inputParameters.definition as Record<string, { required?: boolean; aliases?: string[] }>
    for (const [name, param] of Object.entries(real)) {
      assert.ok(described[name], `adapter.json lacks ${endpoint.name}.${name}`)
      assert.equal(described[name].required, Boolean(param.required), `${endpoint.name}.${name}.required`)
      assert.deepEqual(described[name].aliases ?? [], param.aliases ?? [], `${endpoint.name}.${name}.aliases`)
    }
  }
  const { body } = descriptor.bridge
  assert.equal(body.name, 'bifrost')
  assert.match(body.url, /^http:\/\//)
  assert.equal(typeof body.confirmations, 'number')
  // The node's API wants the LINK amount as a quoted decimal string.
  assert.equal(typeof body.minimumContractPayment, 'string')
  assert.match(body.minimumContractPayment as string, /^\d+$/)
})
