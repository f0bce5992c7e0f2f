import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import { useDefaultLogger } from '../support/logger'
import { TARGETS } from './targets'

useDefaultLogger()

/*
 * The short run inside `npm test`: a fixed seed, so a failure here is the same failure on every machine. The long run,
 * with a fresh seed and per-input timings, is `npm run fuzz` (test/fuzz/run.ts). No timing is asserted here.
 */
const SEED = 1_111_011
const RUNS = 60

describe('fuzz: outside input never throws, and a rejected input gets a code and a reason', () => {
  for (const target of TARGETS) {
    describe(target.name, () => {
      before(async () => target.start?.())
      after(async () => target.stop?.())
      test(`${RUNS} inputs, seed ${SEED}`, async () => {
        await fc.assert(
          fc.asyncProperty(target.arbitrary, async (input) => {
            await target.check(input)
          }),
          { seed: SEED, numRuns: RUNS, endOnFailure: true },
        )
      })
    })
  }
})
