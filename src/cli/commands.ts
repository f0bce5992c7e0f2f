import { startBifrost } from '../bifrost'
import { loadConfig, redactConfig } from '../config/load'
import { configReference } from '../config/reference'
import { consumerGroups } from '../kafka/group-ids'
import type { PartDiedError } from '../liveness'

/** `bifrost serve` exit status when a part died (EX_SOFTWARE of sysexits.h): restart me */
export const EXIT_PART_DIED = 70
import { configOption, type Command } from './command'
import { nodeCommands } from './node-commands'
import { onShutdown } from './shutdown'

export type { Command } from './command'

const untilSignal = (): Promise<NodeJS.Signals> => onShutdown(() => undefined).requested

/** Runs a long-lived stack: signal handlers first, so a stop asked for during start-up ends the start. */
const serveUntilSignal = async (
  start: (signal: AbortSignal, onPartDied: (err: PartDiedError) => void) => Promise<{ stop(): Promise<void> }>,
): Promise<number> => {
  const shutdown = onShutdown()
  let died!: (err: PartDiedError) => void
  const dead = new Promise<PartDiedError>((resolve) => (died = resolve))
  let running: { stop(): Promise<void> }
  try {
    running = await start(shutdown.signal, died)
  } catch (err) {
    if (shutdown.signal.aborted) return exitNow(0)
    throw err
  }
  // A dead part cannot heal in this process: stop cleanly and exit non-zero, so the orchestrator restarts it.
  const ending = await Promise.race([shutdown.requested, dead])
  await running.stop()
  if (typeof ending === 'string') return exitNow(0)
  console.error(`bifrost: exiting because ${ending.message}`)
  return exitNow(EXIT_PART_DIED)
}

/**
 * After a stop: what a cut-short start or send still holds (a connection
 * waiting out its timeout) must not keep the process.
 */
const exitNow = (code: number): Promise<number> => new Promise(() => process.stdout.write('', () => process.exit(code)))

export const commands: Record<string, Command> = {
  serve: {
    summary: 'Connect to the configured Kafka (and chains) and serve the External Adapter',
    options: configOption,
    run: (values) =>
      serveUntilSignal((signal, onPartDied) =>
        startBifrost(loadConfig({ file: values['config'] as string | undefined }), { signal, onPartDied }),
      ),
  },
  dev: {
    summary: 'Run the whole bridge locally on embedded defaults: test broker, demo data, adapter',
    options: configOption,
    run: (values) =>
      serveUntilSignal(async (signal) => {
        // Dev tooling (test broker, solc, anvil) is not installed in production images: load it only here.
        const { startDevStack } = await import('../dev/stack')
        const stack = await startDevStack({
          file: values['config'] as string | undefined,
          announce: console.log,
          signal,
        })
        console.log(stack.banner)
        return stack
      }),
  },
  broker: {
    summary:
      'Start a Kafka broker for tests (librdkafka mock cluster, or Apache Kafka with --apache) and print its address',
    options: {
      topic: { type: 'string', description: 'Comma-separated topics to pre-create, each name[:partitions]' },
      port: { type: 'string', description: 'Fixed bootstrap port of the mock (default: any free port)' },
      apache: {
        type: 'boolean',
        description: 'Real Apache Kafka in KRaft mode instead of the mock (needs java and mvn; fetched on first use)',
      },
      nodes: { type: 'string', description: 'Number of brokers (default 1); with --apache: replication factor 3 at 3' },
    },
    run: async (values) => {
      const topics = String(values['topic'] ?? '')
        .split(',')
        .filter(Boolean)
        .map((spec) => {
          const [topic, partitions] = spec.split(':')
          return { topic, partitions: partitions ? Number(partitions) : 1 }
        })
      const nodes = values['nodes'] ? Number(values['nodes']) : 1
      if (!Number.isInteger(nodes) || nodes < 1) {
        console.error(`--nodes takes a whole number of brokers, 1 or more (got ${JSON.stringify(values['nodes'])})`)
        return 2
      }
      if (values['apache'] && values['port']) {
        console.error("--port fixes the mock broker's port; Apache Kafka always takes free ports")
        return 2
      }
      const broker = values['apache']
        ? await (await import('../dev/apache-kafka')).startApacheKafka({ topics, nodes })
        : await (
            await import('../dev/test-broker')
          ).startTestBroker({ topics, brokers: nodes, port: values['port'] ? Number(values['port']) : undefined })
      console.log(`KAFKA_BROKERS=${broker.brokers.join(',')}`)
      await untilSignal()
      await broker.stop()
      return 0
    },
  },
  events: {
    summary: 'Print the oracle events Bifrost published to Kafka (chain -> Kafka), from the beginning of the topic',
    options: {
      ...configOption,
      follow: { type: 'boolean', description: 'Keep printing new events until Ctrl-C' },
      json: { type: 'boolean', description: 'Print each message as one JSON line (key, headers, value)' },
      topic: { type: 'string', description: 'Events topic (default: events.topic of the config)' },
    },
    run: async (values) => {
      const { logLevel } = await import('kafkajs')
      const { createKafka } = await import('../kafka/client')
      const { describeEvent, readEvents } = await import('../outbound/event-reader')
      const config = loadConfig({ file: values['config'] as string | undefined })
      const abort = new AbortController()
      void untilSignal().then(() => abort.abort())
      await readEvents({
        // No adapter runs here, so the framework logger kafkajs logs into does not exist; failures still throw.
        kafka: createKafka(config.kafka, { logLevel: logLevel.NOTHING }),
        clientId: config.kafka.clientId,
        topic: (values['topic'] as string | undefined) ?? config.events.topic,
        follow: values['follow'] === true,
        signal: abort.signal,
        onEvent: (record) =>
          console.log(
            values['json']
              ? JSON.stringify({ key: record.key, headers: record.headers, value: record.value })
              : describeEvent(record),
          ),
      })
      return 0
    },
  },
  'events resume': {
    summary: 'Lift the halt of a chain stopped by a reorg deeper than maxReorgDepth (docs/outbound.md)',
    options: {
      ...configOption,
      chain: { type: 'string', description: 'Name of the halted chain (events.chains[].name)' },
      'from-block': {
        type: 'string',
        description: 'Re-read from this block, retracting published events no longer on the chain (default: go on)',
      },
    },
    run: async (values) => {
      const { logLevel } = await import('kafkajs')
      const { createKafka } = await import('../kafka/client')
      const { resumeChain, ResumeRefusedError } = await import('../outbound/resume')
      const config = loadConfig({ file: values['config'] as string | undefined })
      const chain = values['chain'] as string | undefined
      if (!chain) throw new ResumeRefusedError('--chain is required: the name of the halted chain')
      if (!config.events.chains.some((c) => c.name === chain)) {
        const names = config.events.chains.map((c) => c.name).join(', ') || 'none'
        throw new ResumeRefusedError(`chain ${chain} is not in events.chains (configured: ${names})`)
      }
      const from = values['from-block'] as string | undefined
      if (from !== undefined && !/^\d+$/.test(from)) {
        throw new ResumeRefusedError(`--from-block must be a block number, got ${JSON.stringify(from)}`)
      }
      const { previous, written } = await resumeChain({
        kafka: createKafka(config.kafka, { logLevel: logLevel.NOTHING }),
        checkpointTopic: config.events.checkpointTopic,
        topic: config.events.topic,
        chain,
        fromBlock: from === undefined ? undefined : Number(from),
        groupPrefix: consumerGroups.eventsResume(config.kafka.clientId, chain),
      })
      console.log(
        `${chain}: halt lifted (it was: ${previous.halt?.reason}); ` +
          (from === undefined
            ? `publishing goes on after block ${written.tip.number}`
            : `re-reading from block ${from}, retracting published events no longer on the chain`),
      )
      return 0
    },
  },
  topics: {
    summary:
      'Print every topic the configuration uses, with partitions, replication factor and settings; --create makes the missing ones',
    options: {
      ...configOption,
      create: { type: 'boolean', description: 'Create the missing topics (user-facing ones too) with these settings' },
    },
    run: async (values) => {
      const { logLevel } = await import('kafkajs')
      const { topicPlans } = await import('../config/topics')
      const { ensureTopics } = await import('../kafka/topics')
      const { describeTopics } = await import('./topics')
      const config = loadConfig({ file: values['config'] as string | undefined })
      const report = await ensureTopics(config.kafka, topicPlans(config), {
        create: values['create'] ? 'all' : 'none',
        // No adapter runs here, so the framework logger kafkajs logs into does not exist; failures still throw.
        overrides: { logLevel: logLevel.NOTHING },
      })
      console.log(describeTopics(report))
      return 0
    },
  },
  ...nodeCommands,
  config: {
    summary: 'Validate the configuration and print it with secrets redacted',
    options: {
      ...configOption,
      reference: { type: 'boolean', description: 'Print the reference of every setting as Markdown instead' },
    },
    run: async (values) => {
      if (values['reference']) {
        console.log(configReference())
        return 0
      }
      const config = loadConfig({ file: values['config'] as string | undefined })
      console.log(JSON.stringify(redactConfig(config), null, 2))
      return 0
    },
  },
}
