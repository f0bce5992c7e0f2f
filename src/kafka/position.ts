/**
 * A position in a multi-partition topic: per partition, the offset of the next
 * record (Kafka's consumer position). Written `0:1234,1:98,2:7`, partitions in
 * ascending order. It is the `id:` of every Server-Sent Event and the `from` /
 * `next` of /api/events, so a client can resume exactly where it stopped, also
 * after Bifrost restarts: it names records in Kafka, not anything in memory.
 */
export type Position = Map<number, number>

export type ParsedPosition = { ok: true; position: Position } | { ok: false; reason: string }

const ENTRY = /^(\d{1,6}):(\d{1,16})$/

export const formatPosition = (position: Position): string =>
  [...position]
    .sort(([a], [b]) => a - b)
    .map(([partition, offset]) => `${partition}:${offset}`)
    .join(',')

/** Never throws: a bad vector comes back with the reason, for a 400 that names it. */
export const parsePosition = (text: string): ParsedPosition => {
  const position: Position = new Map()
  if (text.trim() === '')
    return { ok: false, reason: 'empty position: expected partition:offset pairs such as 0:1234,1:98' }
  for (const part of text.split(',')) {
    const match = ENTRY.exec(part.trim())
    if (!match) return { ok: false, reason: `"${part}" is not partition:offset (e.g. 0:1234)` }
    const partition = Number(match[1])
    const offset = Number(match[2])
    if (!Number.isSafeInteger(offset)) return { ok: false, reason: `offset ${match[2]} is too large` }
    if (position.has(partition)) return { ok: false, reason: `partition ${partition} appears twice` }
    position.set(partition, offset)
  }
  return { ok: true, position }
}
