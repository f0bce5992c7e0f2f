/** A JSON value: what goes into and comes out of Kafka message values and bridge bodies. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

const OPEN_ARRAY = 0x5b
const OPEN_OBJECT = 0x7b
const CLOSE_ARRAY = 0x5d
const CLOSE_OBJECT = 0x7d
const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * How deeply arrays and objects nest in JSON text (0 for a scalar), read from
 * the bytes before anything parses them: V8 parses 100,000 levels, but every
 * recursive step after it (describing, serialising, copying) overflows the
 * stack on them. One pass, no allocation; brackets inside strings do not count.
 * Malformed text gets a number all the same; the parser judges it afterwards.
 */
export const jsonDepth = (text: Uint8Array): number => {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
    } else if (c === QUOTE) inString = true
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) deepest = Math.max(deepest, ++depth)
    else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--
  }
  return deepest
}

/**
 * Whether a parsed value (an HTTP body, say) nests arrays and objects deeper
 * than `limit`. Iterative, and it stops at the first path too deep: the value
 * may be 100,000 levels deep, which a recursive walk would not survive.
 */
export const nestsDeeperThan = (value: unknown, limit: number): boolean => {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }]
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue
    const depth = item.depth + 1
    if (depth > limit) return true
    for (const child of Object.values(item.value)) if (typeof child === 'object') stack.push({ value: child, depth })
  }
  return false
}
