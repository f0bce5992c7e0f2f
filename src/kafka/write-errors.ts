/**
 * Which failed writes are worth another attempt. kafkajs already retries what
 * it calls retriable; what it gives up on is either Kafka being away (down,
 * slow, electing leaders: waiting helps) or a refusal that waiting never
 * changes. Those must not be retried forever: one poison record would stop
 * everything behind it.
 */

/** The record itself is refused: it fails again however often it is sent (alone, it can only be dropped). */
const RECORD_REFUSALS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE'])

/**
 * The topic refuses every record: an ACL denies the write, or the topic does
 * not exist (kafkajs has already waited out a leader election by then). A few
 * attempts cover an ACL or topic being fixed right now; more would stall the flow.
 */
const TOPIC_REFUSALS = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'INVALID_TOPIC_EXCEPTION',
])

export type WriteRefusal = 'record' | 'topic'

interface KafkaJsError {
  type?: string
  cause?: unknown
  errors?: unknown[]
}

/** The Kafka protocol error types in a kafkajs error, its causes and (for a batch to several brokers) its parts. */
export const kafkaErrorTypes = (err: unknown): string[] => {
  const types: string[] = []
  const seen = new Set<unknown>()
  const visit = (e: unknown): void => {
    if (typeof e !== 'object' || e === null || seen.has(e)) return
    seen.add(e)
    const { type, cause, errors } = e as KafkaJsError
    if (typeof type === 'string') types.push(type)
    visit(cause)
    if (Array.isArray(errors)) errors.forEach(visit)
  }
  visit(err)
  return types
}

/** undefined: Kafka may take it later; otherwise what refuses it for good. */
export const writeRefusal = (err: unknown): WriteRefusal | undefined => {
  const types = kafkaErrorTypes(err)
  if (types.some((t) => RECORD_REFUSALS.has(t))) return 'record'
  if (types.some((t) => TOPIC_REFUSALS.has(t))) return 'topic'
  return undefined
}

/** e.g. "MESSAGE_TOO_LARGE"; for metric labels, which must not carry free text */
export const refusalName = (err: unknown): string =>
  kafkaErrorTypes(err).find((t) => RECORD_REFUSALS.has(t) || TOPIC_REFUSALS.has(t)) ?? 'OTHER'

/** Bytes a record takes on the wire, near enough to keep a send under a broker's request limit. */
export const recordBytes = (message: {
  key?: Buffer | string | null
  value: Buffer | string | null
  headers?: Record<string, unknown>
}): number => {
  const length = (v: unknown): number =>
    v === null || v === undefined ? 0 : Buffer.isBuffer(v) ? v.length : Buffer.byteLength(String(v))
  let bytes = 70 + length(message.key) + length(message.value)
  for (const [name, value] of Object.entries(message.headers ?? {}))
    bytes += 8 + Buffer.byteLength(name) + length(value)
  return bytes
}

/** Splits into runs of at most `maxBytes` each (a single record larger than that is a run of its own). */
export const chunkByBytes = <T>(items: readonly T[], bytesOf: (item: T) => number, maxBytes: number): T[][] => {
  const chunks: T[][] = []
  let chunk: T[] = []
  let bytes = 0
  for (const item of items) {
    const size = bytesOf(item)
    if (chunk.length > 0 && bytes + size > maxBytes) {
      chunks.push(chunk)
      chunk = []
      bytes = 0
    }
    chunk.push(item)
    bytes += size
  }
  if (chunk.length > 0) chunks.push(chunk)
  return chunks
}
