/**
 * Exact decimal arithmetic on bigint, just enough for aggregating feed values:
 * a wei amount published as "123456789012345678901234567890" must come out of
 * a median unchanged, which no float can promise.
 */

/** `units / 10^scale` */
export interface Decimal {
  units: bigint
  scale: number
}

/** What a feed record may carry in `value` as a string: plain decimal notation, no exponent. */
export const DECIMAL_STRING = /^-?\d+(\.\d+)?$/

// String(number) may use exponent notation (1e+21, 1e-7); decimal strings never do.
const NUMBER_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/

/** A finite number (through its shortest round-trip text, i.e. what the producer wrote) or a decimal string. */
export const toDecimal = (value: number | string): Decimal => {
  const text = typeof value === 'number' ? String(value) : value
  const match = NUMBER_TEXT.exec(text)
  if (!match) throw new RangeError(`not a decimal number: ${JSON.stringify(text)}`)
  const [, sign, whole, fraction = '', exponent = '0'] = match
  const units = BigInt(`${sign}${whole}${fraction}`)
  const scale = fraction.length - Number(exponent)
  return scale >= 0 ? { units, scale } : { units: units * 10n ** BigInt(-scale), scale: 0 }
}

const rescale = (d: Decimal, scale: number): bigint => d.units * 10n ** BigInt(scale - d.scale)

export const compareDecimals = (a: Decimal, b: Decimal): number => {
  const scale = Math.max(a.scale, b.scale)
  const x = rescale(a, scale)
  const y = rescale(b, scale)
  return x < y ? -1 : x > y ? 1 : 0
}

export const sumDecimals = (values: readonly Decimal[]): Decimal => {
  const scale = Math.max(0, ...values.map((v) => v.scale))
  return { units: values.reduce((sum, v) => sum + rescale(v, scale), 0n), scale }
}

/** `d / divisor` rounded half to even at `scale` digits after the point. */
export const divideDecimal = (d: Decimal, divisor: bigint, scale: number): Decimal => {
  const numerator = d.scale <= scale ? rescale(d, scale) : d.units
  const denominator = d.scale <= scale ? divisor : divisor * 10n ** BigInt(d.scale - scale)
  const negative = numerator < 0n !== denominator < 0n
  const n = numerator < 0n ? -numerator : numerator
  const m = denominator < 0n ? -denominator : denominator
  let quotient = n / m
  const twiceRemainder = (n % m) * 2n
  if (twiceRemainder > m || (twiceRemainder === m && quotient % 2n === 1n)) quotient += 1n
  return { units: negative ? -quotient : quotient, scale }
}

/** Digits of the value written out in plain notation: "-12.50" has 4, 1e-7 has 8, 1e21 has 22. */
export const decimalDigits = (value: number | string): number => {
  if (typeof value === 'string') return value.length - (value.startsWith('-') ? 1 : 0) - (value.includes('.') ? 1 : 0)
  const { units, scale } = toDecimal(value)
  const written = (units < 0n ? -units : units).toString().length
  return Math.max(written, scale + 1)
}

/**
 * Plain decimal notation without trailing fractional zeros: 1.50 -> "1.5", 2.00 -> "2".
 * The zeros are cut from the text in one pass: dividing the bigint by 10 per zero
 * is quadratic, seconds of blocked event loop for 200,000 of them (bench/decimal.ts).
 */
export const formatDecimal = (d: Decimal): string => {
  const negative = d.units < 0n
  let digits = (negative ? -d.units : d.units).toString()
  let scale = d.scale
  if (scale > 0) {
    let end = digits.length
    while (scale > 0 && end > 1 && digits.charCodeAt(end - 1) === 48) {
      end--
      scale--
    }
    digits = digits.slice(0, end)
  }
  if (digits === '0') return '0'
  digits = digits.padStart(scale + 1, '0')
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`
  return negative ? `-${text}` : text
}
