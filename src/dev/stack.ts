import { startBifrost } from '../bifrost'
import { loadConfig } from '../config/load'
import { createKafka } from '../kafka/client'
import { startDemoChain, type DemoChain } from './demo-chain'
import { startDemoFeed } from './demo-feed'
import { startDemoResponder } from './responder'
import { startTestBroker, type TopicSpec } from './test-broker'

export interface DevStack {
  /** What to print for a newcomer: where things are and a curl line to paste */
  banner: string
  stop(): Promise<void>
}

/**
 * `npm start`: everything on embedded defaults. A real broker named in
 * KAFKA_BROKERS is used as is; otherwise the test broker is started for you.
 */
export const startDevStack = async (options: { file?: string } = {}): Promise<DevStack> => {
  const stops: Array<() => Promise<void>> = []
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined)
  }
  try {
    // The chain half runs wherever anvil does (linux x64); elsewhere the stack starts without it.
    let chain: DemoChain | undefined
    let chainSkipped: string | undefined
    try {
      chain = await startDemoChain()
      stops.push(chain.stop)
    } catch (err) {
      chainSkipped = (err as Error).message
    }
    // A real broker keeps checkpoints between runs, but every run's anvil is a new chain: give each run its own chain name.
    const realBroker = Boolean(process.env['KAFKA_BROKERS'])
    const chainConfig = chain && { ...chain.chainConfig, name: realBroker ? `anvil-${Date.now().toString(36)}` : 'anvil' }
    const config = loadConfig({
      file: options.file,
      defaults: chainConfig ? { events: { chains: [chainConfig] } } : undefined,
    })
    if (!realBroker) {
      const topics: TopicSpec[] = [
        ...config.feeds.topics.map((topic) => ({ topic, partitions: 3, compacted: true })),
        { topic: config.feeds.deadLetterTopic },
        { topic: config.requests.topic, partitions: 3 },
        { topic: config.requests.replyTopic, partitions: 3 },
        { topic: config.requests.deadLetterTopic },
        { topic: config.requests.pendingTopic, partitions: 3, compacted: true },
      ]
      if (config.events.chains.length) {
        topics.push(
          { topic: config.events.topic, partitions: 3 },
          { topic: config.events.checkpointTopic, compacted: true },
          { topic: config.events.deadLetterTopic },
        )
      }
      const broker = await startTestBroker({ topics })
      stops.push(broker.stop)
      config.kafka.brokers = broker.brokers
    }
    const bifrost = await startBifrost(config)
    stops.push(bifrost.stop)
    const demo = await startDemoFeed(createKafka(config.kafka), config.feeds.topics[0])
    stops.push(demo.stop)
    const responder = await startDemoResponder(createKafka(config.kafka), config.requests)
    stops.push(responder.stop)
    const actors = await chain?.startActors({ bridgeUrl: bifrost.adapterUrl, feed: 'ETH/USD', price: demo.latest })
    if (actors) stops.push(actors.stop)
    const body = JSON.stringify({ id: '1', data: { feed: 'ETH/USD' } })
    const question = JSON.stringify({
      id: 'run-1',
      data: { endpoint: 'request', type: 'shipment-status', params: { shipment: '4711' } },
    })
    const banner = [
      '',
      'Bifrost dev stack is up.',
      `  Kafka brokers:    ${config.kafka.brokers.join(',')}`,
      `  External Adapter: ${bifrost.adapterUrl}`,
      bifrost.metricsUrl ? `  Metrics:          ${bifrost.metricsUrl}` : '',
      '',
      'Ask for the demo feed (a median of three sources that came through Kafka):',
      `  curl -s -X POST ${bifrost.adapterUrl} -H 'content-type: application/json' -d '${body}'`,
      '',
      `Ask an enterprise system over Kafka (a demo one answers shipment-status on ${config.requests.topic}):`,
      `  curl -s -X POST ${bifrost.adapterUrl} -H 'content-type: application/json' -d '${question}'`,
      '',
      ...(chain
        ? [
            `Chain -> Kafka: anvil at ${chain.anvil.rpcUrl} (chain id 31337, a block a second) runs the real Chainlink Operator.`,
            `  Every 5 s a demo consumer (${chain.deployment.addresses.consumer}) asks for ETH/USD, dataVersion 1 and 2 in turn;`,
            '  a stand-in Chainlink node calls the adapter above and fulfils, and Bifrost publishes the confirmed events.',
            `  CRE: every 5 s a stand-in DON signs a report of the demo feed's ETH/USD and a KeystoneForwarder`,
            `  (${chain.cre.addresses.forwarder}) delivers it to a DataFeedsCache (${chain.cre.addresses.cache}).`,
            `Watch them arrive in Kafka (${config.events.topic}):`,
            `  KAFKA_BROKERS=${config.kafka.brokers.join(',')} node_modules/.bin/node dist/src/cli/main.js events --follow`,
          ]
        : [`Chain -> Kafka demo skipped: ${chainSkipped}`]),
      '',
      'Ctrl-C stops everything.',
    ]
      .filter((line, i, all) => line !== '' || all[i - 1] !== '')
      .join('\n')
    return { banner, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
