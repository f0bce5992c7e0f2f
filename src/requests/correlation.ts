import { createHash, randomBytes } from 'node:crypto'
import type { Json } from '../json'

export type JsonObject = { [key: string]: Json }

/** JSON with object keys sorted at every level, so equal values always serialise to the same text. */
export const canonicalJson = (value: Json): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`
  }
  return JSON.stringify(value)
}

const digest = (parts: Json[]): string => createHash('sha256').update(canonicalJson(parts)).digest('hex').slice(0, 32)

/**
 * The key of a request on every topic. It depends only on what identifies the
 * question (job run, type, params), so a node retrying the same bridge call
 * lands on the same id and joins the request already in flight.
 */
export const correlationId = (jobRunId: string, type: string, params: JsonObject): string =>
  digest([jobRunId, type, params])

export interface Correlated {
  /** The body's `id`, when the job's requestData writes one */
  jobRunId: string | null
  /** The run's responseURL, for an async bridge task */
  responseUrl?: string
  type: string
  params: JsonObject
}

/**
 * The correlation id of a bridge request. Current node jobs (cron, OCR2,
 * keeper) send no `id`; then an async request is known by its responseURL,
 * which the node gives each run and repeats on that run's retries, and a
 * synchronous one has nothing to be known by, so it never joins another.
 */
export const correlationIdOf = ({ jobRunId, responseUrl, type, params }: Correlated): string => {
  if (jobRunId !== null) return correlationId(jobRunId, type, params)
  // An object where the id stands: no `id` can collide with it
  if (responseUrl !== undefined) return digest([{ responseURL: responseUrl }, type, params])
  return randomBytes(16).toString('hex')
}
