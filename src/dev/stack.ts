import { logLevel } from 'kafkajs'
import { startBifrost } from '../bifrost'
import { loadConfig } from '../config/load'
import { topicPlans } from '../config/topics'
import { createKafka } from '../kafka/client'
import { createStopList } from '../lifecycle'
import { ensureTopics } from '../kafka/topics'
import { startDemoChain, type DemoChain } from './demo-chain'
import { startDemoFeed } from './demo-feed'
import { startDemoRequests } from './demo-requests'
import { startDemoResponder } from './responder'
import { startTestBroker, type TopicSpec } from './test-broker'

export interface DevStack {
  /** What to print for a newcomer: where things are and a curl line to paste */
  banner: string
  /** The status page; undefined when http.enabled is false */
  statusUrl?: string
  /** Port of the gRPC streaming bridge, when it runs */
  streamsPort?: number
  brokers: string[]
  stop(): Promise<void>
}

/**
 * `npm start`: everything on embedded defaults. A real broker named in
 * KAFKA_BROKERS is used, its missing topics created; otherwise the test broker is started for you.
 */
export const startDevStack = async (
  options: {
    file?: string
    /** Told the status page's address before anything slow starts */
    announce?(line: string): void
    /** Aborted by SIGINT/SIGTERM: start-up gives up */
    signal?: AbortSignal
  } = {},
): Promise<DevStack> => {
  const stops = createStopList()
  // What a dev stack fails to stop dies with the process that ran it (Ctrl-C): nothing to report.
  const stop = () => stops.stopAll().catch(() => undefined)
  try {
    const { http } = loadConfig({ file: options.file })
    if (http.enabled) {
      const host = http.host === '0.0.0.0' || http.host === '::' ? '127.0.0.1' : http.host
      options.announce?.(
        `Bifrost dev stack starting. Status page: http://${host}:${http.port === 0 ? '<any free port>' : http.port}/ (ready in a few seconds)`,
      )
    }
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
    const chainConfig = chain && {
      ...chain.chainConfig,
      name: realBroker ? `anvil-${Date.now().toString(36)}` : 'anvil',
    }
    const config = loadConfig({
      file: options.file,
      // A person watches `bifrost dev`: readable log lines unless log.format / LOG_FORMAT says otherwise.
      // The test broker has the transaction APIs but no isolation: transactions only on a real broker.
      defaults: {
        log: { format: 'pretty' },
        events: { transactions: realBroker ? 'on' : 'off', ...(chainConfig ? { chains: [chainConfig] } : {}) },
      },
    })
    const plans = topicPlans(config)
    if (realBroker) {
      // A fresh cluster (e.g. `bifrost broker --apache`) has none of them: what `bifrost topics --create` does; existing
      // topics are left as they are. The framework logger kafkajs logs into does not exist yet; failures still throw.
      await ensureTopics(config.kafka, plans, { create: 'all', overrides: { logLevel: logLevel.NOTHING } })
    } else {
      // The test broker has no CreateTopics: it makes them itself (and ignores compaction, having no log cleaner).
      const topics: TopicSpec[] = plans.map((p) => ({ topic: p.topic, partitions: p.partitions }))
      const broker = await startTestBroker({ topics })
      stops.push(broker.stop)
      config.kafka.brokers = broker.brokers
    }
    options.signal?.throwIfAborted()
    const bifrost = await startBifrost(config, { signal: options.signal })
    stops.push(bifrost.stop)
    const demo = await startDemoFeed(createKafka(config.kafka), config.feeds.topics[0])
    stops.push(demo.stop)
    const responder = await startDemoResponder(createKafka(config.kafka), config.requests)
    stops.push(responder.stop)
    const requester = startDemoRequests(bifrost.adapterUrl)
    stops.push(requester.stop)
    const actors = await chain?.startActors({ bridgeUrl: bifrost.adapterUrl, feed: 'ETH/USD', price: demo.latest })
    if (actors) stops.push(actors.stop)
    // Bodies as a current node's bridge task sends them: requestData and meta, no id
    const body = JSON.stringify({ data: { feed: 'ETH/USD' }, meta: {} })
    const question = JSON.stringify({
      data: { endpoint: 'request', type: 'shipment-status', params: { shipment: '4711' } },
      meta: {},
    })
    const banner = [
      '',
      ...(bifrost.statusUrl
        ? [`Status page: ${bifrost.statusUrl}  (open it: feeds, chains and requests, live)`, '']
        : []),
      'Bifrost dev stack is up.',
      `  Kafka brokers:    ${config.kafka.brokers.join(',')}`,
      `  External Adapter: ${bifrost.adapterUrl}`,
      bifrost.metricsUrl ? `  Metrics:          ${bifrost.metricsUrl}` : '',
      `  Status:           ${bifrost.adapterUrl}/status`,
      bifrost.streamsPort !== undefined
        ? `  Streaming bridge: gRPC on port ${bifrost.streamsPort} (bridge name "${config.streams.bridgeName}", see docs/streams.md)`
        : '',
      '',
      'Ask for the demo feed (a median of three sources that came through Kafka):',
      `  curl -s -X POST ${bifrost.adapterUrl} -H 'content-type: application/json' -d '${body}'`,
      '',
      `Ask an enterprise system over Kafka (a demo one answers shipment-status on ${config.requests.topic}):`,
      `  curl -s -X POST ${bifrost.adapterUrl} -H 'content-type: application/json' -d '${question}'`,
      '',
      ...(chain
        ? [
            `Chain -> Kafka: anvil at ${chain.anvil.rpcUrl} (chain id 31337, a block a second) with a demo aggregator.`,
            '  Every 5 s a stand-in Chainlink node runs a cron job (the one `bifrost jobspec --type cron` prints): it asks the',
            `  adapter above for ETH/USD (no id, meta present) and calls updateAnswer on ${chain.deployment.addresses.aggregator};`,
            '  Bifrost publishes the confirmed AnswerUpdated events.',
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
    return {
      banner,
      statusUrl: bifrost.statusUrl,
      streamsPort: bifrost.streamsPort,
      brokers: config.kafka.brokers,
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}
