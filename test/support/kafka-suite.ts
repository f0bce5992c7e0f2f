import { after, before } from 'node:test'
import { createCleanups } from './cleanups'
import { startKafka, type KafkaFixture } from './kafka'

/**
 * The broker of the enclosing describe (or file): started in a before hook, stopped in an after hook once everything
 * tracked in `cleanups` has stopped (chains, publishers, readers). `kafka` may be used in tests and hooks, not while
 * the suite is being declared.
 */
export const kafkaSuite = (): { kafka: KafkaFixture; cleanups: ReturnType<typeof createCleanups> } => {
  let started: KafkaFixture | undefined
  const cleanups = createCleanups()
  before(async () => {
    started = await startKafka()
  })
  after(async () => {
    await cleanups.run()
    await started?.stop()
  })
  const broker = (): KafkaFixture => {
    if (!started) throw new Error('the suite broker is used before its before hook ran')
    return started
  }
  return {
    kafka: {
      get brokers() {
        return broker().brokers
      },
      get refuseWrites() {
        return broker().refuseWrites
      },
      createTopics: (topics) => broker().createTopics(topics),
      uniqueTopic: (prefix) => broker().uniqueTopic(prefix),
      stop: () => broker().stop(),
    },
    cleanups,
  }
}
