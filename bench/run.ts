import { readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { parseArgs } from 'node:util'

interface BenchResult {
  name: string
  figures: Record<string, number | string>
  ratio?: number
}

type BenchFn = () => Promise<BenchResult | BenchResult[]>

/** Where a round of benchmarks runs: benchmarks reach the broker through KAFKA_BROKERS (test/support/kafka.ts) */
interface Broker {
  label: string
  /** KAFKA_BROKERS for the round; empty: each benchmark starts its own mock broker */
  brokers: string
}

const format = (value: number | string): string =>
  typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 3 : 1)) : value

const USAGE = 'usage: npm run bench -- [--kafka mock|apache] [name...]  (or KAFKA_BROKERS=host:port,... npm run bench)'

/**
 * Runs every benchmark module in this folder (or those named on the command line:
 * `npm run bench -- ingest`), one after the other so they do not share the two cores.
 *
 * Broker: the librdkafka mock alone by default. With `--kafka apache` (one Apache Kafka node started
 * here) or KAFKA_BROKERS (any cluster), each benchmark runs on the mock and then on that broker, its
 * baseline measured again in the same run on the same broker, so ratios compare like with like.
 */
const main = async (argv: string[]): Promise<void> => {
  const { values, positionals: filters } = parseArgs({
    args: argv,
    options: { kafka: { type: 'string' } },
    allowPositionals: true,
  })
  const choice = values.kafka ?? (process.env['KAFKA_BROKERS'] ? 'env' : 'mock')
  if (!['mock', 'apache', 'env'].includes(choice)) throw new Error(`unknown --kafka ${choice}\n${USAGE}`)

  const brokers: Broker[] = [{ label: 'librdkafka mock broker', brokers: '' }]
  let stopApache = async (): Promise<void> => undefined
  if (choice === 'env')
    brokers.push({ label: `KAFKA_BROKERS=${process.env['KAFKA_BROKERS']}`, brokers: process.env['KAFKA_BROKERS']! })
  if (choice === 'apache') {
    const { startApacheKafka } = await import('../src/dev/apache-kafka')
    const apache = await startApacheKafka()
    stopApache = apache.stop
    brokers.push({
      label: `Apache Kafka ${apache.version} (one KRaft node, this machine)`,
      brokers: apache.brokers.join(','),
    })
  }

  const ext = __filename.endsWith('.ts') ? '.ts' : '.js'
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith(ext) && !f.endsWith(`.d${ext}`) && basename(f, ext) !== 'run' && !f.startsWith('_'))
    .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
    .sort()
  try {
    for (const file of files) {
      const mod = (await import(join(__dirname, file))) as Record<string, unknown>
      for (const fn of Object.values(mod).filter((v): v is BenchFn => typeof v === 'function')) {
        for (const broker of brokers) {
          process.env['KAFKA_BROKERS'] = broker.brokers
          const results = [await fn()].flat()
          for (const r of results) {
            const ratio = r.ratio === undefined ? '' : `  (ratio vs baseline: ${r.ratio.toFixed(2)})`
            console.log(`\n## ${r.name}${ratio}\n  on: ${broker.label}`)
            for (const [k, v] of Object.entries(r.figures)) console.log(`  ${k.padEnd(36)} ${format(v)}`)
          }
        }
      }
    }
  } finally {
    await stopApache()
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
