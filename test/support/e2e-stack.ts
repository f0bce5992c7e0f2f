import { Kafka, logLevel } from 'kafkajs'
import { startBifrost, type Bifrost } from '../../src/bifrost'
import { loadConfig } from '../../src/config/load'
import type { ChainlinkDeployment } from '../../src/dev/contracts'
import type { WatchedContract } from '../../src/outbound/decode'
import { freshTopicsEnv } from './bifrost'
import { CHAIN_ID, startChainlinkChain, type ChainlinkChain } from './chainlink'
import { eventTransactions, startKafka, type KafkaFixture } from './kafka'

/** The ETH/USD record the stack starts with, and what a job writes on chain for it (× 10^8) */
export const E2E_PRICE = '3012.45'
export const E2E_ANSWER = 301_245_000_000n
export const E2E_CONFIRMATIONS = 2

/** Everything real: a broker, anvil with the Chainlink contracts, and Bifrost watching some of them. */
export interface E2eStack {
  kafka: KafkaFixture
  chain: ChainlinkChain
  bifrost: Bifrost
  eventsTopic: string
  stop(): Promise<void>
}

/**
 * Starts the stack both end-to-end tests share: ETH/USD at E2E_PRICE on a
 * fresh feeds topic, a fresh events topic of 3 partitions, and Bifrost
 * publishing the `watched` contracts of the chain with E2E_CONFIRMATIONS.
 */
export const startE2eStack = async (
  name: string,
  watched: (deployment: ChainlinkDeployment) => WatchedContract[],
): Promise<E2eStack> => {
  const kafka = await startKafka()
  const chain = await startChainlinkChain()
  let bifrost: Bifrost | undefined
  const stop = async () => {
    await bifrost?.stop()
    await chain.stop()
    await kafka.stop()
  }
  try {
    const eventsTopic = kafka.uniqueTopic(`${name}-events`)
    await kafka.createTopics([{ topic: eventsTopic, partitions: 3 }])
    const env = await freshTopicsEnv(kafka, {
      EVENTS_TOPIC: eventsTopic,
      KAFKA_CLIENT_ID: kafka.uniqueTopic('bifrost'),
      EVENTS_TRANSACTIONS: eventTransactions(),
    })
    const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer()
    await producer.connect()
    await producer.send({
      topic: env['FEEDS_TOPICS'],
      messages: [{ key: 'ETH/USD', value: JSON.stringify({ value: E2E_PRICE, source: 'e2e' }) }],
    })
    await producer.disconnect()
    const chainConfig = {
      name,
      chainId: CHAIN_ID,
      rpcUrls: [chain.anvil.rpcUrl],
      confirmations: E2E_CONFIRMATIONS,
      fromBlock: await chain.provider.getBlockNumber(),
      pollIntervalMs: 100,
      contracts: watched(chain.deployment),
    }
    bifrost = await startBifrost(loadConfig({ env, defaults: { events: { chains: [chainConfig] } } }))
    return { kafka, chain, bifrost, eventsTopic, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
