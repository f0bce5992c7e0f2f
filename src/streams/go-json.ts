import type { Json } from '../json'

/*
 * The Chainlink node hashes a subscription's data as Go's encoding/json prints
 * it, so Bifrost must print it byte for byte the same way. Differences from
 * JSON.stringify: keys sorted by their UTF-8 bytes, `<`, `>`, `&`, U+2028 and
 * U+2029 escaped, \b and \f short escapes, other control characters in
 * lowercase \u00xx, invalid UTF-16 replaced by U+FFFD, and -0 kept as "-0".
 * Checked against vectors printed by Go itself (test/streams/go-json/main.go).
 */

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
}

// Control characters, the HTML trio, the JS-breaking separators, and any
// surrogate (paired ones are matched first and written as they are).
const NEEDS_ESCAPE = /[\ud800-\udbff][\udc00-\udfff]|[\u0000-\u001f"\\<>&\u2028\u2029\ud800-\udfff]/g

const escapeChar = (c: string): string => {
  if (c.length === 2) return c
  const short = SHORT_ESCAPES[c]
  if (short) return short
  const code = c.charCodeAt(0)
  // A lone surrogate cannot reach Go as a string: its UTF-8 decoding already made it U+FFFD.
  if (code >= 0xd800 && code <= 0xdfff) return '\ufffd'
  return `\\u${code.toString(16).padStart(4, '0')}`
}

const goString = (s: string): string => `"${s.replace(NEEDS_ESCAPE, escapeChar)}"`

/**
 * Go formats a float64 with the shortest digits that round-trip, in exponent
 * form below 1e-6 and from 1e21 on: the same digits and thresholds as
 * Number#toString, which differs only for -0.
 */
const goNumber = (n: number): string => {
  if (!Number.isFinite(n)) throw new RangeError(`Go's json.Marshal cannot encode ${n}`)
  return Object.is(n, -0) ? '-0' : String(n)
}

/** Code point order, which is UTF-8 byte order (Go's sort of map keys); UTF-16 order differs above U+FFFF. */
const byUtf8 = (a: string, b: string): number => {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) as number
    const y = b.codePointAt(i) as number
    if (x !== y) return x - y
    if (x > 0xffff) i++
  }
  return a.length - b.length
}

/** `json.Marshal` of the value as Go holds it after decoding JSON (or a protobuf Struct) into `any`. */
export const goJsonMarshal = (value: Json): string => {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
      return goString(value)
    case 'number':
      return goNumber(value)
    case 'boolean':
      return value ? 'true' : 'false'
  }
  if (Array.isArray(value)) return `[${value.map(goJsonMarshal).join(',')}]`
  const keys = Object.keys(value).sort(byUtf8)
  return `{${keys.map((k) => `${goString(k)}:${goJsonMarshal(value[k])}`).join(',')}}`
}
