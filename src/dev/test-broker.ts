import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
// Kafka's rule also keeps names safe for the broker's line-based stdin protocol
import { TOPIC_NAME } from '../kafka/settings'
import { repoRoot } from './paths'
import { runSetupScript } from './setup-script'
import { TestBrokerError } from './test-broker-error'

/**
 * The Kafka test broker: librdkafka's mock cluster wrapped in a tiny C program
 * (native/mock-broker), so that `npm test` needs only Node and a C compiler
 * (`npm run test:kafka` runs the same suite on Apache Kafka: apache-kafka.ts). It speaks
 * the Kafka protocol well enough for kafkajs producers, idempotent producers,
 * transactions and consumer groups. It keeps everything in memory.
 */

export interface TopicSpec {
  topic: string
  /** Default 1 */
  partitions?: number
  /**
   * Ignored by the test broker: the mock has no log cleaner, so a compacted
   * topic behaves exactly like a plain one (every record is kept). Honoured
   * when tests run against a real broker (KAFKA_BROKERS).
   */
  compacted?: boolean
  /**
   * More topic settings for a real broker, e.g. `segment.ms` for a test that waits for the log
   * cleaner. Ignored by the test broker, which has none of these.
   */
  configs?: Record<string, string>
}

export interface TestBroker {
  /** host:port of every broker, ready for kafkajs `brokers` */
  brokers: string[]
  /** Creates topics; one that already exists is left as is (like kafkajs admin) */
  createTopics(topics: TopicSpec[]): Promise<void>
  /**
   * The mock only: makes it refuse the next `count` writes (Produce requests) to a
   * topic's partitions with a Kafka error, as a real broker refuses a record
   * over max.message.bytes or a write its ACLs deny: how tests reach the errors
   * that never clear without a real broker's limits or ACLs.
   */
  refuseWrites?(refusal: WriteRefusal): Promise<void>
  /** SIGTERM, then waits for the process to exit. Safe to call twice. */
  stop(): Promise<void>
}

/** Kafka protocol errors a broker answers a write with, by name, with their protocol codes. */
export const WRITE_ERRORS = { MESSAGE_TOO_LARGE: 10, TOPIC_AUTHORIZATION_FAILED: 29 } as const

export interface WriteRefusal {
  topic: string
  /** Default 1 */
  partitions?: number
  error: keyof typeof WRITE_ERRORS
  /** Writes refused per partition, at most 256; default 256, more than any retry loop that gives up makes */
  count?: number
}

const PRODUCE_API_KEY = 0

export { TestBrokerError }

const STARTUP_TIMEOUT_MS = 15_000
const STOP_TIMEOUT_MS = 5_000
const STDERR_KEEP = 16_384

/**
 * Builds the broker binary if needed (first time: ~30 s, needs gcc/make and
 * npm; afterwards a no-op) and returns its path. Build progress goes to stderr.
 */
export const buildTestBroker = (): Promise<string> =>
  runSetupScript(join(repoRoot(), 'native', 'mock-broker', 'build.sh'), 'Building the test broker')

const validate = (spec: TopicSpec): number => {
  const partitions = spec.partitions ?? 1
  if (!TOPIC_NAME.test(spec.topic)) throw new TestBrokerError(`Invalid topic name: ${JSON.stringify(spec.topic)}`)
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new TestBrokerError(`Invalid partition count for ${spec.topic}: ${partitions}`)
  }
  return partitions
}

/**
 * Starts a test broker (a child process, detached from the terminal's process
 * group so Ctrl-C reaches only us and we stop it in order; it also dies with
 * us if we are killed). Resolves once it listens and `topics` exist.
 */
export async function startTestBroker(
  opts: { topics?: TopicSpec[]; brokers?: number; port?: number } = {},
): Promise<TestBroker> {
  const binary = await buildTestBroker()
  const args = ['--die-with-parent', '--brokers', String(opts.brokers ?? 1)]
  if (opts.port !== undefined) args.push('--port', String(opts.port))

  const child: ChildProcess = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true })
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_KEEP)))
  // Writes after an unexpected exit fail with EPIPE; the exit handler reports it.
  child.stdin?.on('error', () => undefined)

  // Answers come back in command order, so a FIFO of waiters is enough.
  const waiters: Array<{ resolve: (line: string) => void; reject: (err: Error) => void }> = []
  let failure: TestBrokerError | undefined
  let stopping = false
  let onBootstrap: ((line: string) => void) | undefined

  const exited = new Promise<void>((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null, cause?: Error) => {
      if (!stopping || cause) {
        const how = cause ? 'could not be started' : `exited unexpectedly (${signal ?? `code ${code}`})`
        failure ??= new TestBrokerError(`Test broker ${binary} ${how}; stderr:\n${stderr.trim() || '(empty)'}`, {
          cause,
        })
      } else {
        failure ??= new TestBrokerError('Test broker was stopped')
      }
      for (const w of waiters.splice(0)) w.reject(failure)
      resolve()
    }
    child.on('exit', (code, signal) => done(code, signal))
    child.on('error', (err) => done(null, null, err))
  })

  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('BOOTSTRAP ')) onBootstrap?.(line)
    else waiters.shift()?.resolve(line)
  })

  const command = (line: string): Promise<string> => {
    if (failure) return Promise.reject(failure)
    return new Promise((resolve, reject) => {
      waiters.push({ resolve, reject })
      child.stdin!.write(`${line}\n`)
    })
  }

  const stop = async (): Promise<void> => {
    if (!stopping) {
      stopping = true
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
      child.stdin?.destroy()
    }
    await exited
  }

  const createTopics = async (topics: TopicSpec[]): Promise<void> => {
    const jobs = topics.map(async (spec) => {
      const partitions = validate(spec)
      const answer = await command(`create ${spec.topic} ${partitions}`)
      if (answer.startsWith('OK ') || /already exists/i.test(answer)) return
      throw new TestBrokerError(`Test broker could not create topic ${spec.topic}: ${answer.replace(/^ERR /, '')}`)
    })
    // Settle all before throwing so no answer is left unread
    const results = await Promise.allSettled(jobs)
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (rejected) throw rejected.reason
  }

  const refuseWrites = async ({ topic, partitions = 1, error, count = 256 }: WriteRefusal): Promise<void> => {
    validate({ topic, partitions })
    for (let partition = 0; partition < partitions; partition++) {
      const answer = await command(`errors ${topic} ${partition} ${PRODUCE_API_KEY} ${WRITE_ERRORS[error]} ${count}`)
      if (!answer.startsWith('OK ')) {
        throw new TestBrokerError(`Test broker could not refuse writes to ${topic}: ${answer.replace(/^ERR /, '')}`)
      }
    }
  }

  try {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new TestBrokerError(`Test broker did not start within ${STARTUP_TIMEOUT_MS} ms; stderr:\n${stderr}`)),
        STARTUP_TIMEOUT_MS,
      )
      onBootstrap = (l) => {
        clearTimeout(timer)
        resolve(l)
      }
      void exited.then(() => {
        clearTimeout(timer)
        reject(failure)
      })
    })
    const brokers = line.slice('BOOTSTRAP '.length).trim().split(',')
    await createTopics(opts.topics ?? [])
    return { brokers, createTopics, refuseWrites, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
