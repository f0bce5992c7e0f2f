import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel } from 'kafkajs'
import { freePorts } from './free-ports'
import { runKafkaTool, startKafkaJvm, type KafkaJvm } from './kafka-jvm'
import { serverProperties, type NodePlacement, type SecuredListener } from './kafka-properties'
import { repoRoot } from './paths'
import { runSetupScript } from './setup-script'
import type { TestBroker, TopicSpec } from './test-broker'
import { TestBrokerError } from './test-broker-error'
import { createTopicAdmin, type TopicAdmin } from './topic-admin'

/**
 * Apache Kafka, the real broker, for `npm run test:kafka`, `bifrost broker --apache` and
 * `npm run bench -- --kafka apache`: KRaft combined nodes (broker and controller in one JVM),
 * each a child process of ours, on free ports of 127.0.0.1, with data in a temporary folder
 * removed on stop. The jars come from Maven Central on first use (native/apache-kafka/fetch.sh).
 */

export interface ApacheKafkaNode {
  /** node.id, from 1: the broker id kafkajs reports as a partition's leader */
  id: number
  /** host:port of its client listener */
  broker: string
}

export interface ApacheKafka extends TestBroker {
  /** The Kafka version running, e.g. `4.3.1` (native/apache-kafka/pom.xml) */
  version: string
  /** host:port of every node on each of `options.secured`'s listeners, by listener name */
  securedBrokers: Record<string, string[]>
  nodes: ApacheKafkaNode[]
  /**
   * Ends node `id` with `signal` and waits until its JVM is gone: SIGKILL is a crash (the default),
   * SIGTERM a controlled shutdown (leadership moves away first). Works on a paused node too.
   */
  kill(id: number, signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>
  /** SIGSTOP: the node stops answering but keeps its connections open, like a long GC pause or a frozen VM */
  pause(id: number): void
  /** SIGCONT: a paused node carries on where it stopped */
  resume(id: number): void
  /** The process id of node `id`'s JVM while it runs (paused included), else undefined */
  pid(id: number): number | undefined
  /** Starts node `id` again on its ports and data (after a controlled shutdown if it still runs); resolves once it serves */
  restart(id: number): Promise<void>
}

export interface ApacheKafkaOptions {
  /** Number of nodes (default 1). Replication factor = nodes; with more than one, min.insync.replicas=2 */
  nodes?: number
  /** Topics to create once the cluster is up */
  topics?: TopicSpec[]
  /** Broker settings for every node, added to (and replacing) the defaults of kafka-properties.ts */
  properties?: Record<string, string>
  /** Aborts the start (the nodes started so far are stopped) */
  signal?: AbortSignal
  /**
   * Client listeners with security, by name (e.g. `{ SECURE: 'SASL_SSL' }`), each on a free port of every node,
   * beside the PLAINTEXT one the starter itself uses. TLS keystores come in `properties`
   * (`listener.name.secure.ssl.keystore.location`…)
   */
  secured?: Record<string, SecuredListener['protocol']>
  /** SCRAM-SHA-512 users (name -> password), added when the nodes are formatted (`StorageTool format --add-scram`) */
  scramUsers?: Record<string, string>
}

// Any fixed id works (only the nodes of one cluster compare it); 22 base64 characters, like a Kafka Uuid.
const CLUSTER_ID = 'bifrostTestClusterAAAA'
// One node starts in ~3 s on an idle machine; the machine may be loaded by parallel work.
const READY_TIMEOUT_MS = 120_000
const STOP_TIMEOUT_MS = 10_000
const START_ATTEMPTS = 3
const INTERNAL_TOPICS = ['__consumer_offsets', '__transaction_state']

/** Fetches the Kafka jars on first use (needs java and mvn) and returns the folder that holds them */
export const fetchApacheKafka = (): Promise<string> =>
  runSetupScript(join(repoRoot(), 'native', 'apache-kafka', 'fetch.sh'), 'Fetching Apache Kafka')

interface NodeState extends NodePlacement {
  properties: string
  jvm?: KafkaJvm
  paused: boolean
}

const until = async (what: string, probe: () => Promise<boolean>, signal?: AbortSignal): Promise<void> => {
  const deadline = Date.now() + READY_TIMEOUT_MS
  let last: unknown
  for (;;) {
    signal?.throwIfAborted()
    try {
      if (await probe()) return
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new TestBrokerError(`Apache Kafka: timed out waiting for ${what}`, { cause: last })
    await sleep(200, undefined, { signal })
  }
}

/** Starts one node's JVM; resolves once it logged `Kafka Server started`, else kills it and rejects with its output */
const launch = (libs: string, node: NodeState, signal?: AbortSignal): Promise<KafkaJvm> =>
  new Promise((resolve, reject) => {
    let settled = false
    const settle = (failure?: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      if (!failure) return resolve(jvm)
      jvm.kill('SIGKILL')
      void jvm.exited.then(() =>
        reject(new TestBrokerError(`Apache Kafka node ${node.id} ${failure}; its output:\n${jvm.output()}`)),
      )
    }
    const jvm = startKafkaJvm(libs, 'kafka.Kafka', [node.properties], (line) => {
      if (line.includes('Kafka Server started')) settle()
    })
    node.jvm = jvm
    node.paused = false
    const timer = setTimeout(() => settle(`did not start within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS)
    const onAbort = () => settle('was aborted while starting')
    signal?.addEventListener('abort', onAbort, { once: true })
    void jvm.exited.then((how) => settle(`exited while starting (${how})`))
  })

/** Sends `signal` and waits for the JVM to exit, SIGKILL after `graceMs`; a paused node is resumed so it can act on SIGTERM */
const halt = async (node: NodeState, signal: NodeJS.Signals, graceMs = STOP_TIMEOUT_MS): Promise<void> => {
  const jvm = node.jvm
  if (!jvm?.running()) return
  jvm.kill(signal)
  if (node.paused) jvm.kill('SIGCONT')
  node.paused = false
  const timer = setTimeout(() => jvm.kill('SIGKILL'), graceMs)
  await jvm.exited
  clearTimeout(timer)
}

/**
 * Makes the internal topics while every node is up: their replication factor is the cluster size, so
 * they cannot be created while one node is down, which is exactly when fault tests first need them.
 * A group lookup creates __consumer_offsets; a transactional producer's first transaction creates
 * __transaction_state.
 */
const createInternalTopics = async (brokers: string[], size: number, signal?: AbortSignal): Promise<void> => {
  const kafka = new Kafka({ clientId: 'bifrost-kafka-start', brokers, logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  const producer = kafka.producer({ transactionalId: 'bifrost-kafka-start', maxInFlightRequests: 1, idempotent: true })
  try {
    await admin.connect()
    await until(
      `${size} brokers to register`,
      async () => (await admin.describeCluster()).brokers.length === size,
      signal,
    )
    await until('__consumer_offsets', async () => (await admin.describeGroups(['bifrost-kafka-start']), true), signal)
    await producer.connect()
    await until('__transaction_state', async () => (await (await producer.transaction()).abort(), true), signal)
    await until(
      `${INTERNAL_TOPICS.join(' and ')} to be fully replicated`,
      async () => {
        const { topics } = await admin.fetchTopicMetadata({ topics: INTERNAL_TOPICS })
        return topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.isr.length === size))
      },
      signal,
    )
  } finally {
    await producer.disconnect().catch(() => undefined)
    await admin.disconnect().catch(() => undefined)
  }
}

/** Formats and starts every node on fresh ports; retries when another process took a port first */
const startNodes = async (libs: string, root: string, size: number, opts: ApacheKafkaOptions): Promise<NodeState[]> => {
  for (let attempt = 1; ; attempt++) {
    const secured = Object.entries(opts.secured ?? {})
    const perNode = 2 + secured.length
    const ports = await freePorts(perNode * size)
    const nodes: NodeState[] = Array.from({ length: size }, (_, i) => ({
      id: i + 1,
      port: ports[perNode * i],
      controllerPort: ports[perNode * i + 1],
      secured: secured.map(([name, protocol], j) => ({ name, protocol, port: ports[perNode * i + 2 + j] })),
      dataDir: join(root, `node-${i + 1}`),
      properties: join(root, `node-${i + 1}.properties`),
      paused: false,
    }))
    for (const node of nodes) await writeFile(node.properties, serverProperties(node, nodes, opts.properties))
    try {
      // --ignore-formatted: a retry reuses the folders formatted by the failed attempt
      await Promise.all(
        nodes.map((n) =>
          runKafkaTool(libs, 'kafka.tools.StorageTool', [
            'format',
            '--ignore-formatted',
            '-t',
            CLUSTER_ID,
            '-c',
            n.properties,
            ...Object.entries(opts.scramUsers ?? {}).flatMap(([name, password]) => [
              '--add-scram',
              `SCRAM-SHA-512=[name=${name},password=${password}]`,
            ]),
          ]),
        ),
      )
      const started = await Promise.allSettled(nodes.map((n) => launch(libs, n, opts.signal)))
      const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      if (failed) throw failed.reason
      return nodes
    } catch (err) {
      await Promise.all(nodes.map((n) => halt(n, 'SIGKILL')))
      const portTaken = err instanceof Error && /Address already in use/.test(err.message)
      if (!portTaken || attempt >= START_ATTEMPTS || opts.signal?.aborted) throw err
    }
  }
}

/**
 * Starts Apache Kafka (fetching it first if needed) and resolves once every node serves clients, the
 * internal topics exist and `topics` are created. The returned handle's stop() ends every node and
 * removes the data; it is safe to call twice.
 */
export async function startApacheKafka(opts: ApacheKafkaOptions = {}): Promise<ApacheKafka> {
  const size = opts.nodes ?? 1
  if (!Number.isInteger(size) || size < 1) throw new TestBrokerError(`Apache Kafka: invalid node count ${size}`)
  const libs = await fetchApacheKafka()
  const root = await mkdtemp(join(tmpdir(), 'bifrost-kafka-'))
  let nodes: NodeState[] = []
  const brokers = (): string[] => nodes.map((n) => `127.0.0.1:${n.port}`)
  let topicAdmin: TopicAdmin | undefined

  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await topicAdmin?.stop().catch(() => undefined)
      await Promise.all(nodes.map((n) => halt(n, 'SIGTERM')))
      await rm(root, { recursive: true, force: true })
    })())

  const node = (id: number): NodeState => {
    const found = nodes.find((n) => n.id === id)
    if (!found)
      throw new TestBrokerError(`Apache Kafka has no node ${id} (nodes: ${nodes.map((n) => n.id).join(', ')})`)
    return found
  }
  const signalNode = (id: number, signal: 'SIGSTOP' | 'SIGCONT') => {
    const n = node(id)
    if (!n.jvm?.running()) throw new TestBrokerError(`Apache Kafka node ${id} is not running`)
    n.jvm.kill(signal)
    n.paused = signal === 'SIGSTOP'
  }

  try {
    nodes = await startNodes(libs, root, size, opts)
    await createInternalTopics(brokers(), size, opts.signal)
    topicAdmin = createTopicAdmin(brokers())
    await topicAdmin.createTopics(opts.topics ?? [])
  } catch (err) {
    await stop()
    throw err
  }

  return {
    version: basename(dirname(libs)),
    brokers: brokers(),
    securedBrokers: Object.fromEntries(
      Object.keys(opts.secured ?? {}).map((name) => [
        name,
        nodes.map((n) => `127.0.0.1:${n.secured?.find((l) => l.name === name)?.port}`),
      ]),
    ),
    nodes: nodes.map((n) => ({ id: n.id, broker: `127.0.0.1:${n.port}` })),
    createTopics: topicAdmin.createTopics,
    stop,
    kill: (id, signal = 'SIGKILL') => halt(node(id), signal, signal === 'SIGTERM' ? READY_TIMEOUT_MS : STOP_TIMEOUT_MS),
    pid: (id) => {
      const jvm = node(id).jvm
      return jvm?.running() ? jvm.pid : undefined
    },
    pause: (id) => signalNode(id, 'SIGSTOP'),
    resume: (id) => signalNode(id, 'SIGCONT'),
    restart: async (id) => {
      const n = node(id)
      await halt(n, 'SIGTERM', READY_TIMEOUT_MS)
      await launch(libs, n)
    },
  }
}
