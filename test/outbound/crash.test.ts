import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { before, test } from 'node:test'
import { startEventChain, type EventChain } from '../support/event-chain'
import { eventually } from '../support/eventually'
import { kafkaSuite } from '../support/kafka-suite'
import { createOutboundTopics, eventsOf, messageCount } from '../support/outbound'
import {
  assertExactlyOnce,
  confirmedEventIds,
  driveChain,
  killed,
  publisherEnvironment,
  publisherProcess,
} from '../support/publisher-process'
import { readTopics } from '../support/topic-reader'

const KILLS = 5
const CONFIRMATIONS = 2

const { kafka, cleanups } = kafkaSuite()
let chain: EventChain
before(async () => {
  chain = cleanups.track(await startEventChain({ chainId: 7001 }))
})

test(`kill -9 at random moments, ${KILLS} times: the confirmed stream has no gap and no duplicate`, async (t) => {
  const topics = await createOutboundTopics(kafka)
  const dir = mkdtempSync(join(tmpdir(), 'bifrost-crash-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const env = publisherEnvironment(dir, kafka.brokers, topics, chain, {
    name: 'crash',
    confirmations: CONFIRMATIONS,
    leaderSessionTimeoutMs: 1500,
  })
  const driver = driveChain(chain)

  const schedule: number[] = []
  const counts: number[] = []
  try {
    for (let kill = 0; kill < KILLS; kill++) {
      const child = publisherProcess(env)
      const born = performance.now()
      if (kill === KILLS - 1) {
        // The last kill lands mid-publishing, whatever the timing: on a real broker a takeover (a group join
        // once the dead member's session expired) may outlast every random lifetime on a loaded machine.
        const before = counts.at(-1) ?? 0
        await eventually(
          'publishing to resume',
          async () => (await messageCount(kafka.brokers, topics.topic)) > before,
          {
            timeoutMs: 60_000,
            intervalMs: 50,
          },
        )
        await sleep(Math.floor(Math.random() * 1000))
      } else {
        // Anywhere from mid-start-up to well into publishing (a takeover waits ~2 s for the dead session).
        await sleep(200 + Math.floor(Math.random() * 3500))
      }
      schedule.push(Math.round(performance.now() - born))
      await killed(child)
      counts.push(await messageCount(kafka.brokers, topics.topic))
    }
  } finally {
    await driver.stop()
  }
  const expected = await confirmedEventIds(chain, CONFIRMATIONS)

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
  assertExactlyOnce(eventsOf(reader.records, topics.topic), expected)
  assert.ok(
    counts.some((c, i) => c > (counts[i - 1] ?? 0)),
    `no kill interrupted publishing: ${counts.join(', ')}`,
  )
})
