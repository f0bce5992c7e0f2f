import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { RawLog } from '../../src/chain/get-logs'
import { eventId } from '../../src/outbound/ledger'
import { ANSWER_UPDATED, type EventChain } from './event-chain'
import { eventTransactions } from './kafka'
import { duplicates, type OutboundTopics, type PublishedEvent } from './outbound'

const roles = new WeakMap<ChildProcess, string>()

/** The chain's role in a publisher process's leader election as it last reported it ('leader', 'standby', …) */
export const roleOf = (child: ChildProcess): string | undefined => roles.get(child)

/** The chain -> Kafka publisher alone in a process (event-publisher-process), compiled or through the same tsx loader */
export const publisherProcess = (env: NodeJS.ProcessEnv): ChildProcess => {
  const entry = join(__dirname, `event-publisher-process${extname(__filename)}`)
  const child = spawn(process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--test')), entry], {
    env: { ...process.env, LOG_LEVEL: 'fatal', ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  let pending = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) if (line.startsWith('role ')) roles.set(child, line.slice('role '.length))
  })
  return child
}

/** SIGKILLs the process (a paused one too) and resolves once it is gone */
export const killed = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })

/**
 * A config file (in `dir`) for publisher processes with these `events` settings, a checkpoint after every step and
 * the broker's transactions; returns the environment that points them at it.
 */
export const publisherConfigEnvironment = (
  dir: string,
  brokers: string[],
  events: Record<string, unknown>,
): NodeJS.ProcessEnv => {
  const configFile = join(dir, 'bifrost.json')
  writeFileSync(
    configFile,
    JSON.stringify({ events: { checkpointIntervalMs: 0, transactions: eventTransactions(), ...events } }),
  )
  return { BIFROST_CONFIG: configFile, KAFKA_BROKERS: brokers.join(',') }
}

/**
 * A config file (in `dir`) for publisher processes watching the test emitter of `chain` as an aggregator, with quick
 * polls, a checkpoint after every step and a short leader session; returns the environment that points them at it.
 */
export const publisherEnvironment = (
  dir: string,
  brokers: string[],
  topics: OutboundTopics,
  chain: EventChain,
  options: { name: string; confirmations: number; leaderSessionTimeoutMs: number },
): NodeJS.ProcessEnv => {
  const { name, confirmations, leaderSessionTimeoutMs } = options
  return publisherConfigEnvironment(dir, brokers, {
    ...topics,
    leaderSessionTimeoutMs,
    chains: [
      {
        name,
        chainId: chain.chainId,
        rpcUrls: [chain.rpcUrl],
        confirmations,
        pollIntervalMs: 20,
        contracts: [{ address: chain.emitter, kind: 'aggregator' }],
      },
    ],
  })
}

/** Keeps the chain producing events, 20 per block, a block every ~30 ms, until the returned stop() */
export const driveChain = (chain: EventChain): { stop(): Promise<void> } => {
  let driving = true
  let round = 0
  const driver = (async () => {
    while (driving) {
      await chain.emit(20, { start: round++ * 20 })
      await sleep(30)
    }
  })()
  return {
    stop: async () => {
      driving = false
      await driver
    },
  }
}

/** Ids of every emitter event `confirmations` deep after mining that many blocks: what must be published, once */
export const confirmedEventIds = async (chain: EventChain, confirmations: number): Promise<Set<string>> => {
  await chain.mine(confirmations)
  const last = (await chain.blockNumber()) - confirmations
  const logs = await chain.rpc.request<RawLog[]>('eth_getLogs', [
    { fromBlock: '0x0', toBlock: `0x${last.toString(16)}`, address: chain.emitter, topics: [ANSWER_UPDATED] },
  ])
  return new Set(logs.map((l) => eventId(l.blockHash, Number.parseInt(l.logIndex, 16))))
}

/** Every expected event exactly once among the confirmed events read */
export const assertExactlyOnce = (published: PublishedEvent[], expected: Set<string>): void => {
  assert.deepEqual(duplicates(published), [], 'duplicates')
  assert.deepEqual(
    [...expected].filter((id) => !published.some((e) => e.id === id)),
    [],
    'gaps',
  )
  assert.equal(published.length, expected.size)
}
