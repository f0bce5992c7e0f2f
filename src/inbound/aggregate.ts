import { compareDecimals, divideDecimal, formatDecimal, sumDecimals, toDecimal, type Decimal } from './decimal'
import type { FeedValue } from './feed-record'
import type { SourceValue } from './feed-store'

export const AGGREGATE_METHODS = ['median', 'mean', 'latest'] as const
export type AggregateMethod = (typeof AGGREGATE_METHODS)[number]

/** Digits kept beyond the inputs' own when a mean does not divide evenly. */
export const MEAN_EXTRA_DIGITS = 18

/**
 * Every method works on exact decimals, so string values keep every digit and
 * numbers do not pick up float noise ((0.1 + 0.2) / 2 is 0.15, not 0.15000000000000002).
 * The result is a number when all inputs were numbers, otherwise a decimal string.
 * A median of an odd count and `latest` return one input unchanged (e.g. "1.50" stays "1.50").
 */
export const aggregate = (samples: readonly SourceValue[], method: AggregateMethod): FeedValue => {
  if (samples.length === 0) throw new RangeError('cannot aggregate no values')
  const asNumbers = samples.every((s) => typeof s.value === 'number')
  // One input chosen as is: a string keeps its exact spelling; a number among strings becomes a string.
  const chosen = (value: FeedValue): FeedValue =>
    asNumbers || typeof value === 'string' ? value : formatDecimal(toDecimal(value))
  if (method === 'latest') {
    const newest = samples.reduce((a, b) =>
      b.timestamp > a.timestamp || (b.timestamp === a.timestamp && b.seq > a.seq) ? b : a,
    )
    return chosen(newest.value)
  }
  if (asNumbers && method === 'median' && samples.length % 2 === 1) {
    // Comparing doubles is exact, so the usual case needs no decimal arithmetic.
    return samples.map((s) => s.value as number).sort((a, b) => a - b)[samples.length >> 1]
  }
  const decimals = samples.map((s) => ({ value: s.value, decimal: toDecimal(s.value) }))
  let result: Decimal
  if (method === 'median') {
    decimals.sort((a, b) => compareDecimals(a.decimal, b.decimal))
    const mid = decimals.length >> 1
    if (decimals.length % 2 === 1) return chosen(decimals[mid].value)
    const pair = sumDecimals([decimals[mid - 1].decimal, decimals[mid].decimal])
    // Halving adds at most one digit, so this is exact.
    result = divideDecimal(pair, 2n, pair.scale + 1)
  } else {
    const sum = sumDecimals(decimals.map((d) => d.decimal))
    result = divideDecimal(sum, BigInt(decimals.length), sum.scale + MEAN_EXTRA_DIGITS)
  }
  const text = formatDecimal(result)
  return asNumbers ? Number(text) : text
}
