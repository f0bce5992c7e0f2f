import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, test } from 'node:test'
import type { RawLog } from '../../src/chain/get-logs'
import { eventId } from '../../src/outbound/ledger'
import { ANSWER_UPDATED, startEventChain, type EventChain } from '../support/event-chain'
import { startKafka, type KafkaFixture } from '../support/kafka'
import { createOutboundTopics, duplicates, eventsOf, messageCount } from '../support/outbound'
import { killed, publisherProcess } from '../support/publisher-process'
import { readTopics } from '../support/topic-reader'

const KILLS = 5
const CONFIRMATIONS = 2

let kafka: KafkaFixture
let chain: EventChain
before(async () => {
  kafka = await startKafka()
  chain = await startEventChain({ chainId: 7001 })
})
after(async () => {
  await chain.stop()
  await kafka.stop()
})

test(`kill -9 at random moments, ${KILLS} times: the confirmed stream has no gap and no duplicate`, async (t) => {
  const topics = await createOutboundTopics(kafka)
  const dir = mkdtempSync(join(tmpdir(), 'bifrost-crash-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const configFile = join(dir, 'bifrost.json')
  writeFileSync(
    configFile,
    JSON.stringify({
      events: {
        ...topics,
        checkpointIntervalMs: 0,
        leaderSessionTimeoutMs: 1500,
        chains: [
          {
            name: 'crash',
            chainId: chain.chainId,
            rpcUrls: [chain.rpcUrl],
            confirmations: CONFIRMATIONS,
            pollIntervalMs: 20,
            contracts: [{ address: chain.emitter, kind: 'aggregator' }],
          },
        ],
      },
    }),
  )
  const env = { BIFROST_CONFIG: configFile, KAFKA_BROKERS: kafka.brokers.join(',') }

  // The chain keeps producing events the whole time: 20 per block, a block every ~30 ms.
  let driving = true
  let round = 0
  const driver = (async () => {
    while (driving) {
      await chain.emit(20, { start: round++ * 20 })
      await sleep(30)
    }
  })()

  const schedule: number[] = []
  const counts: number[] = []
  try {
    for (let kill = 0; kill < KILLS; kill++) {
      const child = publisherProcess(env)
      // Anywhere from mid-start-up to well into publishing (a takeover waits ~2 s for the dead session).
      const lifetime = 200 + Math.floor(Math.random() * 3500)
      schedule.push(lifetime)
      await sleep(lifetime)
      await killed(child)
      counts.push(await messageCount(kafka.brokers, topics.topic))
    }
  } finally {
    driving = false
    await driver
  }
  await chain.mine(CONFIRMATIONS)
  const last = (await chain.blockNumber()) - CONFIRMATIONS
  const logs = await chain.rpc.request<RawLog[]>('eth_getLogs', [
    { fromBlock: '0x0', toBlock: `0x${last.toString(16)}`, address: chain.emitter, topics: [ANSWER_UPDATED] },
  ])
  const expected = new Set(logs.map((l) => eventId(l.blockHash, Number.parseInt(l.logIndex, 16))))

  const survivor = publisherProcess(env)
  const reader = await readTopics(kafka.brokers, [topics.topic])
  try {
    await reader.until(
      (r) => eventsOf(r, topics.topic).length >= expected.size,
      `all ${expected.size} events (kills after ${schedule.join(', ')} ms; messages then: ${counts.join(', ')})`,
      60_000,
    )
  } finally {
    await killed(survivor)
    await reader.stop()
  }
  const published = eventsOf(reader.records, topics.topic)
  assert.deepEqual(duplicates(published), [], 'duplicates')
  assert.deepEqual(
    [...expected].filter((id) => !published.some((e) => e.id === id)),
    [],
    'gaps',
  )
  assert.equal(published.length, expected.size)
  assert.ok(
    counts.some((c, i) => c > (counts[i - 1] ?? 0)),
    `no kill interrupted publishing: ${counts.join(', ')}`,
  )
})
