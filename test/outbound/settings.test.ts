import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { loadConfig } from '../../src/config/load'
import { ConfigError } from '../../src/errors'
import { KINDS } from '../../src/outbound/families'
import { finalityOf } from '../../src/outbound/settings'

const address = (n: number) => `0x${String(n).repeat(40).slice(0, 40)}`
const chain = (extra: Record<string, unknown> = {}) => ({
  name: 'main',
  chainId: 1,
  rpcUrls: ['https://rpc.example'],
  contracts: [{ address: address(1), kind: 'operator' }],
  ...extra,
})
const load = (events: Record<string, unknown>) => loadConfig({ env: {}, defaults: { events } })
const issues = (events: Record<string, unknown>): Record<string, string> => {
  try {
    load(events)
  } catch (err) {
    assert.ok(err instanceof ConfigError)
    return Object.fromEntries(err.issues.map((i) => [i.path, i.message]))
  }
  assert.fail('expected a ConfigError')
}

describe('events settings', () => {
  test('defaults: the issue’s topic, no chains, 3 confirmations', () => {
    const { events } = loadConfig({ env: {} })
    assert.equal(events.topic, 'bifrost.oracle.events')
    assert.deepEqual(events.chains, [])
    const [parsed] = load({ chains: [chain()] }).events.chains
    assert.equal(parsed.fromBlock, 0)
    assert.deepEqual(finalityOf(parsed), { confirmations: 3 })
    assert.deepEqual(finalityOf(load({ chains: [chain({ finality: 'finalized' })] }).events.chains[0]), {
      tag: 'finalized',
    })
  })

  test('every bad contract or endpoint is named by its path', () => {
    const broken = issues({
      chains: [chain({ contracts: [{ address: address(3), kind: 'custom', abi: ['event Broken(uint a'] }] })],
    })
    assert.match(broken['events.chains.0.contracts.0.abi.0'], /not a human-readable event fragment/)
    assert.deepEqual(
      issues({
        chains: [
          chain({
            contracts: [
              { address: address(1), kind: 'operator', abi: ['event X(uint256 a)'] },
              { address: address(2), kind: 'custom' },
              { address: address(3), kind: 'custom', abi: ['event Ok(uint256 a)', 'event Broken(uint a'] },
              { address: '0x1234', kind: 'client' },
              { address: address(4), kind: 'oracle' },
            ],
          }),
          chain({ name: 'second', chainId: 2, rpcUrls: ['ws://node:8546'] }),
        ],
      }),
      {
        'events.chains.0.contracts.0.abi': 'only for kind custom: the operator events are built in',
        'events.chains.0.contracts.1.abi':
          'required for kind custom: the event fragments, e.g. ["event Foo(uint256 indexed a, bytes b)"]',
        'events.chains.0.contracts.2.abi.1': broken['events.chains.0.contracts.0.abi.0'],
        'events.chains.0.contracts.3.address': 'expected a 0x-prefixed 20-byte hex address',
        'events.chains.0.contracts.4.kind': `Invalid option: expected one of ${KINDS.map((k) => `"${k}"`).join('|')}`,
        'events.chains.1.rpcUrls.0': 'expected an http(s) URL',
      },
    )
  })

  test('a chain counts confirmations or follows a finality tag, and keeps a reorg window above them', () => {
    assert.deepEqual(issues({ chains: [chain({ confirmations: 2, finality: 'safe' })] }), {
      'events.chains.0.finality': 'set either confirmations or finality, not both',
    })
    assert.deepEqual(issues({ chains: [chain({ confirmations: 200 })] }), {
      'events.chains.0.maxReorgDepth': 'must exceed confirmations (200)',
    })
  })

  test('chain names and ids are unique: they key checkpoints and messages', () => {
    assert.deepEqual(issues({ chains: [chain(), chain({ rpcUrls: ['http://other:8545'] })] }), {
      'events.chains.1.name': 'duplicate of chains.0.name',
      'events.chains.1.chainId': 'duplicate of chains.0.chainId',
    })
  })

  test('chains can come from the environment, as JSON', () => {
    const config = loadConfig({
      env: { EVENTS_CHAINS: JSON.stringify([chain({ confirmations: 12 })]), EVENTS_TOPIC: 'oracle' },
    })
    assert.equal(config.events.topic, 'oracle')
    assert.equal(config.events.chains[0].confirmations, 12)
    assert.throws(
      () => loadConfig({ env: { EVENTS_CHAINS: JSON.stringify([chain({ chainId: -1 })]) } }),
      /events\.chains\.0\.chainId: .* \(from EVENTS_CHAINS\)/,
    )
  })
})
