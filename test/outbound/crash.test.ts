import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, test } from 'node:test'
import type { RawLog } from '../../src/chain/get-logs'
import { eventId } from '../../src/outbound/ledger'
import { ANSWER_UPDATED, startEventChain, type EventChain } from '../support/event-chain'
import { startKafka, type KafkaFixture } from '../support/kafka'
import { killDrill } from '../support/kill-drill'
import { createOutboundTopics } from '../support/outbound'

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
    })
  )
  const env = { BIFROST_CONFIG: configFile, KAFKA_BROKERS: kafka.brokers.join(',') }
  let round = 0

  await killDrill({
    brokers: kafka.brokers,
    topic: topics.topic,
    env,
    kills: KILLS,
    // The chain keeps producing events the whole time: 20 per block, a block every ~30 ms.
    drive: async () => {
      await chain.emit(20, { start: round++ * 20 })
      await sleep(30)
    },
    expected: async () => {
      await chain.mine(CONFIRMATIONS)
      const last = (await chain.blockNumber()) - CONFIRMATIONS
      const logs = await chain.rpc.request<RawLog[]>('eth_getLogs', [
        { fromBlock: '0x0', toBlock: `0x${last.toString(16)}`, address: chain.emitter, topics: [ANSWER_UPDATED] },
      ])
      return new Set(logs.map((l) => eventId(l.blockHash, Number.parseInt(l.logIndex, 16))))
    },
  })
})
