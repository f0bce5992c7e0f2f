import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { before, test } from 'node:test'
import { startEventChain, type EventChain } from '../support/event-chain'
import { eventually } from '../support/eventually'
import { apacheKafkaOnly } from '../support/kafka'
import { kafkaSuite } from '../support/kafka-suite'
import { createOutboundTopics, eventsOf, messageCount } from '../support/outbound'
import {
  assertExactlyOnce,
  confirmedEventIds,
  driveChain,
  killed,
  publisherEnvironment,
  publisherProcess,
  roleOf,
} from '../support/publisher-process'
import { readTopics } from '../support/topic-reader'

const CONFIRMATIONS = 2
const SESSION_MS = 2000

const { kafka, cleanups } = kafkaSuite()
let chain: EventChain
before(async () => {
  chain = cleanups.track(await startEventChain({ chainId: 7002 }))
})

test(
  'a publisher paused until a standby took over and published more is fenced when it resumes: every event once',
  { skip: apacheKafkaOnly('transactions need a broker with read_committed isolation and fencing') },
  async (t) => {
    const topics = await createOutboundTopics(kafka)
    const dir = mkdtempSync(join(tmpdir(), 'bifrost-zombie-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const env = {
      ...publisherEnvironment(dir, kafka.brokers, topics, chain, {
        name: 'zombie',
        confirmations: CONFIRMATIONS,
        leaderSessionTimeoutMs: SESSION_MS,
      }),
      EVENTS_TRANSACTIONS: 'on',
    }
    const driver = driveChain(chain)

    const first = publisherProcess(env)
    let second: ChildProcess | undefined
    t.after(() => Promise.all([killed(first), second && killed(second)]))
    let paused: ChildProcess | undefined
    let atPause = 0
    try {
      await eventually(
        'the first publisher publishes',
        async () => (await messageCount(kafka.brokers, topics.topic)) > 0,
        { timeoutMs: 60_000 },
      )
      // Joins as a hot standby: the election keeps the chain with the member that holds it. Should the first lose it
      // in the rebalance all the same (a loaded machine), the second publishes, and it is the one paused.
      second = publisherProcess(env)
      const pair = [first, second]
      const [leader, standby] = await eventually(
        'one publisher leads and the other stands by',
        () => {
          const leading = pair.find((c) => roleOf(c) === 'leader')
          const waiting = pair.find((c) => roleOf(c) === 'standby')
          return leading && waiting ? [leading, waiting] : undefined
        },
        { timeoutMs: 60_000 },
      )
      // Paused while it publishes, with sends and a transaction in flight.
      await sleep(1000)
      paused = leader
      leader.kill('SIGSTOP')
      atPause = await messageCount(kafka.brokers, topics.topic)
      await eventually(
        'the standby took over and published more',
        async () => roleOf(standby) === 'leader' && (await messageCount(kafka.brokers, topics.topic)) > atPause + 100,
        { timeoutMs: 60_000 },
      )
      leader.kill('SIGCONT')
      // Its session expired while it was paused: back, it must find itself deposed, not publish on.
      await eventually('the resumed publisher stands by', () => roleOf(leader) === 'standby', { timeoutMs: 30_000 })
      // Long enough for the zombie to try its held sends and commit, and be refused.
      await sleep(3 * SESSION_MS)
    } finally {
      paused?.kill('SIGCONT')
      await driver.stop()
    }
    const expected = await confirmedEventIds(chain, CONFIRMATIONS)

    // readTopics reads with kafkajs' default isolation, read_committed.
    const reader = await readTopics(kafka.brokers, [topics.topic])
    try {
      await reader.until(
        (r) => eventsOf(r, topics.topic).length >= expected.size,
        `all ${expected.size} events (${atPause} published when the leader was paused)`,
        90_000,
      )
      // Whatever the zombie still had in flight would land now, after the reader reached the end.
      await sleep(2000)
    } finally {
      await reader.stop()
    }
    assertExactlyOnce(eventsOf(reader.records, topics.topic), expected)
  },
)
