import { loadConfig } from '../../src/config/load'
import { createKafka } from '../../src/kafka/client'
import { startEventPublisher } from '../../src/outbound/publisher'
import { useDefaultLogger } from './logger'

/*
 * The chain -> Kafka publisher alone in a process, configured like Bifrost
 * (BIFROST_CONFIG, KAFKA_BROKERS, ...): what the crash test kill -9s. It prints
 * "publishing" once started, then "role <role>" whenever the chain's role in its election changes, and runs until
 * killed.
 */
useDefaultLogger()
const config = loadConfig()
startEventPublisher({
  kafka: createKafka(config.kafka),
  settings: config.events,
  groupIdPrefix: config.kafka.clientId,
}).then(
  (publisher) => {
    console.log('publishing')
    let reported: string | undefined
    setInterval(() => {
      const role = publisher
        .status()
        .map((chain) => chain.role)
        .join(',')
      if (role !== reported) console.log(`role ${(reported = role)}`)
    }, 20)
  },
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
