import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { repoRoot } from './paths'
import { TestBrokerError } from './test-broker-error'

/** One Kafka JVM (a KRaft node, or a one-off tool run) started by this process */
export interface KafkaJvm {
  pid: number
  /** Resolves once the JVM has exited, whatever the reason, with how it ended (`code 0`, `SIGKILL`…) */
  exited: Promise<string>
  /** False once the JVM has exited (a paused JVM is still running) */
  running(): boolean
  /** The last lines it printed: warnings and errors only (see native/apache-kafka/log4j2.yaml) */
  output(): string
  kill(signal: NodeJS.Signals): void
}

const OUTPUT_KEEP = 16_384

/**
 * Starts `mainClass` from the Kafka jars in `libs`; `onLine` sees every line it prints.
 *
 * Each JVM may take 512 MiB of heap: three nodes of a cluster plus other tests' nodes must fit on a
 * shared machine. `setpriv --pdeathsig KILL` (util-linux, like the mock broker build's flock) makes
 * the JVM die with the Node process that started it, so a test runner killed with -9 leaves no
 * broker behind. Detached: Ctrl-C reaches only us, and we stop the nodes in order.
 */
export const startKafkaJvm = (
  libs: string,
  mainClass: string,
  args: string[],
  onLine: (line: string) => void = () => undefined,
): KafkaJvm => {
  const log4j = join(repoRoot(), 'native', 'apache-kafka', 'log4j2.yaml')
  const java = ['java', '-Xmx512m', `-Dlog4j2.configurationFile=${log4j}`, '-cp', join(libs, '*'), mainClass, ...args]
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', ...java], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  let done = false
  const keep = (line: string) => {
    output = (output + line + '\n').slice(-OUTPUT_KEEP)
    onLine(line)
  }
  createInterface({ input: child.stdout }).on('line', keep)
  createInterface({ input: child.stderr }).on('line', keep)
  const exited = new Promise<string>((resolve) => {
    child.on('close', (code, signal) => {
      done = true
      resolve(signal ?? `code ${code}`)
    })
    child.on('error', (err) => {
      keep(`cannot run setpriv/java: ${err.message}`)
      done = true
      resolve('not started')
    })
  })
  return {
    pid: child.pid ?? -1,
    exited,
    running: () => !done,
    output: () => output.trim() || '(no output)',
    kill: (signal) => {
      if (!done) child.kill(signal)
    },
  }
}

/** Runs a Kafka command-line tool (e.g. `kafka.tools.StorageTool`) to completion; rejects with its output when it fails */
export const runKafkaTool = async (libs: string, mainClass: string, args: string[]): Promise<void> => {
  const jvm = startKafkaJvm(libs, mainClass, args)
  const how = await jvm.exited
  if (how !== 'code 0') throw new TestBrokerError(`${mainClass} ${args.join(' ')} failed (${how}):\n${jvm.output()}`)
}
