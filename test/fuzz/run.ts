import { performance } from 'node:perf_hooks'
import fc from 'fast-check'
import { useDefaultLogger } from '../support/logger'
import { TARGETS } from './targets'

/**
 * `npm run fuzz`: the long run. Every target gets FUZZ_RUNS inputs (default 5,000) from FUZZ_SEED (default: a fresh
 * seed, printed so a failure can be replayed); each input is timed, and the report gives the slowest input per target
 * against the target's budget (a pure parser's is 50 ms, one through HTTP 250 ms): a single input that takes longer
 * is a way to block the event loop. Exits 1 when a property fails or an input exceeds its budget.
 */
const runs = Number(process.env['FUZZ_RUNS'] ?? 5000)
const seed = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
const only = process.env['FUZZ_TARGET']

const show = (value: unknown): string => {
  const text = fc.stringify(value)
  return text.length > 160 ? `${text.slice(0, 157)}...` : text
}

const main = async () => {
  useDefaultLogger()
  console.log(`fuzz: ${runs} inputs per target, seed ${seed}`)
  let failed = false
  for (const target of TARGETS) {
    if (only && !target.name.includes(only)) continue
    const times: number[] = []
    let slowest = { ms: 0, input: undefined as unknown }
    await target.start?.()
    const result = await fc.check(
      fc.asyncProperty(target.arbitrary, async (input) => {
        const started = performance.now()
        try {
          await target.check(input)
        } finally {
          const ms = performance.now() - started
          times.push(ms)
          if (ms > slowest.ms) slowest = { ms, input }
        }
      }),
      { seed, numRuns: runs },
    )
    await target.stop?.()
    times.sort((a, b) => a - b)
    const p99 = times[Math.min(times.length - 1, Math.floor(times.length * 0.99))] ?? 0
    const over = times.filter((t) => t > target.budgetMs).length
    console.log(
      `${target.name}: ${times.length} inputs, p50 ${times[Math.floor(times.length / 2)]?.toFixed(
        2,
      )} ms, p99 ${p99.toFixed(2)} ms, max ${slowest.ms.toFixed(2)} ms, ${over} over the ${target.budgetMs} ms budget`,
    )
    if (over > 0) console.log(`  slowest input: ${show(slowest.input)}`)
    if (result.failed) {
      failed = true
      console.log(
        `  FAILED after ${result.numRuns} inputs: ${
          (result.errorInstance as Error | undefined)?.message ?? result.failures
        }`,
      )
      console.log(`  counterexample (shrunk): ${show(result.counterexample)}`)
      console.log(`  replay: FUZZ_SEED=${seed} FUZZ_TARGET="${target.name}"`)
    }
    if (over > 0) failed = true
  }
  process.exit(failed ? 1 : 0)
}

void main()
