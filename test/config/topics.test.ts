import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadConfig } from '../../src/config/load'
import { topicPlans } from '../../src/config/topics'
import { repoRoot } from '../../src/dev/paths'
import { uncontactedChain } from '../support/bifrost'

const everyPart = () =>
  loadConfig({
    env: {},
    defaults: {
      events: {
        chains: [
          {
            ...uncontactedChain,
            contracts: [...uncontactedChain.contracts, { address: `0x${'2'.repeat(40)}`, kind: 'ccip-offramp' }],
          },
        ],
      },
    },
  })

test('parts that are off use no topics: requests disabled, no chain', () => {
  const settings = (env: Record<string, string>) => topicPlans(loadConfig({ env })).map((p) => p.setting)
  assert.deepEqual(settings({}), [
    'feeds.topics.0',
    'feeds.deadLetterTopic',
    'requests.topic',
    'requests.replyTopic',
    'requests.deadLetterTopic',
    'requests.pendingTopic',
  ])
  assert.deepEqual(settings({ REQUESTS_ENABLED: 'false' }), ['feeds.topics.0', 'feeds.deadLetterTopic'])
  assert.equal(topicPlans(everyPart()).length, 10)
  const withoutCcip = loadConfig({ env: {}, defaults: { events: { chains: [uncontactedChain] } } })
  assert.ok(
    !topicPlans(withoutCcip).some((p) => p.setting === 'events.ccip.stateTopic'),
    'no CCIP ramp, no state topic',
  )
})

test('only the missing shared topics of the request part say how to turn it off', () => {
  const plans = topicPlans(everyPart())
  assert.deepEqual(
    plans.filter((p) => p.otherwise?.includes('requests.enabled: false')).map((p) => p.setting),
    ['requests.topic', 'requests.replyTopic'],
  )
  assert.ok(plans.filter((p) => p.internal).every((p) => p.otherwise === undefined))
})

test('the README topic table lists every topic with its setting, owner, partitions and settings', () => {
  const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8')
  for (const plan of topicPlans(everyPart())) {
    const setting = plan.setting.replace(/\.\d+$/, '')
    const configs = Object.entries(plan.configs).map(([k, v]) => `\`${k}=${v}\``)
    const row = `| \`${plan.topic}\` | \`${setting}\` | ${plan.internal ? 'internal' : 'shared'} | ${
      plan.partitions
    } | ${configs.join(', ')}`
    assert.ok(readme.includes(row), `README.md has no topic row starting with: ${row}`)
  }
})
