import { spawn } from 'node:child_process'
import { startApacheKafka } from '../../src/dev/apache-kafka'

/**
 * `npm run test:kafka`: starts one Apache Kafka node (fetching Kafka on first use), runs the command
 * given as arguments (the whole test suite) with KAFKA_BROKERS naming it, stops the node and exits
 * with the command's status. Tests then use the real broker through test/support/kafka.ts.
 */
const main = async ([command, ...args]: string[]): Promise<number> => {
  if (!command) throw new Error('usage: with-apache-kafka <command> [args...]')
  const kafka = await startApacheKafka()
  try {
    const brokers = kafka.brokers.join(',')
    console.error(`Apache Kafka ${kafka.version} (KRaft, one node) at KAFKA_BROKERS=${brokers}`)
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, KAFKA_BROKERS: brokers } })
    // Ctrl-C reaches the whole foreground group already; a TERM sent to us alone is passed on.
    const forward = () => child.kill('SIGTERM')
    process.on('SIGTERM', forward).on('SIGINT', () => undefined)
    return await new Promise<number>((resolve) => {
      child.on('error', (err) => {
        console.error(`cannot run ${command}: ${err.message}`)
        resolve(127)
      })
      child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)))
    })
  } finally {
    await kafka.stop()
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  },
)
