import { readdirSync } from 'node:fs'
import { basename, join } from 'node:path'

interface BenchResult {
  name: string
  figures: Record<string, number | string>
  ratio?: number
}

type BenchFn = () => Promise<BenchResult | BenchResult[]>

const format = (value: number | string): string =>
  typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 3 : 1)) : value

/**
 * Runs every benchmark module in this folder (or those named on the command
 * line: `npm run bench -- ingest`), one after the other so they do not share the two cores.
 */
const main = async (filters: string[]): Promise<void> => {
  const ext = __filename.endsWith('.ts') ? '.ts' : '.js'
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith(ext) && !f.endsWith(`.d${ext}`) && basename(f, ext) !== 'run' && !f.startsWith('_'))
    .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
    .sort()
  for (const file of files) {
    const mod = (await import(join(__dirname, file))) as Record<string, unknown>
    for (const fn of Object.values(mod).filter((v): v is BenchFn => typeof v === 'function')) {
      const results = [await fn()].flat()
      for (const r of results) {
        console.log(`\n## ${r.name}${r.ratio === undefined ? '' : `  (ratio vs baseline: ${r.ratio.toFixed(2)})`}`)
        for (const [k, v] of Object.entries(r.figures)) console.log(`  ${k.padEnd(36)} ${format(v)}`)
      }
    }
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
