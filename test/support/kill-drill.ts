import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { eventually } from './eventually'
import { eventsOf, messageCount, type PublishedEvent } from './outbound'
import { assertExactlyOnce, killed, publisherProcess } from './publisher-process'
import { readTopics } from './topic-reader'

export interface KillDrillOptions {
  brokers: string[]
  /** The events topic */
  topic: string
  /** The publisher process's environment (BIFROST_CONFIG, KAFKA_BROKERS) */
  env: NodeJS.ProcessEnv
  kills: number
  /** One step of chain traffic; repeated while the publisher is started and killed */
  drive(): Promise<void>
  /** Once the traffic has stopped: the ids (eventId) of every event that must be published */
  expected(): Promise<Set<string>>
  timeoutMs?: number
}

/**
 * kill -9 at random moments: while `drive` keeps the chain busy, the publisher
 * runs in a child process killed `kills` times, anywhere from mid-start-up to
 * well into publishing (the last kill always once publishing resumed); then a
 * survivor publishes the rest. Asserts the confirmed stream has every expected
 * event exactly once, and that some kill did interrupt publishing.
 */
export const killDrill = async (options: KillDrillOptions): Promise<PublishedEvent[]> => {
  let driving = true
  const driver = (async () => {
    while (driving) await options.drive()
  })()
  const schedule: number[] = []
  const counts: number[] = []
  try {
    for (let kill = 0; kill < options.kills; kill++) {
      const child = publisherProcess(options.env)
      const started = Date.now()
      if (kill < options.kills - 1) {
        // Anywhere from mid-start-up to well into publishing (a takeover waits ~2 s for the dead session)
        await sleep(200 + Math.floor(Math.random() * 3500))
      } else {
        // The last kill lands mid-publishing, whatever the timing: on a real broker a takeover (a group join once the
        // dead member's session expired) may outlast every random lifetime on a loaded machine.
        const before = counts.at(-1) ?? 0
        await eventually(
          'publishing to resume',
          async () => (await messageCount(options.brokers, options.topic)) > before,
          { timeoutMs: 60_000, intervalMs: 50 },
        )
        await sleep(Math.floor(Math.random() * 1000))
      }
      schedule.push(Date.now() - started)
      await killed(child)
      counts.push(await messageCount(options.brokers, options.topic))
    }
  } finally {
    driving = false
    await driver
  }
  const expected = await options.expected()
  const survivor = publisherProcess(options.env)
  const reader = await readTopics(options.brokers, [options.topic])
  try {
    await reader.until(
      (r) => eventsOf(r, options.topic).length >= expected.size,
      `all ${expected.size} events (kills after ${schedule.join(', ')} ms; messages then: ${counts.join(', ')})`,
      options.timeoutMs ?? 60_000,
    )
  } finally {
    await killed(survivor)
    await reader.stop()
  }
  const published = eventsOf(reader.records, options.topic)
  assertExactlyOnce(published, expected)
  assert.ok(
    counts.some((c, i) => c > (counts[i - 1] ?? 0)),
    `no kill interrupted publishing: ${counts.join(', ')}`,
  )
  return published
}
