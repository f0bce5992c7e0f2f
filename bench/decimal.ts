import { formatDecimal, type Decimal } from '../src/inbound/decimal'

// A value whose fraction is all zeros: what a record like {"value": "1.000…0"} aggregates to.
// Cutting the zeros one bigint division at a time was quadratic (seconds of blocked event loop
// for 200,000 of them); formatting must cost about what printing the bigint costs.
const SIZES = [20_000, 200_000]

const msPerCall = (run: () => unknown): number => {
  // Enough calls for a stable figure, few enough that the largest size stays quick
  let calls = 0
  const started = performance.now()
  do {
    run()
    calls++
  } while (performance.now() - started < 300 && calls < 1000)
  return (performance.now() - started) / calls
}

const trailingZeros = (zeros: number): Decimal => ({ units: 10n ** BigInt(zeros) + 10n ** BigInt(zeros), scale: zeros })

/** formatDecimal against printing the same bigint (its floor), and how its cost grows with the digits. */
export const decimalFormatting = async () => {
  const figures: Record<string, number> = {}
  let ratio = 0
  const perSize: number[] = []
  for (const zeros of SIZES) {
    const d = trailingZeros(zeros)
    const baseline = msPerCall(() => d.units.toString())
    const ours = msPerCall(() => formatDecimal(d))
    figures[`${zeros} trailing zeros: bigint toString (ms)`] = baseline
    figures[`${zeros} trailing zeros: formatDecimal (ms)`] = ours
    perSize.push(ours)
    ratio = baseline / ours
  }
  figures['growth for 10x the digits (linear: ~10, quadratic: ~100; bigint printing itself is superlinear)'] =
    perSize[1] / perSize[0]
  figures['goal: ratio at least'] = 0.5
  return {
    name: 'decimal formatting of 200,000 trailing zeros (ratio: bigint toString / formatDecimal)',
    figures,
    ratio,
  }
}
