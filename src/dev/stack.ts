import { startBifrost } from '../bifrost'
import { loadConfig } from '../config/load'
import { createKafka } from '../kafka/client'
import { startDemoFeed } from './demo-feed'
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
    const config = loadConfig({ file: options.file })
    if (!process.env['KAFKA_BROKERS']) {
      const topics: TopicSpec[] = [
        ...config.feeds.topics.map((topic) => ({ topic, partitions: 3, compacted: true })),
        { topic: config.feeds.deadLetterTopic },
      ]
      const broker = await startTestBroker({ topics })
      stops.push(broker.stop)
      config.kafka.brokers = broker.brokers
    }
    const bifrost = await startBifrost(config)
    stops.push(bifrost.stop)
    const demo = await startDemoFeed(createKafka(config.kafka), config.feeds.topics[0])
    stops.push(demo.stop)
    const body = JSON.stringify({ id: '1', data: { feed: 'ETH/USD' } })
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
